"""The project switcher: ``request.project`` is the project the user works in, or None for all."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings

SESSION_KEY = "wuye_project"


def load_project(user, project_id):
    if not project_id or not getattr(user, "is_authenticated", False):
        return None
    Project = apps.get_model(settings.WUYE_PROJECT_MODEL)
    return Project.objects.restrict(user, "view").filter(pk=project_id).first()


class CurrentProjectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.project = None
        session = getattr(request, "session", None)
        if session is not None and getattr(request, "user", None) is not None:
            project_id = session.get(SESSION_KEY)
            if project_id and request.user.is_authenticated:
                request.project = load_project(request.user, project_id)
                if request.project is None:
                    session.pop(SESSION_KEY, None)
        return self.get_response(request)
