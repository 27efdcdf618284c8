"""Django's widget and label templates, rendered in Python for the queue's forms.

The filter form renders 30 checkboxes, their labels and two selects on every
queue page, the bulk form five more fields. Each is Django's widget template
including two or three others (input_option.html, input.html, attrs.html;
select_option.html for each option): some 100 small template renders, a sixth of
the page's time. The functions below produce what those templates produce, byte
for byte (tests/dashboard/test_form_renderer.py compares them with Django's on
the queue's forms); any other template falls back to Django's.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData
from django.utils.timezone import template_localtime


def _out(value) -> str:
    """{{ value }} with autoescaping on (Django's render_value_in_context)."""
    return conditional_escape(str(localize(template_localtime(value))))


def _string(value) -> str:
    """{{ value|stringformat:'s' }}: its str(), escaped unless it is safe."""
    text = str(value)
    return text if isinstance(value, SafeData) else conditional_escape(text)


def _attrs(attrs) -> str:
    """django/forms/widgets/attrs.html and django/forms/attrs.html."""
    parts = []
    for name, value in (attrs or {}).items():
        if value is False:
            continue
        parts.append(f" {_out(name)}" if value is True else f' {_out(name)}="{_string(value)}"')
    return "".join(parts)


def _input(widget: dict) -> str:
    """django/forms/widgets/input.html (text, hidden, checkbox... include it)."""
    value = "" if widget["value"] is None else f' value="{_string(widget["value"])}"'
    return (
        f'<input type="{_out(widget["type"])}" name="{_out(widget["name"])}"'
        f"{value}{_attrs(widget['attrs'])}>"
    )


def _input_option(widget: dict) -> str:
    """django/forms/widgets/input_option.html (checkbox_option.html, radio_option.html)."""
    if not widget.get("wrap_label"):
        return _input(widget)
    label_for = widget["attrs"].get("id")
    opening = f'<label for="{_out(label_for)}">' if label_for else "<label>"
    # input.html ends with a newline, kept inside the label (the renderer strips only the ends).
    return f"{opening}{_input(widget)}\n {_out(widget['label'])}</label>"


def _select_option(widget: dict) -> str:
    """django/forms/widgets/select_option.html, with the newline that ends the file."""
    return (
        f'<option value="{_string(widget["value"])}"{_attrs(widget["attrs"])}>'
        f"{_out(widget['label'])}</option>\n"
    )


# The widget templates that are only {% include "django/forms/widgets/input.html" %}.
INPUTS = {
    f"django/forms/widgets/{kind}.html"
    for kind in (
        *("input", "text", "hidden", "search", "number", "checkbox", "email", "url"),
        *("password", "tel", "color", "date", "datetime", "time"),
    )
}
OPTIONS = {f"django/forms/widgets/{kind}_option.html" for kind in ("checkbox", "radio")}
SELECT_OPTION = "django/forms/widgets/select_option.html"


class WidgetRenderer(DjangoTemplates):
    """Django's default form renderer, with the templates above done in Python."""

    def render(self, template_name, context, request=None):
        if template_name in INPUTS:
            return _input(context["widget"])
        if template_name in OPTIONS:
            return _input_option(context["widget"])
        if template_name == "django/forms/widgets/select.html":
            return self._select(context["widget"], request)
        if template_name == "django/forms/widgets/textarea.html":
            return self._textarea(context["widget"])
        if template_name == "django/forms/label.html":
            return self._label(context)
        return super().render(template_name, context, request)

    def _select(self, widget: dict, request) -> str:
        groups = widget["optgroups"]
        if any(o["template_name"] != SELECT_OPTION for _, options, _ in groups for o in options):
            return super().render("django/forms/widgets/select.html", {"widget": widget}, request)
        html = [f'<select name="{_out(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in groups:
            if group_name:
                html.append(f'\n  <optgroup label="{_out(group_name)}">')
            html.extend(f"\n  {_select_option(option)}" for option in options)
            if group_name:
                html.append("\n  </optgroup>")
        html.append("\n</select>")
        return "".join(html)

    def _textarea(self, widget: dict) -> str:
        value = _out(widget["value"]) if widget["value"] else ""
        opening = f'<textarea name="{_out(widget["name"])}"{_attrs(widget["attrs"])}>'
        return f"{opening}\n{value}</textarea>"

    def _label(self, context) -> str:
        if not context["use_tag"]:
            return _out(context["label"]).strip()
        tag = _out(context["tag"])
        return f"<{tag}{_attrs(context['attrs'])}>{_out(context['label'])}</{tag}>".strip()


QUEUE_RENDERER = WidgetRenderer()
