"""Finding the header row and matching the user's column headers to an import's fields.

Headers are compared after normalising: full-width to half-width, spaces, ``*`` and other markers
removed, units such as ``(㎡)`` and notes such as ``(必填)`` dropped, Latin letters lowercased.
"""

from __future__ import annotations

import re
import unicodedata

#: how many rows from the top may hold the header
HEADER_SEARCH_ROWS = 10

_BRACKETED = re.compile(r"[(\[【<《][^)\]】>》]*[)\]】>》]")
_UNITS = re.compile(r"(平方米|平米|㎡|m2|m²|%|\(|\))")
_NOISE = re.compile(r"[\s*※:：#.、·_\-—/\\'\"“”‘’?？!！]")


def normalize_header(text) -> str:
    if text is None:
        return ""
    value = unicodedata.normalize("NFKC", str(text)).lower()
    value = value.replace("\n", "")
    value = _BRACKETED.sub("", value)
    value = _UNITS.sub("", value)
    value = _NOISE.sub("", value)
    return value


def synonym_table(fields) -> dict[str, str]:
    """normalised header -> field name, from each field's header, synonyms and label."""
    table: dict[str, str] = {}
    for field in fields:
        for word in (field.header, *field.synonyms):
            key = normalize_header(word)
            if key:
                table.setdefault(key, field.name)
    return table


def match_header(text, table: dict[str, str]) -> str | None:
    key = normalize_header(text)
    if not key:
        return None
    if key in table:
        return table[key]
    # "业主姓名1", "联系电话(手机)" after stripping: try without trailing digits, then prefixes.
    trimmed = re.sub(r"\d+$", "", key)
    if trimmed in table:
        return table[trimmed]
    return None


def auto_mapping(headers: list, fields) -> dict[int, str]:
    """Column index -> field name; the first column that matches a field wins."""
    table = synonym_table(fields)
    mapping: dict[int, str] = {}
    taken = set()
    for index, header in enumerate(headers):
        name = match_header(header, table)
        if name and name not in taken:
            mapping[index] = name
            taken.add(name)
    return mapping


def find_header_row(rows: list[list], fields) -> int | None:
    """0-based index of the row (among the first ten) that matches the most distinct fields."""
    table = synonym_table(fields)
    best, best_score = None, 0
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = {match_header(cell, table) for cell in row if isinstance(cell, str)}
        found.discard(None)
        if len(found) > best_score:
            best, best_score = index, len(found)
    return best
