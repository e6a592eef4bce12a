"""The steps of an import in the web UI: upload, map columns, check (dry run), import.

Checking and importing run as background jobs (``wuye.core.jobs``) with progress; the batch keeps
the result: counts, every problem, and an error report workbook on the job.
"""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core import audit, jobs
from wuye.core.db import analyze
from wuye.core.importing.engine import run_import
from wuye.core.importing.headers import HEADER_SEARCH_ROWS, auto_mapping, find_header_row
from wuye.core.importing.models import ImportBatch, ImportStatus
from wuye.core.importing.reading import ReadError, header_texts, read_table
from wuye.core.importing.spec import get_spec
from wuye.core.importing.values import display, is_blank
from wuye.core.importing.workbooks import error_report
from wuye.core.privacy import mask_id, mask_phone

MAX_UPLOAD_BYTES = 30 * 1024 * 1024
SAMPLE_ROWS = 40


def _open(batch, *, max_rows=None, sheet=None):
    with batch.file.open("rb") as fh:
        return read_table(
            fh, filename=batch.original_name, sheet=sheet or batch.sheet or None, max_rows=max_rows
        )


def detect(batch, *, sheet: str | None = None, header_row: int | None = None) -> None:
    """Read the top of the sheet: find the header row, the columns, samples and a first mapping."""
    spec = get_spec(batch.kind)
    table = _open(batch, max_rows=SAMPLE_ROWS + (header_row or HEADER_SEARCH_ROWS), sheet=sheet)
    if header_row is None:
        found = find_header_row(table.rows, spec.fields)
        header_row = (found or 0) + 1
    header = table.rows[header_row - 1] if header_row <= len(table.rows) else []
    batch.sheet_names = table.sheet_names
    batch.sheet = table.sheet
    batch.header_row = header_row
    width = max(
        len(header), max((len(r) for r in table.rows[header_row : header_row + SAMPLE_ROWS]), default=0)
    )
    texts = header_texts(header)
    batch.headers = [texts[i] if i < len(texts) else "" for i in range(width)]
    samples = []
    for i in range(width):
        seen = []
        for row in table.rows[header_row:]:
            if i < len(row) and not is_blank(row[i]):
                seen.append(mask_sample(display(row[i])))
            if len(seen) == 3:
                break
        samples.append(seen)
    batch.samples = samples
    batch.mapping = {str(k): v for k, v in auto_mapping(batch.headers, spec.fields).items()}


def mask_sample(text: str) -> str:
    """Samples on the mapping page: enough to recognise a column, not the personal data itself."""
    compact = text.replace(" ", "")
    if re.fullmatch(r"\d{17}[\dXx]|\d{15}", compact):
        return mask_id(compact)
    if re.fullmatch(r"1\d{10}", compact):
        return mask_phone(compact)
    return text


def do_upload(*, actor, kind: str, project, upload) -> ImportBatch:
    """Store the uploaded file as a new batch and detect its columns."""
    spec = get_spec(kind)
    if spec is None:
        raise ValidationError(_("Unknown import."))
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("The file is larger than 30 MB; split it into several files."))
    batch = ImportBatch(project=project, kind=kind, original_name=upload.name[:200], created_by=actor)
    batch.file.save(upload.name, upload, save=False)
    try:
        detect(batch)
    except ReadError as exc:
        batch.file.delete(save=False)
        raise ValidationError(str(exc)) from None
    with transaction.atomic():
        batch.save()
        audit.record(actor=actor, action="import.upload", obj=batch, message=batch.original_name)
    return batch


def do_set_mapping(*, actor, batch, mapping: dict[int, str]) -> None:
    spec = get_spec(batch.kind)
    names = [name for name in mapping.values() if name]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValidationError(
            _("Each field may take one column only: %(fields)s.")
            % {"fields": "、".join(str(spec.field(n).label) for n in duplicates)}
        )
    problems = spec.mapping_problems(set(names))
    if problems:
        raise ValidationError(problems)
    batch.mapping = {str(i): name for i, name in mapping.items() if name}


