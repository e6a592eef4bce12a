"""``wuye import units|owners|tenants|vehicles|parking --project CODE FILE.xlsx [--dry-run]``

Checks the whole file, prints the counts and every problem (row, column, message) and exits with
status 1 when any row is bad; otherwise imports everything in one transaction (unless --dry-run).
Columns are matched by their headers; ``--map 列名=field`` corrects a match, ``--header-row N``
and ``--sheet NAME`` choose where the table is.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from wuye.core.importing.engine import run_import
from wuye.core.importing.headers import auto_mapping, find_header_row, normalize_header
from wuye.core.importing.reading import ReadError, header_texts, read_table
from wuye.core.importing.spec import all_specs, format_problem, get_spec


class Command(BaseCommand):
    help = "Import archive data (units, owners, tenants, vehicles, parking spaces) from an Excel workbook."

    def add_arguments(self, parser):
        kinds = [spec.kind for spec in all_specs()]
        parser.add_argument("kind", choices=kinds)
        parser.add_argument("file")
        parser.add_argument("--project", required=True, help="project code, e.g. P001")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument("--sheet", help="sheet name (default: the first sheet with data)")
        parser.add_argument("--header-row", type=int, help="row number of the headers (default: found)")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="HEADER=FIELD",
            help="map a column by hand; FIELD '' ignores it",
        )
        parser.add_argument("--user", help="username to act as (its permissions are checked)")

    def handle(self, *args, **options):
        translation.activate(settings.LANGUAGE_CODE)
        from wuye.estate.models import Project

        spec = get_spec(options["kind"])
        project = Project.objects.filter(code=options["project"]).first()
        if project is None:
            raise CommandError(f"No project with code {options['project']!r}.")
        actor = None
        if options.get("user"):
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"No user {options['user']!r}.")
        try:
            table = read_table(options["file"], sheet=options.get("sheet"))
        except (ReadError, OSError) as exc:
            raise CommandError(str(exc)) from None
        header_row = options.get("header_row") or (find_header_row(table.rows, spec.fields) or 0) + 1
        headers = header_texts(table.rows[header_row - 1]) if header_row <= len(table.rows) else []
        mapping = auto_mapping(headers, spec.fields)
        for item in options["map"]:
            header, _sep, field = item.partition("=")
            matches = [i for i, h in enumerate(headers) if normalize_header(h) == normalize_header(header)]
            if not matches:
                raise CommandError(f"No column headed {header!r} in row {header_row}.")
            if field and field not in spec.field_names():
                raise CommandError(f"Unknown field {field!r}; fields: {', '.join(spec.field_names())}")
            for index in matches:
                mapping = {i: n for i, n in mapping.items() if n != field or not field}
                if field:
                    mapping[index] = field
                else:
                    mapping.pop(index, None)
        self.stdout.write(f"{spec.label}: {options['file']} [{table.sheet}], header row {header_row}")
        for index, name in sorted(mapping.items()):
            self.stdout.write(f"  {headers[index]} -> {spec.field(name).label}")
        started = time.monotonic()
        outcome = run_import(
            spec,
            project=project,
            table=table,
            header_row=header_row,
            mapping=mapping,
            actor=actor,
            commit=not options["dry_run"],
            source_name=str(options["file"]),
        )
        elapsed = time.monotonic() - started
        self.stdout.write(f"{outcome.rows} rows, {elapsed:.1f} s")
        if outcome.rows:
            if outcome.committed:
                self.stdout.write("Written:")
            else:
                self.stdout.write("What the import would do (nothing was written):")
            for key, label in spec.count_labels.items():
                self.stdout.write(f"  {label}: {outcome.counts.get(key, 0)}")
        for note in outcome.notes:
            self.stdout.write(f"  {note}")
        if outcome.problems:
            for problem in outcome.problems:
                self.stderr.write(format_problem(problem.as_dict()))
            raise CommandError(f"{len(outcome.problems)} problem(s); nothing was written.", returncode=1)
        if outcome.committed:
            self.stdout.write(self.style.SUCCESS("Imported."))
        else:
            self.stdout.write("Dry run: no problems, nothing written.")
