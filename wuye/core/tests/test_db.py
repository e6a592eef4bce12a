"""SQLite planner statistics: ANALYZE after migrate, bulk loads and nightly; nothing elsewhere."""

import contextlib

from django.db import DatabaseError, connection

from wuye.core.db import analyze, analyze_after_migrate


def test_analyze_writes_sqlite_statistics(db):
    if connection.vendor != "sqlite":
        assert analyze() is False  # PostgreSQL: autovacuum's job
        return
    from wuye.estate.tests.factories import make_unit

    make_unit()
    assert analyze() is True
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'estate_unit'")
        assert cursor.fetchone()[0] > 0


def test_analyze_runs_once_per_migrate(monkeypatch):
    from django.apps import apps

    calls = []
    monkeypatch.setattr("wuye.core.db.analyze", lambda using="default": calls.append(using))
    configs = [cfg for cfg in apps.get_app_configs() if cfg.models_module is not None]
    for cfg in configs:
        analyze_after_migrate(sender=cfg, app_config=cfg, using="default")
    assert calls == ["default"]


def test_analyze_never_raises(monkeypatch):
    """A locked database keeps its old statistics; the import or the migrate carries on."""

    class Locked:
        vendor = "sqlite"

        def cursor(self):
            raise DatabaseError("database is locked")

    monkeypatch.setattr("wuye.core.db.connections", {"default": Locked()})
    monkeypatch.setattr("wuye.core.db.transaction.atomic", lambda using=None: contextlib.nullcontext())
    assert analyze() is False
