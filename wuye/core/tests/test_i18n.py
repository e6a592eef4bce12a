"""The Chinese catalogue is complete and the committed .mo matches the .po."""

from __future__ import annotations

import ast
import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def parse_po(path: Path) -> dict[str, tuple[str, bool]]:
    """msgid -> (msgstr, fuzzy); enough of the format for Django's catalogues."""
    entries, msgid, msgstr, fuzzy, current = {}, None, None, False, None

    def flush():
        if msgid:  # the header has an empty msgid
            entries[msgid] = (msgstr or "", fuzzy)

    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            flush()
            msgid, msgstr, fuzzy, current = None, None, False, None
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid "):
            msgid, current = ast.literal_eval(line[6:]), "id"
        elif line.startswith("msgstr "):
            msgstr, current = ast.literal_eval(line[7:]), "str"
        elif line.startswith('"'):
            if current == "id":
                msgid += ast.literal_eval(line)
            elif current == "str":
                msgstr += ast.literal_eval(line)
    return entries


def test_every_message_is_translated_and_not_fuzzy():
    entries = parse_po(PO)
    assert len(entries) > 100
    untranslated = [k for k, (v, _f) in entries.items() if not v]
    fuzzy = [k for k, (_v, f) in entries.items() if f]
    assert not untranslated, f"untranslated: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"


def test_compiled_catalogue_matches_the_source():
    with MO.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)
    stale = [k for k, (v, _f) in parse_po(PO).items() if catalog.gettext(k) != v]
    assert not stale, f".mo is stale (run make messages): {stale[:10]}"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext not installed; CI checks this")
def test_every_source_string_is_in_the_catalogue(tmp_path):
    """Extract strings from a copy of the source; every one must already be in the catalogue."""
    copy = tmp_path / "wuye"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns("static", "__pycache__", "tests", "testing"))
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "", "PYTHONPATH": ""},
    )
    extracted = set(parse_po(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    missing = sorted(extracted - set(parse_po(PO)))
    assert not missing, f"strings not in the catalogue (run make messages and translate): {missing[:15]}"
