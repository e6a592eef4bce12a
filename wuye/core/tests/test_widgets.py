"""Select widgets: FastSelect renders what Django renders; AutocompleteSelect renders the chosen
option only (a project's 100,000 units are not sent to the browser) and validates as before."""

import re

import django_filters
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wuye.core.filters import BaseFilterSet
from wuye.core.widgets import AutocompleteSelect, FastSelect
from wuye.estate.models import Building, Unit
from wuye.estate.tests.factories import make_building

OPTION = re.compile(r'<option value="([^"]*)"( selected)?>([^<]*)</option>')


def options(html):
    return OPTION.findall(html)


def test_fast_select_renders_what_django_renders():
    choices = [("", "---------"), (1, "3栋"), (2, "<b>2单元</b>"), (3, "A & B")]
    django_html = forms.Select(choices=choices).render("building", 2, attrs={"id": "id_building"})
    fast_html = FastSelect(choices=choices).render("building", 2, attrs={"id": "id_building"})
    assert options(fast_html) == options(django_html)
    assert ("2", " selected", "&lt;b&gt;2单元&lt;/b&gt;") in options(fast_html)
    tag = fast_html[: fast_html.index(">") + 1]
    assert tag.startswith("<select") and 'name="building"' in tag and 'id="id_building"' in tag


def test_fast_select_option_groups_and_no_value():
    html = FastSelect(choices=[("", "—"), ("楼", [(1, "1栋"), (2, "2栋")])]).render("b", None)
    assert '<optgroup label="楼"><option value="1">1栋</option>' in html
    assert options(html)[0] == ("", " selected", "—")  # as Django does for no value
    assert options(FastSelect(choices=[(1, "a"), (1, "b")]).render("b", 1)) == [
        ("1", " selected", "a"),
        ("1", "", "b"),
    ]


class BuildingFilter(BaseFilterSet):
    building = django_filters.ModelChoiceFilter(
        queryset=Building.objects.all(),
        widget=AutocompleteSelect("estate-building-list", forward=("project", "site=lot")),
    )

    class Meta:
        model = Unit
        fields = ["building"]


def render_building(request, data):
    filterset = BuildingFilter(data, queryset=Unit.objects.all(), request=request)
    filterset.is_valid()  # validation looks the id up by itself (and the list runs it anyway)
    with CaptureQueriesContext(connection) as ctx:
        html = str(filterset.form["building"])
    return filterset, html, len(ctx.captured_queries)


def test_autocomplete_renders_the_selected_option_only(cast, rf):
    buildings = [make_building(cast.project_a, number=str(n), name=f"{n}栋") for n in range(1, 6)]
    request = rf.get("/")
    request.user = cast.manager_a
    _fs, html, queries = render_building(request, {})
    assert options(html) == [("", " selected", "---------")] and queries == 0
    assert 'data-autocomplete-url="/api/v1/estate/buildings/"' in html
    assert 'data-autocomplete-forward="project,site=lot"' in html and "data-tom-select" not in html

    filterset, html, queries = render_building(request, {"building": buildings[2].pk})
    assert options(html) == [("", "", "---------"), (str(buildings[2].pk), " selected", "3栋")]
    assert queries == 1  # the chosen building, by key
    assert filterset.is_valid() and list(filterset.qs) == []


def test_autocomplete_still_validates_against_the_scoped_queryset(cast, rf):
    theirs = make_building(cast.project_b, number="9", name="乙9栋")
    request = rf.get("/")
    request.user = cast.manager_a
    filterset, html, _queries = render_building(request, {"building": theirs.pk})
    assert not filterset.is_valid() and "building" in filterset.errors
    assert "乙9栋" not in html  # another project's building is not even named
    _fs, html, _queries = render_building(request, {"building": "abc"})
    assert options(html) == [("", "", "---------")]


def test_the_api_does_not_style_the_filter_form(cast, rf):
    from rest_framework.request import Request

    django_request = rf.get("/api/v1/estate/units/")
    django_request.user = cast.manager_a
    api = BuildingFilter({}, queryset=Unit.objects.all(), request=Request(django_request))
    assert "class" not in api.form.fields["building"].widget.attrs
    page = BuildingFilter({}, queryset=Unit.objects.all(), request=django_request)
    assert page.form.fields["building"].widget.attrs["class"] == "form-select"
