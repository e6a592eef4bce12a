"""Declaring an import: its fields (with the Chinese headers and synonyms the matcher knows) and
the code that turns parsed rows into records.

    @register
    class UnitImport(ImportSpec):
        kind = "units"
        permissions = ("estate.add_unit",)
        fields = [Field("building", _("Building"), "楼栋", synonyms=("楼号", ...), carry_down=True), ...]

        def build(self, rows):      # validate everything, plan the writes, count; never write
            ...
        def apply(self):            # write what build planned (inside the import's transaction)
            ...

One spec instance serves one run. ``build`` reports problems with ``self.error(row, field, message)``
and validates model instances with ``self.validate(obj, row, ...)`` (the model's ``full_clean``), so
a rule is written once, in the model.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from wuye.core.importing import values as v
from wuye.core.privacy import mask_id

#: stop collecting after this many problems (the file is clearly wrong by then)
MAX_PROBLEMS = 20000


@dataclass(frozen=True)
class Field:
    name: str
    label: Any  # lazy translation, shown in the mapping dropdown
    header: str  # the Chinese header in the downloadable template
    synonyms: tuple[str, ...] = ()
    parse: Callable[[Any], Any] = v.to_text
    required: bool = False
    example: Any = None
    help: Any = ""
    carry_down: bool = False  # blank cells take the value above (merged building cells)
    words: tuple[str, ...] = ()  # accepted words, listed in the template's instructions


def choice_parser(words: dict[str, str], choices=None):
    return v.ChoiceParser(words, choices)


@dataclass
class Row:
    """One data row: ``number`` as in Excel, cleaned ``values`` and ``raw`` cells by field name."""

    number: int
    values: dict[str, Any]
    raw: dict[str, Any]
    cells: list = field(default_factory=list)
    failed: set[str] = field(default_factory=set)

    def __getitem__(self, name):
        return self.values.get(name)

    def get(self, name, default=None):
        value = self.values.get(name)
        return default if value is None else value


@dataclass
class Problem:
    row: int | None
    column: str
    message: str
    value: str = ""

    def as_dict(self):
        return {"row": self.row, "column": self.column, "message": self.message, "value": self.value}

    def __str__(self):
        return format_problem(self.as_dict())


def format_problem(problem: dict) -> str:
    """One line for the console and the report: row (as in Excel), the user's column, value, message."""
    if problem.get("row") and problem.get("column") and problem.get("value"):
        return _("Row %(row)s, column “%(col)s”, value “%(value)s”: %(message)s") % {
            "row": problem["row"],
            "col": problem["column"],
            "value": problem["value"],
            "message": problem["message"],
        }
    if problem.get("row") and problem.get("column"):
        return _("Row %(row)s, column “%(col)s”: %(message)s") % {
            "row": problem["row"],
            "col": problem["column"],
            "message": problem["message"],
        }
    if problem.get("row"):
        return _("Row %(row)s: %(message)s") % {"row": problem["row"], "message": problem["message"]}
    return str(problem["message"])


