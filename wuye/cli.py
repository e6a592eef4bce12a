"""The ``wuye`` command: Django's manage.py plus the operator verbs.

wuye serve [--host H] [--port P] [--no-worker]   web server (+ a background worker)
wuye worker                                      the Huey consumer (background jobs)
wuye demo [--projects N] [--seed S]              demo data
wuye backup [FILE] / wuye restore FILE           database backup and restore
wuye import units|owners|tenants|vehicles|parking --project CODE FILE.xlsx [--dry-run]
wuye <any manage.py command>                     e.g. wuye migrate, wuye createsuperuser
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuye.settings")


def _manage(argv):
    from django.core.management import execute_from_command_line

    execute_from_command_line(["wuye", *argv])


def serve(argv):
    parser = argparse.ArgumentParser(prog="wuye serve")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
    parser.add_argument("--no-worker", action="store_true", help="do not start a background worker")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
    args = parser.parse_args(argv)

    import django
    from django.conf import settings

    django.setup()
    worker = None
    if not args.no_worker:
        worker = subprocess.Popen([sys.executable, "-m", "wuye.cli", "worker"])
    try:
        if settings.DEBUG:
            cmd = [sys.executable, "-m", "wuye.cli", "runserver", f"{args.host}:{args.port}", "--noreload"]
        else:
            subprocess.run(
                [sys.executable, "-m", "wuye.cli", "collectstatic", "--noinput", "-v", "0"], check=True
            )
            cmd = [
                sys.executable,
                "-m",
                "gunicorn",
                "wuye.wsgi:application",
                "--bind",
                f"{args.host}:{args.port}",
                "--workers",
                str(args.workers),
                "--access-logfile",
                "-",
            ]
        return subprocess.call(cmd)
    except KeyboardInterrupt:
        return 0
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGINT)
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()


def backup(argv):
    parser = argparse.ArgumentParser(prog="wuye backup")
    parser.add_argument("file", nargs="?", help="output file (default var/backups/wuye-<time>.<ext>)")
    args = parser.parse_args(argv)
    import django

    django.setup()
    from wuye.core.backup import backup_database

    path = backup_database(args.file)
    print(f"Backup written to {path}")
    return 0


def restore(argv):
    parser = argparse.ArgumentParser(prog="wuye restore")
    parser.add_argument("file")
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    args = parser.parse_args(argv)
    if not args.yes:
        answer = input("Restoring replaces the whole database. Type 'yes' to continue: ")
        if answer.strip() != "yes":
            print("Cancelled.")
            return 1
    import django

    django.setup()
    from wuye.core.backup import restore_database

    restore_database(args.file)
    print("Database restored.")
    return 0


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    _setup()
    verb = argv[0] if argv else "help"
    if verb == "serve":
        return serve(argv[1:])
    if verb == "worker":
        return _manage(["run_huey", *argv[1:]])
    if verb == "backup":
        return backup(argv[1:])
    if verb == "restore":
        return restore(argv[1:])
    if verb == "import":
        return _manage(["import_data", *argv[1:]])
    if verb in ("help", "-h", "--help") and len(argv) <= 1:
        print(__doc__)
        return _manage(["help"])
    return _manage(argv)


if __name__ == "__main__":
    sys.exit(main())
