import os
import sqlite3
import subprocess
import sys

import pytest


@pytest.fixture
def fresh_env(tmp_path):
    return {
        **os.environ,
        "WUYE_VAR_DIR": str(tmp_path / "var"),
        "DEBUG": "1",
        "WUYE_TESTING": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'db.sqlite3'}",
    }


def wuye(env, *args, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "wuye.cli", *args], env=env, capture_output=True, text=True, **kwargs
    )


def test_migrate_demo_backup_and_restore_with_the_wuye_command(fresh_env, tmp_path):
    assert wuye(fresh_env, "migrate", "-v", "0").returncode == 0
    out = wuye(fresh_env, "demo", "--if-empty")
    assert out.returncode == 0 and "admin" in out.stdout and "wuye-demo" in out.stdout
    backup = tmp_path / "backup.sqlite3"
    result = wuye(fresh_env, "backup", str(backup))
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(backup) as db:
        assert db.execute("select count(*) from accounts_user where username='admin'").fetchone() == (1,)
    # change the live database, then restore the backup over it
    db_path = fresh_env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(db_path) as db:
        db.execute("delete from accounts_membership")
    result = wuye(fresh_env, "restore", str(backup), "--yes")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(db_path) as db:
        assert db.execute("select count(*) from accounts_membership").fetchone()[0] > 0
    # a second demo run on a non-empty database leaves it alone
    assert "not loaded" in wuye(fresh_env, "demo", "--if-empty").stdout


def test_restore_asks_for_confirmation(fresh_env, tmp_path):
    result = wuye(fresh_env, "restore", str(tmp_path / "missing"), input="no\n")
    assert result.returncode == 1 and "Cancelled" in result.stdout
