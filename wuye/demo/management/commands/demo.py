from django.core.management.base import BaseCommand

from wuye.demo.builders import DEMO_PASSWORD, DemoOptions, build, logins


class Command(BaseCommand):
    help = "Create demo projects and one login per role (idempotent; password wuye-demo)."

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=int, default=2)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Only when the database has no users yet (used by make run).",
        )

    def handle(self, *args, projects, seed, if_empty, **options):
        from wuye.accounts.models import User

        if projects < 1:
            self.stderr.write("--projects must be at least 1")
            raise SystemExit(2)
        if if_empty and User.objects.exists():
            self.stdout.write("Database already has users; demo data not loaded.")
            return
        result = build(DemoOptions(projects=projects, seed=seed))
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: projects {', '.join(result['projects'])}"))
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
        for username, label in logins(projects)[: 2 + 7 * min(projects, 2)]:
            self.stdout.write(f"  {username:<12} {label}")
