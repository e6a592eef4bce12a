"""``wuye billing``: billing from the command line.

    wuye billing run --project CODE --period 2026-11 [--item NAME ...] [--user USERNAME]
    wuye billing scheduled [--date 2026-11-05]     run the billing schedules due that day
    wuye billing deduct [--project CODE] [--date 2026-11-05]   draw due bills from prepaid balances

Bad input (unknown project, item or user, a malformed period) exits with status 1.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from wuye.billing.services.periods import parse_period


def _date(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--date must look like 2026-11-05, got {text!r}") from None


class Command(BaseCommand):
    help = "Billing: run a billing period, run the schedules, deduct prepaid balances."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{run,scheduled,deduct}")
        run = sub.add_parser("run", help="bill one project for one month")
        run.add_argument("--project", required=True, help="project code")
        run.add_argument("--period", required=True, help="month to bill, e.g. 2026-11")
        run.add_argument("--item", action="append", default=[], help="fee item name (repeatable)")
        run.add_argument("--user", help="username recorded as having run it")
        scheduled = sub.add_parser("scheduled", help="run the billing schedules due on a day")
        scheduled.add_argument("--date", help="the day (default today)")
        deduct = sub.add_parser("deduct", help="draw due bills from prepaid balances")
        deduct.add_argument("--project", help="project code (default: every project)")
        deduct.add_argument("--date", help="the day (default today)")

    def handle(self, *args, **options):
        return getattr(self, f"do_{options['subcommand']}")(options)

    def _project(self, code):
        from wuye.estate.models import Project

        project = Project.objects.filter(code=code).first()
        if project is None:
            raise CommandError(f"no project with code {code!r}")
        return project

    def do_run(self, options):
        from wuye.billing.models import FeeItem
        from wuye.billing.services import run_billing

        try:
            period = parse_period(options["period"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        project = self._project(options["project"])
        items = options["item"]
        if items:
            known = set(
                FeeItem.objects.filter(project=project, name__in=items).values_list("name", flat=True)
            )
            missing = [name for name in items if name not in known]
            if missing:
                raise CommandError(f"no fee item {', '.join(missing)} in project {project.code}")
        actor = None
        if options.get("user"):
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"no user {options['user']!r}")
        run = run_billing(actor=actor, project=project, period=period, items=items or None)
        out = self.stdout
        out.write(f"{project.code} {project.name} {period:%Y-%m}")
        out.write(f"created {run.created_count}, skipped {run.skipped_count}, total {run.total_amount}")
        for name, figures in (run.summary.get("by_item") or {}).items():
            out.write(f"  {name}: {figures['count']} bills, {figures['amount']}")
        problems = run.summary.get("problem_count", 0)
        if problems:
            self.stderr.write(f"{problems} problems, e.g.:")
            for p in run.summary.get("problems", [])[:10]:
                self.stderr.write(f"  {p.get('target')} {p.get('item')}: {p.get('problem')}")

    def do_scheduled(self, options):
        from wuye.billing.tasks import run_scheduled_billing

        day = _date(options["date"]) if options.get("date") else None
        done = run_scheduled_billing(day)
        if not done:
            self.stdout.write("no schedule due")
        for row in done:
            self.stdout.write(
                f"{row['project']} {row['period']}: created {row['created']}, skipped {row['skipped']}, "
                f"total {row['total']}"
            )

    def do_deduct(self, options):
        from wuye.billing.services import do_deduct_prepaid
        from wuye.billing.tasks import deduct_prepaid_everywhere

        day = _date(options["date"]) if options.get("date") else None
        if options.get("project"):
            project = self._project(options["project"])
            counts = {project.code: do_deduct_prepaid(project=project, as_of=day)}
        else:
            counts = deduct_prepaid_everywhere(day)
        for code, n in counts.items():
            self.stdout.write(f"{code}: {n} payments from prepaid balances")
