from django.apps import apps
from django.conf import settings

from wuye.core.navigation import menu_for


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"app_title": settings.WUYE_APP_TITLE}

    def projects():
        Project = apps.get_model(settings.WUYE_PROJECT_MODEL)
        return list(Project.objects.restrict(user, "view").only("id", "name", "code"))

    return {
        "app_title": settings.WUYE_APP_TITLE,
        "nav_menu": lambda: menu_for(user, request.path),
        "switcher_projects": projects,
        "current_project": getattr(request, "project", None),
    }
