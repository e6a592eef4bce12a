from django.core.management.base import BaseCommand

from wuye.demo.builders import DEMO_PASSWORD, DemoOptions, build, logins


class Command(BaseCommand):
    help = (
        "Create demo projects with buildings, units, people and vehicles, and one login per role "
        "(deterministic for a seed, idempotent; password wuye-demo)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=int, default=2)
        parser.add_argument(
            "--units",
            type=int,
            default=DemoOptions.units,
            help="Units per project (default %(default)s). A project that already has units is skipped.",
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Only when the database has no users yet (used by make run).",
        )

    def handle(self, *args, projects, units, seed, if_empty, **options):
        from wuye.accounts.models import User

        if projects < 1:
            self.stderr.write("--projects must be at least 1")
            raise SystemExit(2)
        if units < 0:
            self.stderr.write("--units must not be negative")
            raise SystemExit(2)
        if if_empty and User.objects.exists():
            self.stdout.write("Database already has users; demo data not loaded.")
            return
        verbose = options.get("verbosity", 1) >= 1
        result = build(
            DemoOptions(
                projects=projects, seed=seed, units=units, progress=self.stdout.write if verbose else None
            )
        )
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: projects {', '.join(result['projects'])}"))
        for code, counts in result["archives"].items():
            if counts is None:
                self.stdout.write(f"  {code}: already has units, left as it is")
            else:
                seconds = counts.pop("seconds")
                summary = ", ".join(f"{value} {name}" for name, value in counts.items())
                self.stdout.write(f"  {code}: {summary} in {seconds}s")
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
        for username, label in logins(projects)[: 2 + 7 * min(projects, 2)]:
            self.stdout.write(f"  {username:<12} {label}")
