from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from wuye.core.htmx import is_htmx
from wuye.core.scoping import user_scope
from wuye.core.views import ObjectDetailView, ObjectViews
from wuye.core.views.generic import ObjectEditView, url_for
from wuye.estate.models import Unit
from wuye.residents import filters, forms, services, tables
from wuye.residents.models import Occupancy, Ownership, Person, Vehicle


def add_service_errors(form, exc: ValidationError):
    """Put a service's ValidationError on the form: on a field when the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def can_in_project(user, perm: str, project_id) -> bool:
    return project_id in user_scope(user, perm)


# -- people ---------------------------------------------------------------------------------------
class PersonDetailView(ObjectDetailView):
    """Masked phone and ID number, a reveal button for those allowed, units and vehicles below."""

    def field_rows(self, obj):
        rows = [
            (_("name"), obj.name),
            (_("kind"), obj.get_kind_display()),
            (_("gender"), obj.get_gender_display()),
            (_("birth date"), obj.birth_date),
            (_("developer"), obj.is_developer),
            (_("project"), obj.project),
            (_("note"), obj.note),
        ]
        if obj.anonymized_at:
            rows.append((_("anonymised at"), obj.anonymized_at))
        return [(label, value, None) for label, value in rows]

    def extra_context(self, obj):
        user = self.request.user
        return {
            "can_reveal": not obj.is_anonymized
            and bool(obj.phone or obj.id_number)
            and can_in_project(user, "residents.reveal_person", obj.project_id),
            "can_anonymize": not obj.is_anonymized
            and not obj.is_developer
            and can_in_project(user, "residents.delete_person", obj.project_id),
        }


class PersonViews(ObjectViews):
    model = Person
    table = tables.PersonTable
    filterset = filters.PersonFilterSet
    form = forms.PersonForm
    detail_view = PersonDetailView
    select_related = ("project",)


@login_required
def person_reveal(request, pk):
    """POST: show the full phone and ID number once, and log it. Needs residents.reveal_person."""
    person = get_object_or_404(Person.objects.restrict(request.user, "view"), pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not Person.objects.restrict(request.user, "reveal_person").filter(pk=person.pk).exists():
        raise PermissionDenied
    revealed = services.do_reveal_person(actor=request.user, person=person, channel="ui")
    context = {"object": person, "revealed": revealed, "can_reveal": False}
    if is_htmx(request):
        return render(request, "residents/includes/person_sensitive.html", context)
    context.update({"title": str(person), "breadcrumbs": [(_("people"), url_for(Person, "list"))]})
    return render(request, "residents/person_reveal.html", context)


person_reveal.scoped_model = Person


@login_required
def person_anonymize(request, pk):
    """PIPL deletion: confirm, then blank the personal fields (needs residents.delete_person)."""
    person = get_object_or_404(Person.objects.restrict(request.user, "view"), pk=pk)
    if not Person.objects.restrict(request.user, "delete").filter(pk=person.pk).exists():
        raise PermissionDenied
    error = ""
    if request.method == "POST":
        try:
            services.do_anonymize_person(actor=request.user, person=person)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("The personal information was removed."))
            return HttpResponseRedirect(person.get_absolute_url())
    context = {
        "object": person,
        "title": _("Anonymise %(name)s") % {"name": person},
        "error": error,
        "breadcrumbs": [
            (_("people"), url_for(Person, "list")),
            (str(person), person.get_absolute_url()),
            (_("Anonymise"), ""),
        ],
    }
    return render(request, "residents/person_anonymize.html", context, status=409 if error else 200)


person_anonymize.scoped_model = Person


# -- ownership and occupancy: adding one goes through the services --------------------------------
class ServiceEditView(ObjectEditView):
    """Edit view whose save may raise a ValidationError from a service: shown on the form."""

    def get_form(self, obj, data=None, files=None):
        self._form = super().get_form(obj, data=data, files=files)
        return self._form

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError as exc:
            form = self._form
            add_service_errors(form, exc)
            return self.render_form(form, form.instance, status=422 if is_htmx(request) else 200)


class OwnershipEditView(ServiceEditView):
    def save(self, form):
        if form.instance.pk or form.cleaned_data.get("end_date"):
            return super().save(form)
        data = form.cleaned_data
        ownership = services.do_register_owner(
            actor=self.request.user,
            unit=data["unit"],
            person=data["person"],
            share=data["share"],
            is_representative=data.get("is_representative"),
            certificate_number=data.get("certificate_number", ""),
            start_date=data.get("start_date"),
            note=data.get("note", ""),
        )
        return ownership


class OccupancyEditView(ServiceEditView):
    def save(self, form):
        if form.instance.pk or form.cleaned_data.get("end_date"):
            return super().save(form)
        data = form.cleaned_data
        entry = {
            "person": data["person"],
            "kind": data["kind"],
            "relationship": data["relationship"],
            "is_payer": data.get("is_payer", False),
            "note": data.get("note", ""),
        }
        from django.utils import timezone

        created = services.do_move_in(
            actor=self.request.user,
            unit=data["unit"],
            date=data.get("start_date") or timezone.localdate(),
            occupants=[entry],
        )
        return created[0]


class OwnershipViews(ObjectViews):
    model = Ownership
    table = tables.OwnershipTable
    filterset = filters.OwnershipFilterSet
    form = forms.OwnershipForm
    edit_view = OwnershipEditView
    select_related = ("project", "unit", "person")


class OccupancyViews(ObjectViews):
    model = Occupancy
    table = tables.OccupancyTable
    filterset = filters.OccupancyFilterSet
    form = forms.OccupancyForm
    edit_view = OccupancyEditView
    select_related = ("project", "unit", "person")


class VehicleViews(ObjectViews):
    model = Vehicle
    table = tables.VehicleTable
    filterset = filters.VehicleFilterSet
    form = forms.VehicleForm
    select_related = ("project", "person", "parking_space")


# -- unit actions (linked from the unit page's panels) -------------------------------------------------
class UnitActionView(View):
    """A form about one unit: another project's unit answers 404, a missing permission 403."""

    model = Unit  # the route walker makes a unit of another project for these URLs
    permission = ""
    form_class = None
    title = ""
    submit_label = gettext_lazy("Save")

    def dispatch(self, request, *args, **kwargs):
        from django.contrib.auth.views import redirect_to_login

        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.unit = get_object_or_404(
            Unit.objects.restrict(request.user, "view").select_related("project", "building"), pk=kwargs["pk"]
        )
        if not can_in_project(request.user, self.permission, self.unit.project_id):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def people(self):
        return (
            Person.objects.restrict(self.request.user, "view")
            .filter(project_id=self.unit.project_id, anonymized_at__isnull=True)
            .order_by("-is_developer", "name", "pk")
        )

    def get_form(self, data=None):
        return self.form_class(data=data, unit=self.unit, people=self.people())

    def return_url(self):
        target = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if target.startswith("/") and not target.startswith("//"):
            return target
        return self.unit.get_absolute_url() or url_for(Ownership, "list")

    def render_form(self, form, status=200):
        context = {
            "form": form,
            "unit": self.unit,
            "title": self.get_title(),
            "submit_label": self.submit_label,
            "cancel_url": self.return_url(),
            "next": self.return_url(),
            "breadcrumbs": [(str(self.unit), self.unit.get_absolute_url()), (self.get_title(), "")],
        }
        template = (
            "residents/htmx/unit_action_modal.html" if is_htmx(self.request) else "residents/unit_action.html"
        )
        return render(self.request, template, context, status=status)

    def get_title(self):
        return f"{self.title} · {self.unit}"

    def get(self, request, *args, **kwargs):
        return self.render_form(self.get_form())

    def post(self, request, *args, **kwargs):
        form = self.get_form(data=request.POST)
        if form.is_valid():
            try:
                message = self.perform(form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, message)
                url = self.return_url()
                if is_htmx(request):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = url
                    return response
                return HttpResponseRedirect(url)
        return self.render_form(form, status=422 if is_htmx(request) else 200)

    def perform(self, data) -> str:
        raise NotImplementedError


