"""Generic, scoped, permission-checked views. A domain object declares an ``ObjectViews``:

    class BuildingViews(ObjectViews):
        model = Building
        table = BuildingTable
        filterset = BuildingFilterSet
        form = BuildingForm

    urlpatterns = [*BuildingViews.urls("buildings")]

That gives list (filter, sort, paginate, choose columns, export to Excel), detail, add, edit,
delete and change log, each checked against ``restrict(user, action)``, answering HTMX requests
with the fragment only, and rolling back a write whose result falls outside the user's scope.
"""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.views import View
from django_tables2 import RequestConfig

from wuye.core.htmx import htmx_target, is_htmx
from wuye.core.pagination import BoundedCountPaginator
from wuye.core.scoping import has_any_scope, permission_name

PER_PAGE_CHOICES = (25, 50, 100, 250)


class OutsideScope(Exception):
    """A write produced an object the user may not act on; the transaction is rolled back."""


def url_for(model, name: str, **kwargs) -> str:
    opts = model._meta
    try:
        return reverse(f"{opts.app_label}:{opts.model_name}_{name}", kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


class ScopedViewMixin(LoginRequiredMixin):
    """Resolves the model's permission for ``action`` and the user's restricted queryset."""

    model = None
    action = "view"
    views = None  # the ObjectViews declaration this view belongs to

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not has_any_scope(request.user, permission_name(self.model, self.action)):
            # An object the user cannot even see does not exist for them (404), whatever the action.
            if (
                "pk" in kwargs
                and not self.base_queryset().restrict(request.user, "view").filter(pk=kwargs["pk"]).exists()
            ):
                raise Http404
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def base_queryset(self):
        qs = self.model.objects.all()
        if self.views is not None:
            qs = self.views.prepare_queryset(qs)
        return qs

    def get_queryset(self, action=None):
        qs = self.base_queryset().restrict(self.request.user, action or self.action)
        return qs.in_project(getattr(self.request, "project", None))

    def get_object(self):
        # The project switcher narrows lists only: a link to another of the user's projects works.
        qs = self.base_queryset().restrict(self.request.user, self.action)
        return get_object_or_404(qs, pk=self.kwargs["pk"])

    def can(self, action, obj=None) -> bool:
        user = self.request.user
        if obj is None:
            return has_any_scope(user, permission_name(self.model, action))
        return self.model.objects.restrict(user, action).filter(pk=obj.pk).exists()

    def verbose(self, plural=False):
        opts = self.model._meta
        return opts.verbose_name_plural if plural else opts.verbose_name

    def breadcrumbs(self, obj=None, last=None):
        crumbs = [(self.verbose(plural=True), url_for(self.model, "list"))]
        if obj is not None:
            crumbs.append((str(obj), obj.get_absolute_url()))
        if last:
            crumbs.append((last, ""))
        return crumbs

    def templates(self, suffix, default):
        opts = self.model._meta
        return [f"{opts.app_label}/{opts.model_name}_{suffix}.html", default]


class ObjectListView(ScopedViewMixin, View):
    table = None
    filterset = None
    template_name = "core/object_list.html"

    def session_key(self):
        return f"wuye_cols:{self.model._meta.label_lower}"

    def visible_columns(self):
        chosen = self.request.session.get(self.session_key()) if hasattr(self.request, "session") else None
        return chosen or self.table.default_visible()

    def get_filterset(self):
        if self.filterset is None:
            return None
        return self.filterset(self.request.GET or None, queryset=self.get_queryset(), request=self.request)

    def build_table(self, paginate=True, filterset=None):
        filterset = filterset if filterset is not None else self.get_filterset()
        qs = filterset.qs if filterset is not None and filterset.is_bound else self.get_queryset()
        if filterset is not None and filterset.is_bound and not filterset.is_valid():
            qs = qs.none()
        user = self.request.user
        table = self.table(
            qs,
            user=user,
            row_permissions={"change": self.can("change"), "delete": self.can("delete")},
        )
        table.apply_column_choice(self.visible_columns())
        per_page = self.request.GET.get("per_page")
        per_page = (
            int(per_page) if per_page and per_page.isdigit() and int(per_page) in PER_PAGE_CHOICES else 25
        )
        # A bounded count: "10,000+" instead of COUNT(*) over every matching row on every page.
        pagination = {"per_page": per_page, "paginator_class": BoundedCountPaginator}
        # django-tables2 would take any ?per_page= from the URL; only the offered sizes count.
        request = copy.copy(self.request)
        request.GET = self.request.GET.copy()
        request.GET.pop(table.prefixed_per_page_field, None)
        RequestConfig(request, paginate=pagination if paginate else False).configure(table)
        table.request = self.request
        table.per_page_choices = PER_PAGE_CHOICES
        return table

    def get(self, request, *args, **kwargs):
        filterset = self.get_filterset()
        if request.GET.get("export") == "xlsx":
            return self.export(filterset)
        table = self.build_table(filterset=filterset)
        context = {
            "model": self.model,
            "opts": self.model._meta,
            "title": self.verbose(plural=True),
            "table": table,
            "filterset": filterset,
            "filter_form": filterset.form if filterset is not None else None,
            "can_add": self.can("add") and bool(url_for(self.model, "add")),
            "add_url": url_for(self.model, "add"),
            "columns": [
                (name, label, name in self.visible_columns())
                for name, label in self.table.choosable_columns()
            ],
            "per_page_choices": PER_PAGE_CHOICES,
            "breadcrumbs": [(self.verbose(plural=True), "")],
        }
        if htmx_target(request) == "object-list":
            return render(request, "core/htmx/table.html", context)
        return render(request, self.templates("list", self.template_name), context)

    def post(self, request, *args, **kwargs):
        """Save the user's column choice for this list."""
        names = {name for name, _label in self.table.choosable_columns()}
        chosen = [c for c in request.POST.getlist("columns") if c in names]
        if request.POST.get("reset") or not chosen:
            request.session.pop(self.session_key(), None)
        else:
            request.session[self.session_key()] = chosen
        return redirect(request.get_full_path())

    def export(self, filterset):
        from django.conf import settings

        from wuye.core import jobs
        from wuye.core.export import export_filename, export_list_job, table_to_xlsx

        qs = filterset.qs if filterset is not None and filterset.is_bound else self.get_queryset()
        if qs.count() > settings.WUYE_EXPORT_INLINE_LIMIT:
            job = jobs.enqueue(
                export_list_job,
                kind="export",
                name=_("Export %(name)s") % {"name": self.verbose(plural=True)},
                actor=self.request.user,
                project=getattr(self.request, "project", None),
                params={
                    "path": self.request.path,
                    "query": self.request.META.get("QUERY_STRING", ""),
                    "user_id": self.request.user.pk,
                    "project_id": getattr(getattr(self.request, "project", None), "pk", None),
                },
            )
            messages.info(self.request, _("The export is large and runs in the background."))
            return redirect(job.get_absolute_url())
        table = self.build_table(paginate=False, filterset=filterset)
        content = table_to_xlsx(table, str(self.verbose(plural=True)))
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{export_filename(self.model)}"'
        return response


class ObjectDetailView(ScopedViewMixin, View):
    template_name = "core/object_detail.html"
    detail_fields = None

    def field_rows(self, obj):
        names = self.detail_fields or [
            f.name
            for f in self.model._meta.concrete_fields
            if f.name not in ("id", "password") and not f.name.endswith("_hash")
        ]
        rows = []
        for name in names:
            field = self.model._meta.get_field(name)
            if getattr(field, "choices", None):
                value = getattr(obj, f"get_{name}_display")()
            else:
                value = getattr(obj, name)
            rows.append((field.verbose_name, value, getattr(value, "get_absolute_url", None)))
        return rows

    def extra_context(self, obj) -> dict:
        return {}

    def get(self, request, *args, **kwargs):
        from wuye.core.panels import panels_for

        obj = self.get_object()
        only = request.GET.get("panel")
        if only and is_htmx(request):
            panels = panels_for(request, obj, only=only)
            if not panels:
                raise Http404
            return HttpResponse(panels[0]["html"])
        context = {
            "object": obj,
            "opts": self.model._meta,
            "title": str(obj),
            "panels": panels_for(request, obj),
            "field_rows": self.field_rows(obj),
            "can_change": self.can("change", obj) and bool(url_for(self.model, "edit", pk=obj.pk)),
            "can_delete": self.can("delete", obj) and bool(url_for(self.model, "delete", pk=obj.pk)),
            "edit_url": url_for(self.model, "edit", pk=obj.pk),
            "delete_url": url_for(self.model, "delete", pk=obj.pk),
            "changelog_url": url_for(self.model, "changelog", pk=obj.pk),
            "breadcrumbs": self.breadcrumbs(obj),
        }
        context.update(self.extra_context(obj))
        return render(request, self.templates("detail", self.template_name), context)


class ObjectEditView(ScopedViewMixin, View):
    """Create (no pk) or edit (pk). Renders a page, or a modal fragment for HTMX requests."""

    form = None
    template_name = "core/object_edit.html"

    def dispatch(self, request, *args, **kwargs):
        self.action = "change" if "pk" in kwargs else "add"
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, obj, data=None, files=None):
        # ?field=value pre-fills a new object (e.g. "add membership" from a user's page).
        initial = {} if obj.pk else {k: v for k, v in self.request.GET.items() if k in self.form.base_fields}
        return self.form(
            data=data,
            files=files,
            instance=obj,
            initial=initial,
            user=self.request.user,
            current_project=getattr(self.request, "project", None),
        )

    def render_form(self, form, obj, status=200):
        title = (
            _("Edit %(name)s") % {"name": self.verbose()}
            if obj.pk
            else _("Add %(name)s") % {"name": self.verbose()}
        )
        context = {
            "form": form,
            "object": obj,
            "opts": self.model._meta,
            "title": title,
            "cancel_url": obj.get_absolute_url() if obj.pk else url_for(self.model, "list"),
            "breadcrumbs": self.breadcrumbs(obj if obj.pk else None, title),
        }
        template = "core/htmx/form_modal.html" if is_htmx(self.request) else None
        templates = [template] if template else self.templates("edit", self.template_name)
        return render(self.request, templates, context, status=status)

    def get_instance(self):
        return self.get_object() if "pk" in self.kwargs else self.model()

    def get(self, request, *args, **kwargs):
        obj = self.get_instance()
        return self.render_form(self.get_form(obj), obj)

    def save(self, form):
        """Hook: save the form's object (a service call for models that have one)."""
        obj = form.save(commit=False)
        if not obj.pk and hasattr(obj, "created_by_id"):
            obj.created_by = self.request.user
        obj.save()
        form.save_m2m()
        return obj

    def post(self, request, *args, **kwargs):
        obj = self.get_instance()
        form = self.get_form(obj, data=request.POST, files=request.FILES)
        if not form.is_valid():
            return self.render_form(form, obj, status=422 if is_htmx(request) else 200)
        created = obj.pk is None
        try:
            with transaction.atomic():
                obj = self.save(form)
                # Re-read through the restricted queryset: the result must stay in the user's scope.
                if not self.model.objects.restrict(request.user, self.action).filter(pk=obj.pk).exists():
                    raise OutsideScope
        except OutsideScope:
            raise PermissionDenied(_("The result would be outside the projects you may manage.")) from None
        messages.success(
            request,
            (_("Created %(name)s “%(obj)s”.") if created else _("Saved %(name)s “%(obj)s”."))
            % {"name": self.verbose(), "obj": obj},
        )
        url = request.POST.get("return_url") or obj.get_absolute_url() or url_for(self.model, "list")
        if not url.startswith("/"):
            url = obj.get_absolute_url()
        if is_htmx(request):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)


