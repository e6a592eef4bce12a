"""Running an import: parse the rows, let the spec plan and validate, and (on commit) write it all
in one transaction. Used by the background job behind the web pages and by ``wuye import``.

A dry run and a commit run exactly the same checks; a commit writes only when there is no problem
at all, so a file is imported entirely or not at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from wuye.core import audit
from wuye.core.importing import values as v
from wuye.core.importing.reading import Table, header_texts
from wuye.core.importing.spec import MAX_PROBLEMS, ImportSpec, Problem, Row
from wuye.core.privacy import mask_id
from wuye.core.scoping import ALL, user_scope

_MISSING = object()
_TOTAL_ROW = re.compile(r"^(合计|总计|小计|total)", re.I)


@dataclass
class Outcome:
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rows: int = 0
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


class _Rollback(Exception):
    pass


def missing_permissions(user, project, permissions) -> list[str]:
    """The permissions of ``permissions`` that ``user`` does not hold in ``project``."""
    missing = []
    for perm in permissions:
        scope = user_scope(user, perm)
        if scope is not ALL and project.pk not in scope:
            missing.append(perm)
    return missing


def permission_label(perm: str) -> str:
    from django.contrib.auth.models import Permission

    app_label, _sep, codename = perm.partition(".")
    found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
    return str(found.name) if found else perm


def column_headers(table: Table, header_row: int, mapping: dict[int, str]) -> dict[str, str]:
    """field name -> the user's header text (or the column letter if the header cell is blank)."""
    from openpyxl.utils import get_column_letter

    headers = header_texts(table.rows[header_row - 1]) if 0 < header_row <= len(table.rows) else []
    out = {}
    for index, name in mapping.items():
        text = headers[index] if index < len(headers) else ""
        out[name] = text or _("column %(letter)s") % {"letter": get_column_letter(index + 1)}
    return out


def parse_rows(spec_cls: type[ImportSpec], table: Table, header_row: int, mapping: dict[int, str], columns):
    """Clean every data row below the header. Returns (rows, problems)."""
    problems: list[Problem] = []
    rows: list[Row] = []
    fields = {f.name: f for f in spec_cls.fields}
    carried: dict[str, object] = {}
    carry_order = [f.name for f in spec_cls.fields if f.carry_down]
    caches: dict[str, dict] = {name: {} for name in mapping.values()}
    example = {f.name: v.norm_text(f.example) for f in spec_cls.fields}
    order = {f.name: i for i, f in enumerate(spec_cls.fields)}  # buildings before their entrances
    for offset, cells in enumerate(table.rows[header_row:], start=header_row + 1):
        first = next((c for c in cells if c is not None and c != "" and not v.is_blank(c)), None)
        if first is None or (isinstance(first, str) and _TOTAL_ROW.match(v.norm_text(first))):
            continue  # an empty row, or a 合计 (total) row
        raw = {name: (cells[i] if i < len(cells) else None) for i, name in mapping.items()}
        if all(value is None or v.is_blank(value) for value in raw.values()):
            continue
        if _is_example(raw, example):
            continue
        row = Row(number=offset, values={}, raw=raw, cells=cells)
        for name, value in sorted(raw.items(), key=lambda item: order[item[0]]):
            spec_field = fields[name]
            if spec_field.carry_down:
                if v.is_blank(value):
                    value = carried.get(name)
                    row.raw[name] = value
                else:
                    if v.norm_text(carried.get(name)) != v.norm_text(value):
                        # a new building starts a new run of entrances
                        for later in carry_order[carry_order.index(name) + 1 :]:
                            carried.pop(later, None)
                    carried[name] = value
            if v.is_blank(value):
                row.values[name] = None
                continue
            # Sheets repeat values (buildings, statuses, areas, dates): parse each distinct one once.
            cache = caches[name]
            key = (type(value), value) if isinstance(value, str | int | float) else None
            result = cache.get(key, _MISSING) if key is not None else _MISSING
            if result is _MISSING:
                try:
                    result = spec_field.parse(value)
                except v.CellError as exc:
                    result = exc
                if key is not None:
                    cache[key] = result
            if isinstance(result, v.CellError):
                row.values[name] = None
                row.failed.add(name)
                if len(problems) < MAX_PROBLEMS:
                    shown = v.display(value)
                    if name == "id_number":
                        shown = mask_id(shown.strip())
                    problems.append(Problem(offset, columns.get(name, name), str(result), shown))
            else:
                row.values[name] = result
        rows.append(row)
    return rows, problems


def _is_example(raw, example: dict) -> bool:
    """The template's example row, left in place by the user: skipped, not imported."""
    filled = False
    for name, value in raw.items():
        if value is None or v.is_blank(value):
            continue
        if v.norm_text(value) != example.get(name):
            return False
        filled = True
    return filled


def run_import(
    spec_cls: type[ImportSpec],
    *,
    project,
    table: Table,
    header_row: int,
    mapping: dict[int, str],
    actor=None,
    commit: bool = False,
    progress=None,
    source_name: str = "",
) -> Outcome:
    """Check (and with ``commit`` write) one sheet. ``actor`` None means an operator at the console."""
    progress = progress or (lambda done, total, text="": None)
    outcome = Outcome()
    columns = column_headers(table, header_row, mapping)
    mapping_errors = spec_cls.mapping_problems(set(mapping.values()))
    if actor is not None:
        for perm in missing_permissions(actor, project, spec_cls.permissions):
            mapping_errors.append(
                _("You do not have the permission “%(perm)s” in project %(project)s.")
                % {"perm": permission_label(perm), "project": project}
            )
    if mapping_errors:
        outcome.problems = [Problem(None, "", m) for m in mapping_errors]
        return outcome
    progress(5, 100, _("Reading rows"))
    rows, problems = parse_rows(spec_cls, table, header_row, mapping, columns)
    outcome.rows = len(rows)
    if not rows:
        outcome.problems = [*problems, Problem(None, "", _("There are no data rows below the header."))]
        return outcome
    progress(20, 100, _("Checking rows"))
    spec = spec_cls(project, actor=actor, columns=columns)
    spec.progress = progress
    spec.problems.extend(problems)

    def check():
        spec.build(rows)
        if actor is not None:
            for perm in missing_permissions(actor, project, spec.needs):
                spec.error(
                    None,
                    None,
                    _("This import needs the permission “%(perm)s” in this project: %(why)s")
                    % {"perm": permission_label(perm), "why": spec.needs[perm]},
                )
        spec.problems.sort(key=lambda p: p.row or 0)

    if not commit:
        # No transaction: a dry run reads only and must not hold SQLite's write lock.
        check()
    else:
        try:
            with transaction.atomic():
                check()
                if spec.problems:
                    raise _Rollback
                progress(60, 100, _("Writing"))
                spec.apply(progress=progress)
                audit.record(
                    actor=actor,
                    action=f"import.{spec_cls.kind}",
                    project=project,
                    message=source_name,
                    data={"rows": len(rows), "counts": spec.counts},
                )
                outcome.committed = True
        except _Rollback:
            pass
    outcome.counts = spec.counts
    outcome.problems = spec.problems
    outcome.notes = spec.notes
    progress(100, 100, _("Done"))
    return outcome
