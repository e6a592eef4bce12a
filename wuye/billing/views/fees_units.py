"""A unit's owner statement: a printable page and the same as a PDF."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from wuye.billing import forms
from wuye.billing.statements import build_statement, statement_pdf
from wuye.billing.views.fees import TEMPLATES
from wuye.core.scoping import user_scope
from wuye.core.views.generic import ScopedViewMixin
from wuye.estate.models import Unit


class UnitStatementView(ScopedViewMixin, View):
    """对账单 of one unit. The unit must be visible and its project's bills readable by the user."""

    model = Unit
    action = "view"
    template_name = f"{TEMPLATES}/unit_statement.html"

    def base_queryset(self):
        return Unit.objects.select_related("project", "building")

    def get_statement(self):
        unit = self.get_object()
        if unit.project_id not in user_scope(self.request.user, "billing.view_bill"):
            raise PermissionDenied(_("You may not see the bills of this project."))
        form = forms.StatementForm(self.request.GET or None)
        date_from, date_to = form.range()
        return unit, form, build_statement(unit, date_from, date_to)

    def get(self, request, *args, **kwargs):
        unit, form, st = self.get_statement()
        query = f"?date_from={st.date_from:%Y-%m-%d}&date_to={st.date_to:%Y-%m-%d}"
        title = _("Statement of %(unit)s") % {"unit": unit}
        return render(
            request,
            self.template_name,
            {
                "object": unit,
                "form": form,
                "st": st,
                "title": title,
                "pdf_url": reverse("billing:unit_statement_pdf", kwargs={"pk": unit.pk}) + query,
                "breadcrumbs": [
                    (Unit._meta.verbose_name_plural, reverse("estate:unit_list")),
                    (str(unit), unit.get_absolute_url()),
                    (_("Statement"), ""),
                ],
            },
        )


class UnitStatementPdfView(UnitStatementView):
    def get(self, request, *args, **kwargs):
        unit, _form, st = self.get_statement()
        content = statement_pdf(st, project_name=unit.project.name)
        response = HttpResponse(content, content_type="application/pdf")
        filename = f"statement-{unit.project.code}-{unit.pk}-{st.date_to:%Y%m%d}.pdf"
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        return response


urlpatterns = [
    path("units/<int:pk>/statement/", UnitStatementView.as_view(), name="unit_statement"),
    path("units/<int:pk>/statement/pdf/", UnitStatementPdfView.as_view(), name="unit_statement_pdf"),
]