class ObjectDeleteView(ScopedViewMixin, View):
    action = "delete"
    template_name = "core/object_delete.html"

    def render_confirm(self, obj, blocking=None, status=200):
        context = {
            "object": obj,
            "opts": self.model._meta,
            "title": _("Delete %(name)s") % {"name": self.verbose()},
            "blocking": blocking or [],
            "breadcrumbs": self.breadcrumbs(obj, _("Delete")),
        }
        return render(self.request, self.templates("delete", self.template_name), context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render_confirm(self.get_object())

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        try:
            with transaction.atomic():
                obj.delete()
        except (ProtectedError, RestrictedError) as exc:
            blocking = list(getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", []))
            return self.render_confirm(obj, blocking=blocking[:50], status=409)
        messages.success(request, _("Deleted %(name)s “%(obj)s”.") % {"name": self.verbose(), "obj": obj})
        return redirect(url_for(self.model, "list") or "home")


class ObjectChangeLogView(ScopedViewMixin, View):
    """Everything that happened to one object: data changes, status changes, audit events."""

    template_name = "core/object_changelog.html"

    def get(self, request, *args, **kwargs):
        from wuye.core.auditing import object_history

        obj = self.get_object()
        context = {
            "object": obj,
            "opts": self.model._meta,
            "title": _("History of %(obj)s") % {"obj": obj},
            "history": object_history(obj),
            "breadcrumbs": self.breadcrumbs(obj, _("History")),
        }
        return render(request, self.template_name, context)


class ObjectViews:
    """Declares the views of one object type; ``urls(prefix)`` returns the URL patterns."""

    model = None
    table = None
    filterset = None
    form = None
    detail_fields = None
    list_view = ObjectListView
    detail_view = ObjectDetailView
    edit_view = ObjectEditView
    delete_view = ObjectDeleteView
    changelog_view = ObjectChangeLogView
    #: which views exist: any of list, detail, add, edit, delete, changelog
    actions = ("list", "detail", "add", "edit", "delete", "changelog")
    select_related: tuple = ()
    prefetch_related: tuple = ()

    @classmethod
    def prepare_queryset(cls, qs):
        if cls.select_related:
            qs = qs.select_related(*cls.select_related)
        if cls.prefetch_related:
            qs = qs.prefetch_related(*cls.prefetch_related)
        return qs

    @classmethod
    def _view(cls, base, **attrs):
        attrs.update({"model": cls.model, "views": cls})
        return base.as_view(**{k: v for k, v in attrs.items() if hasattr(base, k)})

    @classmethod
    def urls(cls, prefix: str):
        name = cls.model._meta.model_name
        patterns = []
        if "list" in cls.actions:
            patterns.append(
                path(
                    f"{prefix}/",
                    cls._view(cls.list_view, table=cls.table, filterset=cls.filterset),
                    name=f"{name}_list",
                )
            )
        if "add" in cls.actions:
            patterns.append(
                path(f"{prefix}/add/", cls._view(cls.edit_view, form=cls.form), name=f"{name}_add")
            )
        if "detail" in cls.actions:
            patterns.append(
                path(
                    f"{prefix}/<int:pk>/",
                    cls._view(cls.detail_view, detail_fields=cls.detail_fields),
                    name=f"{name}_detail",
                )
            )
        if "edit" in cls.actions:
            patterns.append(
                path(f"{prefix}/<int:pk>/edit/", cls._view(cls.edit_view, form=cls.form), name=f"{name}_edit")
            )
        if "delete" in cls.actions:
            patterns.append(
                path(f"{prefix}/<int:pk>/delete/", cls._view(cls.delete_view), name=f"{name}_delete")
            )
        if "changelog" in cls.actions:
            patterns.append(
                path(f"{prefix}/<int:pk>/history/", cls._view(cls.changelog_view), name=f"{name}_changelog")
            )
        return patterns