def do_start_check(*, actor, batch) -> None:
    """Queue the dry run of ``batch`` (its page shows the progress, then the preview)."""
    with transaction.atomic():
        updated = ImportBatch.objects.filter(
            pk=batch.pk, status__in=(ImportStatus.MAPPING, ImportStatus.CHECKED, ImportStatus.FAILED)
        ).update(status=ImportStatus.CHECKING, mapping=batch.mapping, header_row=batch.header_row)
        if not updated:
            raise ValidationError(_("This import is busy or finished."))
        job = jobs.enqueue(
            check_batch,
            kind="import.check",
            name=_("Check import %(file)s") % {"file": batch.original_name},
            actor=actor,
            project=batch.project,
            params={"batch_id": batch.pk, "user_id": actor.pk},
        )
        ImportBatch.objects.filter(pk=batch.pk).update(check_job=job)
    batch.refresh_from_db()


def do_start_commit(*, actor, batch) -> None:
    with transaction.atomic():
        updated = ImportBatch.objects.filter(
            pk=batch.pk, status=ImportStatus.CHECKED, problem_count=0
        ).update(status=ImportStatus.IMPORTING, committed_by=actor)
        if not updated:
            raise ValidationError(_("Only a checked import without problems can be imported."))
        job = jobs.enqueue(
            commit_batch,
            kind="import.commit",
            name=_("Import %(file)s") % {"file": batch.original_name},
            actor=actor,
            project=batch.project,
            params={"batch_id": batch.pk, "user_id": actor.pk},
        )
        ImportBatch.objects.filter(pk=batch.pk).update(commit_job=job)
    batch.refresh_from_db()


def do_back_to_mapping(*, actor, batch) -> None:
    updated = ImportBatch.objects.filter(
        pk=batch.pk, status__in=(ImportStatus.CHECKED, ImportStatus.FAILED)
    ).update(status=ImportStatus.MAPPING)
    if not updated:
        raise ValidationError(_("This import is busy or finished."))
    batch.refresh_from_db()


# -- job bodies ------------------------------------------------------------------------------------
def _run(ctx, batch, user, *, commit: bool):
    spec = get_spec(batch.kind)
    table = _open(batch)
    outcome = run_import(
        spec,
        project=batch.project,
        table=table,
        header_row=batch.header_row,
        mapping=batch.column_mapping,
        actor=user,
        commit=commit,
        progress=ctx.progress,
        source_name=batch.original_name,
    )
    problems = [p.as_dict() for p in outcome.problems]
    if problems:
        ctx.save_output(
            f"{batch.original_name.rsplit('.', 1)[0]}-问题.xlsx",
            error_report(table, batch.header_row, problems),
        )
    return outcome, problems


def report_filename(batch) -> str:
    return _("%(name)s-problems.xlsx") % {"name": batch.original_name.rsplit(".", 1)[0]}


def check_batch(ctx, *, batch_id: int, user_id: int):
    batch = ImportBatch.objects.select_related("project").get(pk=batch_id)
    user = get_user_model().objects.get(pk=user_id)
    try:
        outcome, problems = _run(ctx, batch, user, commit=False)
    except Exception:
        ImportBatch.objects.filter(pk=batch_id).update(status=ImportStatus.FAILED)
        raise
    ImportBatch.objects.filter(pk=batch_id).update(
        status=ImportStatus.CHECKED,
        row_count=outcome.rows,
        counts=outcome.counts,
        problems=problems,
        problem_count=len(problems),
        notes=outcome.notes,
        checked_at=timezone.now(),
    )
    return {"rows": outcome.rows, "problems": len(problems), **outcome.counts}


def commit_batch(ctx, *, batch_id: int, user_id: int):
    batch = ImportBatch.objects.select_related("project").get(pk=batch_id)
    user = get_user_model().objects.get(pk=user_id)
    try:
        outcome, problems = _run(ctx, batch, user, commit=True)
    except Exception:
        ImportBatch.objects.filter(pk=batch_id).update(status=ImportStatus.FAILED)
        raise
    if outcome.committed:
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportStatus.DONE,
            row_count=outcome.rows,
            counts=outcome.counts,
            notes=outcome.notes,
            committed_at=timezone.now(),
            samples=[],
            file="",
        )
        # The workbook holds personal data and has served its purpose: keep only the record.
        batch.file.delete(save=False)
        # Thousands of new rows: SQLite's planner statistics are out of date (no-op elsewhere).
        analyze()
    else:
        # The data changed since the check (or a permission was withdrawn): nothing was written.
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportStatus.CHECKED,
            counts=outcome.counts,
            problems=problems,
            problem_count=len(problems),
            notes=outcome.notes,
            checked_at=timezone.now(),
        )
    return {"rows": outcome.rows, "problems": len(problems), "imported": outcome.committed, **outcome.counts}
