"""The queue's filter form renders in Python (claims/views/form_renderer.py) exactly
what Django's widget templates render: compared field by field, in several states."""

import pytest
from django.http import QueryDict

from claims.forms import BulkForm, QueueForm, SavedViewForm
from claims.views.form_renderer import QUEUE_RENDERER
from tests.factories import ArticleFactory, checker

pytestmark = pytest.mark.django_db

STATES = [
    "",
    "view=open&sort=worth&per_page=50",
    "status=unstarted&status=dismissed&confidence_level=low&priority=3&overdue=true&changed=1",
    "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E&source=%22The+mayor%22+%26+co&assignee=me",
    "group=cluster&sort=due&hedge_category=approximator&source_type=official",
    # Invalid values: the errors' aria-invalid attributes, and the values sent back.
    "per_page=7&status=bogus&sort=%3Cb%3E&overdue=maybe&group=x",
]


def rendered(form) -> list[str]:
    out = []
    for field in form:
        out += [str(field), field.label_tag(), field.label_tag(label_suffix="?")]
        if getattr(field.field.widget, "allow_multiple_selected", False):
            out += [box.tag() for box in field] + [box.tag(wrap_label=True) for box in field]
    return out


@pytest.mark.parametrize("query", STATES)
def test_the_queue_form_renders_as_django_renders_it(query):
    article = ArticleFactory(title='An <i>"article"</i> & more')
    data = QueryDict(query + f"&article={article.pk}" if "per_page=7" in query else query)
    django_form, fast_form = QueueForm(data), QueueForm(data, renderer=QUEUE_RENDERER)
    assert django_form.is_valid() == fast_form.is_valid()
    expected, got = rendered(django_form), rendered(fast_form)
    assert len(expected) > 40
    for want, have in zip(expected, got, strict=True):
        assert have == want


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"action": "assign", "assignee": "x", "due_at": "2026-13-01T25:00", "note": "<b>&</b>"},
        {"action": "due", "due_at": "2026-12-01T09:30", "priority": "3", "claims": ["1", "2"]},
    ],
)
def test_the_bulk_and_saved_view_forms_render_as_django_renders_them(data):
    checker(username='<i>"odd" & name</i>')
    for form_class, kwargs in [
        (BulkForm, {"data": data}),
        (SavedViewForm, {"data": data, "initial": {"query": "q=<b>&status=a"}}),
    ]:
        django_form = form_class(**kwargs)
        fast_form = form_class(**kwargs, renderer=QUEUE_RENDERER)
        assert django_form.is_valid() == fast_form.is_valid()
        assert rendered(fast_form) == rendered(django_form)


def test_other_templates_are_left_to_django():
    """A widget whose template the renderer does not know renders as Django's."""
    from django import forms

    class Other(forms.Form):
        when = forms.DateField(widget=forms.DateInput)
        notes = forms.CharField(widget=forms.Textarea)
        choice = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)

    plain, fast = Other({"notes": "<b>"}), Other({"notes": "<b>"}, renderer=QUEUE_RENDERER)
    assert [str(f) for f in fast] == [str(f) for f in plain]
    assert str(fast["choice"]).startswith("<div")
