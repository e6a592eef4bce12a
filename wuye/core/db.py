"""Planner statistics for SQLite.

SQLite plans without statistics until ``ANALYZE`` has run, and Django never runs it: the planner
then prefers whichever index avoids a sort, however many rows it must skip (a search for one unit
walked all 100,000 units of a project in list order). PostgreSQL's autovacuum keeps its statistics
current by itself, so :func:`analyze` does nothing there.

It runs after ``migrate`` (``CoreConfig.ready``), after a bulk load (an import committing, the demo
archive) and nightly from the worker (``wuye.core.tasks``), never in a request: about half a second
at 100,000 units (0.16 s of CPU), during which other writers wait. It reads every index in full:
``PRAGMA analysis_limit`` samples the *first* entries of each index, which on an index led by the
project or the status all share one value, and the planner then took 1,000 rows per project and
sorted every unit of the company for the first page of the list.
"""

from __future__ import annotations

import logging

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction

logger = logging.getLogger(__name__)


def analyze(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Refresh SQLite's planner statistics; True when it ran. Never raises: a locked or read-only
    database keeps its old statistics and the caller carries on."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    try:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute("PRAGMA analysis_limit = 0")  # all of each index (see above)
            cursor.execute("ANALYZE")
    except DatabaseError:
        logger.warning("ANALYZE failed; SQLite keeps its previous statistics", exc_info=True)
        return False
    return True


def analyze_after_migrate(sender, app_config=None, using=DEFAULT_DB_ALIAS, **kwargs):
    """post_migrate receiver: once per ``migrate``, after the last app (the signal is sent per app)."""
    from django.apps import apps

    with_models = [cfg for cfg in apps.get_app_configs() if cfg.models_module is not None]
    if app_config is None or app_config is not with_models[-1]:
        return
    analyze(using)
