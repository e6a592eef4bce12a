"""Create the default service-desk settings, teams, categories and SLA rules for projects."""

from django.core.management.base import BaseCommand

from wuye.estate.models import Project
from wuye.service.services import ensure_service_setup


class Command(BaseCommand):
    help = "Create default service-desk settings, teams, categories and SLA rules (projects without any)."

    def add_arguments(self, parser):
        parser.add_argument("--project", action="append", help="project code (repeatable); default: all")

    def handle(self, *args, project=None, **options):
        projects = Project.objects.all()
        if project:
            projects = projects.filter(code__in=project)
        for p in projects:
            ensure_service_setup(p)
            self.stdout.write(f"{p.code}: ready")
