"""The table fast paths (signatures read once, URLs from templates, rows rendered in Python) render
exactly what django-tables2 renders."""

import django_tables2 as tables
import pytest
from django.template import Context, engines
from django.urls import NoReverseMatch, reverse
from django_tables2.rows import BoundRows

from wuye.core.tables import BaseTable, UrlTemplates, _call, render_rows
from wuye.estate.models import Unit
from wuye.estate.tables import UnitTable
from wuye.estate.tests.factories import make_building, make_entrance, make_unit

LOOP = engines["django"].from_string(
    "{% for row in table.paginated_rows %}<tr {{ row.attrs.as_html }}>{% for column, cell in row.items %}"
    "<td {{ column.attrs.td.as_html }}>{{ cell }}</td>{% endfor %}</tr>{% endfor %}"
)


class ExtrasTable(UnitTable):
    marker = tables.Column(
        empty_values=(), orderable=False, attrs={"td": {"data-id": lambda record: record.pk}}
    )
    loose = tables.Column(accessor="code", empty_values=(), orderable=False)

    class Meta(UnitTable.Meta):
        sequence = ("code", "...")

    def render_marker(self, record, bound_column):
        return f"{bound_column.name}:{record.pk}"

    def render_loose(self, **kwargs):
        return f"{kwargs['value']}/{kwargs['table'].__class__.__name__}"


def reference(table):
    """The same table as plain django-tables2 renders it."""
    table.rows = BoundRows(data=table.data, table=table, pinned_data=table.rows.pinned_data)
    for bound_column in table.columns.iterall():
        bound_column.link = bound_column.column.link
    table.url_templates = None
    return table


@pytest.fixture
def units(cast):
    building = make_building(cast.project_a, number="3", name="")
    entrance = make_entrance(building=building, number="2", name="")
    return [
        make_unit(building=building, entrance=entrance, room_number=f"{n}01", floor=n, code=f"3-2-{n}01")
        for n in range(1, 6)
    ]


@pytest.mark.parametrize("table_class", [UnitTable, ExtrasTable])
def test_rows_render_as_django_tables2_renders_them(units, table_class):
    perms = {"change": True, "delete": True}
    fast = table_class(Unit.objects.order_by("sort_code"), row_permissions=perms)
    slow = reference(table_class(Unit.objects.order_by("sort_code"), row_permissions=perms))
    expected = LOOP.render({"table": slow})
    assert render_rows(fast, Context()).replace("\n", "") == expected
    assert f'href="{units[0].get_absolute_url()}"' in expected and "/edit/" in expected
    if table_class is ExtrasTable:
        assert f'data-id="{units[0].pk}"' in expected  # attrs computed per cell, still
        assert f"marker:{units[0].pk}" in expected and "3-2-101/ExtrasTable" in expected


def test_url_templates_match_reverse():
    urls = UrlTemplates()
    assert urls.url("estate:unit_detail", 42) == reverse("estate:unit_detail", kwargs={"pk": 42})
    assert urls.url("estate:unit_edit", 7) == reverse("estate:unit_edit", kwargs={"pk": 7})
    with pytest.raises(NoReverseMatch):
        urls.url("estate:no_such_view", 1)


def test_call_passes_what_the_function_declares():
    class Thing:
        def only_value(self, value):
            return value

        def everything(self, **kwargs):
            return sorted(kwargs)

        def needs_more(self, value, missing):
            return "called"

    thing, kwargs = Thing(), {"value": 1, "record": 2}
    for _ in range(2):  # the second time from the cache
        assert _call(thing.only_value, kwargs) == 1
        assert _call(thing.everything, kwargs) == ["record", "value"]
        assert _call(thing.needs_more, kwargs) is None  # as django-tables2: not called
    assert _call(lambda record: record * 10, kwargs) == 20


def test_base_table_without_rows_keeps_the_empty_message(cast, client_for):
    response = client_for(cast.manager_a).get("/estate/units/")
    assert response.status_code == 200 and isinstance(response.context["table"], BaseTable)
    assert 'class="text-center text-secondary py-4"' in response.content.decode()
