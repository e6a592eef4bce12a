"""Database backup and restore for the operator (``wuye backup`` / ``wuye restore``)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone


def _default_path(ext: str) -> Path:
    folder = Path(settings.VAR_DIR) / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"wuye-{timezone.localtime():%Y%m%d-%H%M%S}.{ext}"


def _pg_env(db) -> dict:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_args(db) -> list[str]:
    args = []
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    return args


def backup_database(target: str | None = None) -> Path:
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        path = Path(target) if target else _default_path("sqlite3")
        source = sqlite3.connect(db["NAME"])
        dest = sqlite3.connect(path)
        with dest:
            source.backup(dest)  # consistent online copy, safe while the server runs
        dest.close()
        source.close()
        return path
    if connection.vendor == "postgresql":
        if not shutil.which("pg_dump"):
            raise RuntimeError("pg_dump is not installed (apt-get install postgresql-client)")
        path = Path(target) if target else _default_path("dump")
        subprocess.run(
            ["pg_dump", "-Fc", "-f", str(path), *_pg_args(db), db["NAME"]], check=True, env=_pg_env(db)
        )
        return path
    raise RuntimeError(f"backup is not supported for {connection.vendor}")


def restore_database(source: str) -> None:
    db = settings.DATABASES["default"]
    if not Path(source).exists():
        raise FileNotFoundError(source)
    if connection.vendor == "sqlite":
        connection.close()
        src = sqlite3.connect(source)
        dest = sqlite3.connect(db["NAME"])
        with dest:
            src.backup(dest)
        dest.close()
        src.close()
        return
    if connection.vendor == "postgresql":
        connection.close()
        subprocess.run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "-d", db["NAME"], *_pg_args(db), source],
            check=True,
            env=_pg_env(db),
        )
        return
    raise RuntimeError(f"restore is not supported for {connection.vendor}")
