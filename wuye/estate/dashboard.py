"""Home-page widget: the units of the current project (or of all the user's projects) by status."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from wuye.core.scoping import has_any_scope
from wuye.estate.choices import UnitStatusChoices
from wuye.estate.models import Unit


def unit_counts(request):
    user = request.user
    if not has_any_scope(user, "estate.view_unit"):
        return None
    project = getattr(request, "project", None)
    units = Unit.objects.restrict(user, "view").in_project(project)
    figures = units.aggregate(
        total=Count("pk"),
        occupied=Count("pk", filter=Q(status__in=[UnitStatusChoices.OCCUPIED, UnitStatusChoices.RENTED])),
        vacant=Count("pk", filter=Q(status=UnitStatusChoices.VACANT)),
        developer=Count(
            "pk", filter=Q(status__in=[UnitStatusChoices.UNSOLD, UnitStatusChoices.SOLD_UNDELIVERED])
        ),
    )
    url = reverse("estate:unit_list")
    if project is not None:
        url += f"?project={project.pk}"
    return {
        "key": "estate-units",
        "title": _("Units in %(project)s") % {"project": project} if project else _("Units in my projects"),
        "value": figures["total"],
        "url": url,
        "note": _("%(occupied)s occupied or rented · %(vacant)s vacant · %(developer)s with the developer")
        % figures,
    }


widgets = [unit_counts]