class ImportSpec:
    do_not_call_in_templates = True  # templates read the class's attributes
    kind: ClassVar[str] = ""
    label: ClassVar[Any] = ""
    description: ClassVar[Any] = ""
    order: ClassVar[int] = 100
    #: the user needs all of these in the project to start this import
    permissions: ClassVar[tuple[str, ...]] = ()
    fields: ClassVar[list[Field]] = []
    #: at least one of these groups of fields must be mapped (besides the ``required`` fields)
    required_groups: ClassVar[list[tuple[str, ...]]] = []
    #: the template's sheet name and file name
    sheet_title: ClassVar[str] = "Sheet1"
    template_filename: ClassVar[str] = "template.xlsx"
    #: count key -> label, in display order
    count_labels: ClassVar[dict[str, Any]] = {}

    def __init__(self, project, actor=None, columns: dict[str, str] | None = None):
        self.project = project
        self.actor = actor
        self.columns = columns or {}  # field name -> the user's header text
        self.problems: list[Problem] = []
        self.notes: list[str] = []
        self.counts: dict[str, int] = dict.fromkeys(self.count_labels, 0)
        self.needs: dict[str, Any] = {}  # permission -> why it is needed
        self.progress = None  # set by the engine: progress(done, total, text)
        self._first_rows: dict = {}  # key -> the row it was first seen on (duplicate_of)

    # -- declared fields -------------------------------------------------------------------------
    @classmethod
    def field(cls, name) -> Field:
        for f in cls.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in cls.fields]

    @classmethod
    def mapping_problems(cls, mapped: set[str]) -> list[str]:
        """Why a mapping cannot work: a required field or every alternative of a group is missing."""
        out = []
        for f in cls.fields:
            if f.required and f.name not in mapped:
                out.append(_("No column is mapped to “%(field)s”.") % {"field": f.label})
        for groups in cls.required_groups:
            if not any(all(name in mapped for name in group) for group in groups):
                alternatives = [" + ".join(str(cls.field(n).label) for n in group) for group in groups]
                out.append(
                    _("Map a column to %(fields)s.")
                    % {"fields": _(" or ").join(f"“{a}”" for a in alternatives)}
                )
        return out

    # -- reporting -------------------------------------------------------------------------------
    def column(self, name: str | None) -> str:
        if not name:
            return ""
        if name in self.columns:
            return self.columns[name]
        try:
            return str(self.field(name).label)
        except KeyError:
            return name

    def error(self, row: Row | None, name: str | None, message, value=None) -> None:
        if len(self.problems) >= MAX_PROBLEMS:
            return
        if value is None and row is not None and name:
            value = row.raw.get(name)
        if name == "id_number" and value:
            value = mask_id(v.display(value).strip())  # the problem list is not a place for ID numbers
        self.problems.append(
            Problem(
                row=row.number if row is not None else None,
                column=self.column(name),
                message=str(message),
                value=v.display(value),
            )
        )

    def note(self, message) -> None:
        self.notes.append(str(message))

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def duplicate_of(self, key, row: Row) -> int | None:
        """The row number ``key`` was first seen on in this file, or None (and ``row`` is recorded).

        Keys are compared across the whole file, so give each kind of thing its own prefix, e.g.
        ``("plate", plate)``.
        """
        first = self._first_rows.setdefault(key, row.number)
        return None if first == row.number else first

    def tick(self, done: int, total: int) -> None:
        """Progress while building (20% to 60% of the job), every 500 rows."""
        if self.progress is not None and done % 500 == 0 and total:
            self.progress(20 + 40 * done // total, 100, _("Checking rows"))

    def need(self, permission: str, reason) -> None:
        """This run will do something that needs ``permission`` in the project (checked before writing).

        ``reason`` may be a callable, called only the first time (this runs once per row)."""
        if permission not in self.needs:
            self.needs[permission] = reason() if callable(reason) else reason

    def require(self, row: Row, *names: str) -> bool:
        """Report each of ``names`` that is blank in ``row`` (unless its cell already failed)."""
        ok = True
        for name in names:
            if row.values.get(name) is None:
                ok = False
                if name not in row.failed:
                    self.error(row, name, _("This value is required."))
        return ok

    def validate(
        self, obj: models.Model, row: Row | None, fields: dict[str, str] | None = None, skip=()
    ) -> bool:
        """Run the model's ``full_clean`` and report its errors against the row's columns.

        ``fields`` maps model field names to import field names (default: the same name); errors on
        the model fields in ``skip`` are dropped (already reported, or checked by the importer). Foreign
        keys are not re-checked against the database (the importer resolved them in the project),
        uniqueness is checked by the importer in bulk, so a row costs no queries here.
        """
        fields = fields or {}
        exclude = [f.name for f in obj._meta.concrete_fields if f.is_relation]
        try:
            obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors = {k: m for k, m in exc.message_dict.items() if k not in skip}
            for model_field, messages in errors.items():
                name = fields.get(model_field, model_field if model_field != NON_FIELD_ERRORS else None)
                if name and name not in self.field_names() and name not in self.columns:
                    label = _field_label(obj, model_field)
                    messages = [f"{label}: {m}" for m in messages]
                    name = None
                for message in messages:
                    self.error(row, name, message)
            return not errors
        return True

    # -- the work --------------------------------------------------------------------------------
    def build(self, rows: list[Row]) -> None:
        raise NotImplementedError

    def apply(self, progress=None) -> None:
        raise NotImplementedError

    # -- template ----------------------------------------------------------------------------------
    @classmethod
    def example_row(cls) -> list:
        return [f.example for f in cls.fields]


def _field_label(obj, name):
    try:
        return str(obj._meta.get_field(name).verbose_name)
    except Exception:
        return name


# -- registry ------------------------------------------------------------------------------------
REGISTRY: dict[str, type[ImportSpec]] = {}
_discovered = False


def register(spec_cls):
    REGISTRY[spec_cls.kind] = spec_cls
    return spec_cls


def autodiscover() -> None:
    global _discovered
    if _discovered:
        return
    _discovered = True
    for cfg in apps.get_app_configs():
        if not cfg.name.startswith("wuye."):
            continue
        try:
            importlib.import_module(f"{cfg.name}.imports")
        except ModuleNotFoundError as exc:
            if exc.name != f"{cfg.name}.imports":
                raise


def all_specs() -> list[type[ImportSpec]]:
    autodiscover()
    return sorted(REGISTRY.values(), key=lambda s: (s.order, s.kind))


def get_spec(kind: str) -> type[ImportSpec] | None:
    autodiscover()
    return REGISTRY.get(kind)
