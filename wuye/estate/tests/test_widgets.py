import re

from django import forms

from wuye.estate.widgets import FastSelect

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
