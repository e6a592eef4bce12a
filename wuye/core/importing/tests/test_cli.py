"""``wuye import KIND --project CODE FILE [--dry-run]``: counts, row errors, exit status."""

import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from wuye.core.importing.tests.sheets import owners_workbook, workbook_bytes
from wuye.estate.models import Unit
from wuye.residents.models import Ownership


@pytest.fixture
def files(tmp_path):
    good = tmp_path / "业主.xlsx"
    good.write_bytes(owners_workbook())
    bad = tmp_path / "业主-错.xlsx"
    bad.write_bytes(owners_workbook(bad=True))
    return good, bad


@pytest.mark.django_db
def test_dry_run_then_import(cast, files, capsys):
    good, _bad = files
    call_command("import_data", "owners", str(good), "--project", "PA", "--dry-run")
    out = capsys.readouterr().out
    assert "5 rows" in out and "Dry run" in out
    assert not Unit.objects.exists()
    call_command("import_data", "owners", str(good), "--project", "PA")
    assert Ownership.objects.filter(project=cast.project_a).count() == 5
    call_command("import_data", "owners", str(good), "--project", "PA")
    assert Ownership.objects.count() == 5


@pytest.mark.django_db
def test_bad_rows_exit_non_zero_and_are_printed(cast, files, capsys):
    _good, bad = files
    with pytest.raises(CommandError) as info:
        call_command("import_data", "owners", str(bad), "--project", "PA")
    assert info.value.returncode == 1
    err = capsys.readouterr().err
    assert "8" in err and "建筑面积（㎡）" in err and "-5" in err
    assert not Unit.objects.exists()


@pytest.mark.django_db
def test_map_a_column_by_hand_and_check_a_users_permissions(cast, tmp_path, capsys):
    path = tmp_path / "units.xlsx"
    path.write_bytes(workbook_bytes([["栋", "室", "平米数"], [1, 101, 88]]))
    with pytest.raises(CommandError):
        call_command("import_data", "units", str(path), "--project", "PA", "--dry-run")
    call_command("import_data", "units", str(path), "--project", "PA", "--map", "平米数=building_area")
    assert Unit.objects.get().building_area == 88
    with pytest.raises(CommandError):
        call_command("import_data", "units", str(path), "--project", "PB", "--user", "pm_a", "--dry-run")
    err = capsys.readouterr().err
    assert "permission" in err or "权限" in err  # the command speaks the configured language


def test_the_wuye_command(tmp_path):
    env = {
        **os.environ,
        "WUYE_VAR_DIR": str(tmp_path / "var"),
        "DEBUG": "1",
        "WUYE_TESTING": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'db.sqlite3'}",
    }

    def wuye(*args):
        return subprocess.run(
            [sys.executable, "-m", "wuye.cli", *args], env=env, capture_output=True, text=True
        )

    assert wuye("migrate", "-v", "0").returncode == 0
    made = wuye(
        "shell",
        "-c",
        "from wuye.estate.models import Project; Project.objects.create(code='P9', name='九号')",
    )
    assert made.returncode == 0, made.stderr
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(owners_workbook())
    bad.write_bytes(owners_workbook(bad=True))

    result = wuye("import", "owners", "--project", "P9", str(bad))
    assert result.returncode == 1
    assert "建筑面积（㎡）" in result.stderr and "8" in result.stderr

    result = wuye("import", "owners", "--project", "P9", str(good), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "5" in result.stdout

    result = wuye("import", "owners", "--project", "P9", str(good))
    assert result.returncode == 0, result.stderr
    count = wuye(
        "shell", "-c", "from wuye.residents.models import Ownership; print(Ownership.objects.count())"
    )
    assert count.stdout.strip().splitlines()[-1] == "5"
