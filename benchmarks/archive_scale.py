#!/usr/bin/env python3
"""Archive at scale: the unit list page and API over a project of 100,000 units.

    .venv/bin/python benchmarks/archive_scale.py [--units 100000] [--db sqlite|postgres]

Builds a throwaway database (SQLite: a file in a temporary WUYE_VAR_DIR; PostgreSQL: a throwaway
cluster from scripts/pg_throwaway.py, by running this script again under it), migrates, loads the
demo archive (project P001 with --units units, P002 with --other-units, the demo logins), then
measures with Django's test Client, in process (server time: URL resolution, middleware, queries,
rendering; no network):

    /estate/units/          the unit list page (UI)       per_page=25 by default
    /api/v1/estate/units/   the unit list API             page_size=50 by default

each as the project manager pm1 (one project) and the operations admin (all projects): the first
page, a filtered page (status=occupied), a page deep in the list (page=200) and a search (q=3-2-1201
style). Each measurement runs --warmup requests, then --requests timed ones, then one more with the
queries captured; it prints one line:

    ui first [pm1]   p50=12.3ms p95=18.9ms queries=9 rows=25 | cpu p50=10.1ms sql p50=2.0ms

p50/p95: wall-clock server time of the timed requests; queries: the count in one more request;
cpu: this process's CPU time (on SQLite it includes the database work; on PostgreSQL the server's
is not), which is what to compare when the machine is busy with other work; sql: time spent inside
database calls.

Then it checks that the query count does not depend on the page size (per_page 25 vs 100, page_size
25 vs 100) and compares p95 with the target (--target-ms, 50). Exit status 1 if a check fails.

--var-dir DIR keeps the database in DIR (and reuses it next time: the demo builder skips projects that
already have units); --explain prints each captured query with its plan.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=100_000, help="units in project P001")
    parser.add_argument("--other-units", type=int, default=2_000, help="units in project P002")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per measurement")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--target-ms", type=float, default=50.0, help="p95 target")
    parser.add_argument("--var-dir", help="keep (and reuse) the database and var files here")
    parser.add_argument("--explain", action="store_true", help="print the captured queries and plans")
    parser.add_argument("--debug", action="store_true", help="run with DEBUG=1 (slower)")
    parser.add_argument(
        "--analyze",
        action="store_true",
        help="run ANALYZE on SQLite once more before measuring (migrate and the demo builder do already)",
    )
    return parser.parse_args(argv)


def reexec_under_postgres():
    """Run this script again inside a throwaway PostgreSQL cluster (unless DATABASE_URL is one)."""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    script = ROOT / "scripts" / "pg_throwaway.py"
    cmd = [sys.executable, str(script), "--", sys.executable, str(Path(__file__).resolve()), *sys.argv[1:]]
    os.execv(sys.executable, cmd)


def setup_environment(args) -> tuple[Path, bool]:
    if args.var_dir:
        var_dir, temporary = Path(args.var_dir).resolve(), False
        var_dir.mkdir(parents=True, exist_ok=True)
    else:
        var_dir, temporary = Path(tempfile.mkdtemp(prefix="wuye-bench-")), True
    os.environ["WUYE_VAR_DIR"] = str(var_dir)
    if args.db == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    os.environ["DEBUG"] = "1" if args.debug else "0"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("AXES_ENABLED", "0")
    os.environ["DJANGO_SETTINGS_MODULE"] = "wuye.settings"
    sys.path.insert(0, str(ROOT))
    return var_dir, temporary


def load(args):
    from django.conf import settings
    from django.core.management import call_command

    from wuye.demo.archive import build_archive
    from wuye.demo.builders import DemoOptions, build
    from wuye.estate.models import Project

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if not settings.DEBUG:  # as `wuye serve` does: hashed static names from a manifest
        call_command("collectstatic", interactive=False, verbosity=0)
    print(f"migrate and collectstatic: {time.perf_counter() - started:.1f}s", flush=True)
    build(DemoOptions(projects=2, seed=args.seed, units=0))
    for code, units in (("P001", args.units), ("P002", args.other_units)):
        started = time.perf_counter()
        result = build_archive(
            Project.objects.get(code=code),
            units=units,
            seed=args.seed,
            progress=lambda line: print(line, flush=True),
        )
        if result is None:
            print(f"{code}: already built, reused", flush=True)
        else:
            result.pop("seconds")
            summary = ", ".join(f"{v} {k}" for k, v in result.items())
            print(f"{code}: {summary} in {time.perf_counter() - started:.1f}s", flush=True)
    from django.db import connection

    # PostgreSQL's autovacuum vacuums and analyses a freshly loaded table soon after (the visibility
    # map lets COUNT(*) use an index-only scan). On SQLite Wuye runs ANALYZE itself after migrate and
    # after building the demo archive (wuye.core.db.analyze), so it is measured as deployed;
    # --analyze runs it once more (a database kept from before that, loaded some other way).
    statement = "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
    if connection.vendor == "postgresql" or args.analyze:
        with connection.cursor() as cursor:
            cursor.execute(statement)
        print(f"{statement} done", flush=True)


def percentile(samples, fraction):
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def explain(sql, params):
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        rows = cursor.fetchall()
    if connection.vendor == "sqlite":
        return "\n".join(f"        {row[-1]}" for row in rows)
    return "\n".join(f"        {row[0]}" for row in rows)


class Bench:
    def __init__(self, args):
        self.args = args
        self.failures: list[str] = []

    def measure(self, client, label, url) -> dict:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        for _ in range(self.args.warmup):
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{label}: GET {url} answered {response.status_code}")
        samples, cpu, sql = [], [], []
        spent = [0.0]

        def timer(execute, sql_text, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql_text, params, many, context)
            finally:
                spent[0] += time.perf_counter() - started

        with connection.execute_wrapper(timer):
            for _ in range(self.args.requests):
                spent[0] = 0.0
                started, started_cpu = time.perf_counter(), time.process_time()
                client.get(url)
                samples.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
                sql.append(spent[0] * 1000)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        rows = count_rows(response)
        p50, p95 = statistics.median(samples), percentile(samples, 0.95)
        flag = "" if p95 < self.args.target_ms else f"  MISSES {self.args.target_ms:g}ms"
        print(
            f"{label:<24} p50={p50:.1f}ms p95={p95:.1f}ms queries={len(captured)} rows={rows} | "
            f"cpu p50={statistics.median(cpu):.1f}ms sql p50={statistics.median(sql):.1f}ms{flag}",
            flush=True,
        )
        if flag:
            self.failures.append(f"{label}: p95 {p95:.1f}ms")
        if self.args.explain:
            for query in captured.captured_queries:
                print(f"    [{query['time']}s] {query['sql'][:600]}")
        return {"p50": p50, "p95": p95, "queries": len(captured), "captured": captured.captured_queries}

    def same_queries(self, client, label, url_small, url_large):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        counts = []
        for url in (url_small, url_large):
            client.get(url)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            counts.append((len(captured), count_rows(response)))
        ok = counts[0][0] == counts[1][0]
        verdict = "OK" if ok else "DEPENDS ON PAGE SIZE"
        print(
            f"{label:<24} queries={counts[0][0]} (rows={counts[0][1]}) vs queries={counts[1][0]} "
            f"(rows={counts[1][1]}) {verdict}",
            flush=True,
        )
        if not ok:
            self.failures.append(f"{label}: {counts}")


def count_rows(response) -> int | str:
    if response.get("Content-Type", "").startswith("application/json"):
        data = response.json()
        return len(data.get("results", [])) if isinstance(data, dict) else len(data)
    text = response.content.decode()
    body = text.split("<tbody", 1)[-1].split("</tbody>", 1)[0] if "<tbody" in text else ""
    return body.count("<tr")


def run(args) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from wuye.accounts.models import User
    from wuye.estate.models import Unit

    # fail before the long load if the URLconf does not import (the tree is being worked on)
    reverse("estate:unit_list")
    load(args)
    p001 = Unit.objects.filter(project__code="P001")
    sample = (
        p001.filter(code__regex=r"^\d+-2-1201$").order_by("sort_code").first()
        or p001.order_by("sort_code").first()
    )
    print(
        f"\n{connection.vendor} {connection.Database.sqlite_version if connection.vendor == 'sqlite' else ''}"
        f" DEBUG={settings.DEBUG}; {Unit.objects.count()} units in all, {p001.count()} in P001; "
        f"search for {sample.code}; {args.requests} requests after {args.warmup} warm-up; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}\n",
        flush=True,
    )
    bench = Bench(args)
    results = {}
    for username in ("pm1", "admin"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for kind, base, size in (
            ("ui", "/estate/units/", "per_page"),
            ("api", "/api/v1/estate/units/", "page_size"),
        ):
            deep = min(200, p001.count() // (25 if kind == "ui" else 50))  # page 200 unless too few units
            for name, query in (
                ("first", ""),
                ("status", "?status=occupied"),
                (f"page{deep}", f"?page={deep}"),
                ("search", f"?q={sample.code}"),
            ):
                label = f"{kind} {name} [{username}]"
                results[label] = bench.measure(client, label, base + query)
            bench.same_queries(
                client, f"{kind} page-size [{username}]", f"{base}?{size}=25", f"{base}?{size}=100"
            )
    if args.explain:
        print("\nPlans of the pm1 UI first-page queries:")
        for query in results["ui first [pm1]"]["captured"]:
            if query["sql"].lstrip().upper().startswith("SELECT"):
                print(f"    {query['sql'][:300]}")
                print(explain_sql(query))
    print(f"\nload average now {os.getloadavg()[0]:.1f}")
    worst = max(results.items(), key=lambda item: item[1]["p95"])
    print(f"worst p95: {worst[0]} {worst[1]['p95']:.1f}ms (target {args.target_ms:g}ms)")
    if bench.failures:
        print("FAILED: " + "; ".join(bench.failures))
        return 1
    print("all measurements within target, query counts independent of page size")
    return 0


def explain_sql(query) -> str:
    # captured SQL has parameters inlined; EXPLAIN it as it is
    try:
        return explain(query["sql"], None)
    except Exception as exc:  # noqa: BLE001 - diagnostic output only
        return f"        (cannot explain: {exc})"


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.db == "postgres":
        reexec_under_postgres()
    var_dir, temporary = setup_environment(args)
    try:
        return run(args)
    finally:
        if temporary:
            shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
