import io

import pytest

from wuye.core.importing.engine import run_import
from wuye.core.importing.headers import auto_mapping, find_header_row
from wuye.core.importing.reading import read_table
from wuye.core.importing.spec import get_spec


@pytest.fixture
def run():
    """``run(kind, data, project=..., actor=None, commit=False, mapping=None)`` -> Outcome."""

    def go(
        kind,
        data: bytes,
        *,
        project,
        actor=None,
        commit=False,
        mapping=None,
        header_row=None,
        filename="x.xlsx",
    ):
        spec = get_spec(kind)
        table = read_table(io.BytesIO(data), filename=filename)
        row = header_row or find_header_row(table.rows, spec.fields) + 1
        if mapping is None:
            mapping = auto_mapping(table.rows[row - 1], spec.fields)
        return run_import(
            spec, project=project, table=table, header_row=row, mapping=mapping, actor=actor, commit=commit
        )

    return go
