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
    """msgid -> (msgstr, fuzzy); plural entries give their single Chinese form (msgstr[0])."""
    entries, current = {}, None
    entry: dict = {}

    def flush():
        if entry.get("id"):  # the header has an empty msgid
            key = entry["id"] if not entry.get("ctxt") else f"{entry['ctxt']}\x04{entry['id']}"
            entries[key] = (entry.get("str", ""), entry.get("fuzzy", False), entry.get("plural"))

    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            flush()
            entry, current = {}, None
        elif line.startswith("#,") and "fuzzy" in line:
            entry["fuzzy"] = True
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            entry["ctxt"], current = ast.literal_eval(line[8:]), "ctxt"
        elif line.startswith("msgid_plural "):
            entry["plural"], current = ast.literal_eval(line[13:]), "plural"
        elif line.startswith("msgid "):
            entry["id"], current = ast.literal_eval(line[6:]), "id"
        elif line.startswith("msgstr[0] "):
            entry["str"], current = ast.literal_eval(line[10:]), "str"
        elif line.startswith("msgstr["):
            current = None  # Chinese has one plural form
        elif line.startswith("msgstr "):
            entry["str"], current = ast.literal_eval(line[7:]), "str"
        elif line.startswith('"') and current:
            entry[current] = entry.get(current, "") + ast.literal_eval(line)
    return entries


def test_every_message_is_translated_and_not_fuzzy():
    entries = parse_po(PO)
    assert len(entries) > 100
    untranslated = [k for k, (v, _f, _p) in entries.items() if not v]
    fuzzy = [k for k, (_v, f, _p) in entries.items() if f]
    assert not untranslated, f"untranslated: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"


def test_compiled_catalogue_matches_the_source():
    with MO.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)
    stale = []
    for key, (value, _fuzzy, plural) in parse_po(PO).items():
        if "\x04" in key:
            context, msgid = key.split("\x04", 1)
            got = catalog.npgettext(context, msgid, plural, 1) if plural else catalog.pgettext(context, msgid)
        else:
            got = catalog.ngettext(key, plural, 1) if plural else catalog.gettext(key)
        if got != value:
            stale.append(key)
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
