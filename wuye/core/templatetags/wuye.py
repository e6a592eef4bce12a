from decimal import Decimal

from django import template
from django.db import models
from django.utils.formats import date_format, localize
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def initial(user):
    text = str(user) or "?"
    return text[:1].upper()


@register.inclusion_tag("includes/form_field.html")
def form_field(field):
    return {"field": field, "is_checkbox": field.widget_type == "checkbox"}


@register.filter
def display_value(value):
    """Render a detail-page value: dates, money, booleans and empty values consistently."""
    import datetime

    if value is None or value == "":
        return mark_safe('<span class="text-secondary">—</span>')
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return date_format(localtime(value), "Y-m-d H:i")
    if isinstance(value, datetime.date):
        return date_format(value, "Y-m-d")
    if isinstance(value, Decimal):
        return localize(value)
    if isinstance(value, models.Model) and hasattr(value, "get_absolute_url") and value.get_absolute_url():
        return format_html('<a href="{}">{}</a>', value.get_absolute_url(), value)
    return value


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def pager_total(paginator):
    """The row count a pager shows: "10,000+" when a bounded count stopped at its limit."""
    label = getattr(paginator, "count_label", None)
    return label if label is not None else paginator.count


@register.filter
def pager_range(page, paginator):
    """django-tables2's page links, with a trailing "..." when the count was capped: the last
    number offered is then not the last page (it leads on to the next window)."""
    from django_tables2.templatetags.django_tables2 import table_page_range

    pages = list(table_page_range(page, paginator))
    if getattr(paginator, "count_capped", False):
        pages.append("...")
    return pages


@register.simple_tag(takes_context=True)
def table_rows(context, table):
    """The rows of a ``wuye.core.tables`` table's current page (see ``render_rows``)."""
    from wuye.core.tables import render_rows

    return render_rows(table, context)
