from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views import View

from wuye.core.htmx import is_htmx
from wuye.core.views import ObjectDetailView, ObjectEditView, ObjectViews
from wuye.core.views.generic import ScopedViewMixin
from wuye.estate import filters, forms, services, tables
from wuye.estate.models import Unit


class UnitDetailView(ObjectDetailView):
    def base_queryset(self):
        # The entrance is shown with its building (3栋2单元).
        return super().base_queryset().select_related("entrance__building")

    def field_rows(self, obj):
        rows = []
        for label, value, url in super().field_rows(obj):
            if label == Unit._meta.get_field("status").verbose_name:
                value = format_html(
                    '<span class="badge bg-{}-lt" data-testid="unit-status">{}</span>',
                    obj.status_color,
                    obj.get_status_display(),
                )
            rows.append((label, value, url))
        return rows

    def extra_context(self, obj):
        can_change = self.can("change", obj)
        return {
            "grid_url": reverse("estate:building_grid", kwargs={"pk": obj.building_id}) + f"#unit-{obj.pk}",
            "status_url": reverse("estate:unit_status", kwargs={"pk": obj.pk}) if can_change else "",
        }


class UnitEditView(ObjectEditView):
    def save(self, form):
        """A status change on an existing unit goes through the service, so it is audited."""
        obj = form.instance
        if not obj.pk or "status" not in form.changed_data:
            return super().save(form)
        new_status = form.cleaned_data["status"]
        obj = form.save(commit=False)
        obj.status = form.initial["status"]
        obj.save()
        form.save_m2m()
        return services.set_unit_status(actor=self.request.user, unit=obj, status=new_status)


class UnitStatusView(ScopedViewMixin, View):
    """Change a unit's status and vacancy registration, through the services (audited)."""

    model = Unit
    action = "change"

    def render_form(self, form, unit, status=200):
        title = _("Change the status of %(unit)s") % {"unit": unit}
        context = {
            "form": form,
            "object": unit,
            "opts": Unit._meta,
            "title": title,
            "cancel_url": unit.get_absolute_url(),
            "breadcrumbs": self.breadcrumbs(unit, _("Status")),
        }
        template = "core/htmx/form_modal.html" if is_htmx(self.request) else "core/object_edit.html"
        return render(self.request, template, context, status=status)

    def get(self, request, *args, **kwargs):
        unit = self.get_object()
        return self.render_form(forms.UnitStatusForm(unit=unit), unit)

    def post(self, request, *args, **kwargs):
        unit = self.get_object()
        form = forms.UnitStatusForm(request.POST, unit=unit)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    services.set_unit_status(
                        actor=request.user, unit=unit, status=data["status"], note=data["note"]
                    )
                    if data["vacancy_registered"]:
                        services.register_vacancy(
                            actor=request.user,
                            unit=unit,
                            since=data["vacancy_registered_on"],
                            note=data["note"],
                        )
                    elif unit.vacancy_registered:
                        services.end_vacancy(actor=request.user, unit=unit, note=data["note"])
            except ValidationError as exc:
                form.add_error(None, exc)
        if not form.is_valid():
            return self.render_form(form, unit, status=422 if is_htmx(request) else 200)
        messages.success(request, _("Saved the status of %(unit)s.") % {"unit": unit})
        if is_htmx(request):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = unit.get_absolute_url()
            return response
        return HttpResponseRedirect(unit.get_absolute_url())


class UnitViews(ObjectViews):
    model = Unit
    detail_fields = [
        "project",
        "code",
        "building",
        "entrance",
        "floor",
        "room_number",
        "building_area",
        "inner_area",
        "usage",
        "layout",
        "status",
        "delivery_date",
        "vacancy_registered",
        "vacancy_registered_on",
        "note",
    ]
    table = tables.UnitTable
    filterset = filters.UnitFilterSet
    form = forms.UnitForm
    detail_view = UnitDetailView
    edit_view = UnitEditView
    select_related = ("project", "building", "entrance")