class RegisterOwnerView(UnitActionView):
    permission = "residents.add_ownership"
    form_class = forms.RegisterOwnerForm
    title = gettext_lazy("Register owner")

    def perform(self, data):
        ownership = services.do_register_owner(
            actor=self.request.user,
            unit=self.unit,
            person=data["person"],
            share=data["share"],
            is_representative=True if data.get("is_representative") else None,
            certificate_number=data.get("certificate_number", ""),
            start_date=data.get("start_date"),
        )
        return _("%(person)s is registered as owner of %(unit)s.") % {
            "person": ownership.person,
            "unit": self.unit,
        }


class TransferView(UnitActionView):
    permission = "residents.change_ownership"
    form_class = forms.TransferForm
    title = gettext_lazy("Transfer ownership")

    def perform(self, data):
        created = services.do_transfer_ownership(
            actor=self.request.user,
            unit=self.unit,
            new_owners=data["new_owners"],
            date=data["date"],
            certificate_number=data.get("certificate_number", ""),
            deliver=data.get("deliver", False),
        )
        return _("%(unit)s now belongs to %(owners)s.") % {
            "unit": self.unit,
            "owners": "、".join(str(o.person) for o in created),
        }


class MoveInView(UnitActionView):
    permission = "residents.add_occupancy"
    form_class = forms.MoveInForm
    title = gettext_lazy("Move in")

    def perform(self, data):
        created = services.do_move_in(
            actor=self.request.user,
            unit=self.unit,
            date=data["date"],
            occupants=data["occupants"],
            tenant=data.get("tenant"),
            tenant_pays=data.get("tenant_pays", False),
        )
        return _("%(people)s moved in to %(unit)s.") % {
            "people": "、".join(str(o.person) for o in created),
            "unit": self.unit,
        }


class MoveOutView(UnitActionView):
    permission = "residents.change_occupancy"
    form_class = forms.MoveOutForm
    title = gettext_lazy("Move out")

    def people(self):
        living = services.current_occupants(self.unit).values_list("person_id", flat=True)
        return Person.objects.restrict(self.request.user, "view").filter(pk__in=list(living)).order_by("name")

    def perform(self, data):
        people = list(data.get("people") or []) or None
        ended = services.do_move_out(
            actor=self.request.user,
            unit=self.unit,
            date=data["date"],
            people=people,
            note=data.get("note", ""),
        )
        return _("%(people)s moved out of %(unit)s.") % {
            "people": "、".join(str(o.person) for o in ended),
            "unit": self.unit,
        }
