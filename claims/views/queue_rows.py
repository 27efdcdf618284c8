"""The queue's rows as HTML, built in Python with format_html.

A row in the template was some 60 variable nodes, tags and filters: 50 rows took
about 60 ms of a 100 ms request (bench/render_profile.py), more than all its SQL.
Here a row is one pass over the claim, a few format_html calls (every value
escaped, as autoescaping did), with what is the same for every row (the links'
paths, the choices' labels, the user) looked up once per page. The markup is the
template's, whitespace aside; queue.html keeps the table around the rows.
"""

from __future__ import annotations

import html
import unicodedata
from urllib.parse import quote

from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.text import Truncator, add_truncation_text, calculate_truncate_chars_length
from django.utils.timezone import template_localtime

from claims.models import Claim, HedgeCue
from claims.templatetags.dashboard import level_label, percent
from claims.templatetags.versions import version_change_label


class RowLinks:
    """Each row's links, from one reverse() per kind of link per page: 50 rows
    with 4-7 {% url %} tags each were about an eighth of the queue's rendering."""

    _PK = 987654321987654321  # stands for the row's id in the reversed path

    def __init__(self):
        self._paths = {
            key: reverse(f"dashboard:{name}", args=[self._PK])
            for key, name in (
                ("claim", "claim"),
                ("transition", "claim-transition"),
                ("assign", "claim-assign"),
                ("article", "article"),
            )
        }

    def of(self, claim: Claim) -> dict[str, str]:
        marker, paths = str(self._PK), self._paths
        pk, article = str(claim.pk), str(claim.article_id)
        return {
            "claim": paths["claim"].replace(marker, pk),
            "transition": paths["transition"].replace(marker, pk),
            "assign": paths["assign"].replace(marker, pk),
            "article": paths["article"].replace(marker, article),
        }


def format_html(template: str, *args) -> SafeString:
    """django.utils.html.format_html, positional only and without its lazy-string
    wrappers (keep_lazy on it, on conditional_escape and on escape): those were
    half of the rows' time. Each argument is escaped unless it is safe already,
    with html.escape, which Django's escape() calls."""
    return SafeString(
        template.format(
            *[a.__html__() if hasattr(a, "__html__") else html.escape(str(a)) for a in args]
        )
    )


def format_html_join(sep: str, template: str, args_list) -> SafeString:
    return SafeString(sep.join(format_html(template, *args) for args in args_list))


def choice_labels(model, field: str) -> dict:
    """A choice field's labels by value, as get_FOO_display() gives them (it
    flattens the choices again on each call)."""
    return {value: str(label) for value, label in model._meta.get_field(field).flatchoices}


def _join(pieces) -> SafeString:
    """Safe pieces one a line, leaving out the empty ones (a false {% if %})."""
    return SafeString("\n".join(p for p in pieces if p))


def _truncated(text: str, length: int) -> str:
    """The truncatechars filter (Truncator.chars), without its walk through the
    text in Python when none of the first characters combines (nearly always)."""
    text = unicodedata.normalize("NFC", text)
    head = text[: length + 1]
    # No ASCII character combines: most claims skip the walk through the head.
    if not head.isascii() and any(unicodedata.combining(char) for char in head):
        return Truncator(text).chars(length)
    if len(text) <= length:
        return text
    return add_truncation_text(text[: calculate_truncate_chars_length(length, None)])


def _yes(flag) -> str:
    return "1" if flag else "0"


class QueueRows:
    """The rows of one queue page for one user: ``row(claim)`` is its <tr>,
    ``forms(claim)`` the hidden forms its one-click buttons post (outside the
    bulk form: forms do not nest). Each claim carries ``links``, ``actions``,
    ``due`` and ``in_sentence`` (the queue view sets them), and ``hedge_list``
    (selectors.claim_queue_rows)."""

    def __init__(
        self,
        *,
        user,
        view_query: str,
        next_path: str,
        csrf_token: str,
        bulk: bool,
        can_work: bool,
        selected: set = frozenset(),
    ):
        self.user_pk = user.pk
        self.view_query = view_query
        self.next_path = next_path
        self.csrf_input = format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf_token
        )
        self.bulk, self.can_work = bulk, can_work
        self.selected = selected  # the rows ticked again after a refused bulk form
        self.queue_path = reverse("dashboard:queue")
        self.source_types = choice_labels(Claim, "source_type")
        self.strengths = choice_labels(Claim, "sourcing_strength")
        self.statuses = choice_labels(Claim, "status")
        self.priorities = choice_labels(Claim, "priority")
        self.hedge_categories = choice_labels(HedgeCue, "category")
        self.level_labels: dict[str, str] = {}

    def row(self, claim: Claim) -> SafeString:
        actions = claim.actions
        opening = format_html(
            '<tr class="claim-row" data-claim="{}" data-version="{}" data-transition-url="{}"'
            ' data-can-start="{}" data-can-dismiss="{}" data-can-take="{}" data-can-verdict="{}">',
            claim.pk, claim.version, claim.links["transition"], _yes(actions["start"]),
            _yes(actions["dismiss"]), _yes(actions["take"]), _yes(actions["verdict"]),
        )  # fmt: skip
        select = self.bulk and format_html(
            '<td class="col-select"><input type="checkbox" name="claims" value="{}" id="select-{}"'
            ' aria-label="Select: {}"{}></td>',
            claim.pk, claim.pk, _truncated(claim.text, 80),
            SafeString(" checked" if claim.pk in self.selected else ""),
        )  # fmt: skip
        cells = (
            self._claim_cell(claim),
            self._source_cell(claim),
            self._hedges_cell(claim),
            self._confidence_cell(claim),
            self._status_cell(claim),
            self._due_cell(claim),
            self._assignee_cell(claim),
            self.can_work and self._actions_cell(claim),
        )
        return _join([opening, select, *cells, SafeString("</tr>")])

    def _claim_cell(self, claim: Claim) -> SafeString:
        links, article = claim.links, claim.article
        before, marked, after = claim.in_sentence
        sentence = (before or after) and format_html(
            '<p class="in-sentence small">{}<mark>{}</mark>{}</p>', before, marked, after
        )
        where = format_html(
            '<div class="muted small">in <a href="{}?claim={}">{}</a>{}{}</div>',
            links["article"], claim.pk, article.title or "untitled article",
            format_html(" · <bdi>{}</bdi>", article.publication) if article.publication else "",
            SafeString(' · <span class="flag">no longer found by the analysis</span>')
            if claim.missing_from_analysis else "",
        )  # fmt: skip
        repeats = claim.repeats > 1 and format_html(
            '<div class="small"><a class="repeats" href="{}#matches">Repeated in {} articles</a>'
            "</div>",
            links["claim"], claim.repeats,
        )  # fmt: skip
        return _join([
            SafeString('<td data-label="Claim" class="col-claim">'),
            format_html(
                '<a href="{}{}" class="claim-link">{}</a>',
                links["claim"], self.view_query, claim.text,
            ),
            sentence, where, repeats, SafeString("</td>"),
        ])  # fmt: skip

    def _source_cell(self, claim: Claim) -> SafeString:
        # By the resolved source when there is one: every spelling merged into it.
        query = (
            f"source_id={claim.source_id}"
            if claim.source_id
            else f"source={quote(claim.source_text, safe='')}"
        )
        source = claim.source_text and format_html(
            '<a class="source-name" href="{}?{}" title="Every claim by this source">{}</a><br>',
            self.queue_path, query, claim.source_text,
        )  # fmt: skip
        kind = format_html(
            '<span class="small">{} · {}</span>',
            self.source_types.get(claim.source_type, claim.source_type),
            self.strengths.get(claim.sourcing_strength, claim.sourcing_strength).lower(),
        )
        return _join([SafeString('<td data-label="Source">'), source, kind, SafeString("</td>")])

    def _hedges_cell(self, claim: Claim) -> SafeString:
        cues = format_html_join(
            "",
            '<span class="cue hedge-{}" title="{}">{}</span>',
            (
                (h.category, self.hedge_categories.get(h.category, h.category), h.text)
                for h in claim.hedge_list
            ),
        ) or SafeString('<span class="muted">none</span>')
        return _join([SafeString('<td data-label="Hedges">'), cues, SafeString("</td>")])

    def _confidence_cell(self, claim: Claim) -> SafeString:
        score = claim.confidence_score
        summary = format_html(
            '<summary><span class="badge lvl-{}">{}</span>{}'
            '<span class="visually-hidden">: why</span></summary>',
            claim.confidence_level or "none", self._level_label(claim.confidence_level),
            format_html(' <span class="small">{}</span>', percent(score))
            if score is not None else "",
        )  # fmt: skip
        reasons = format_html_join(
            "", "<li>{}</li>", ((r,) for r in claim.confidence_reasons)
        ) or SafeString("<li>No reasons recorded yet.</li>")
        return _join([
            SafeString('<td data-label="Confidence">\n<details class="reasons">'),
            summary, format_html("<ul>{}</ul>", reasons), SafeString("</details>\n</td>"),
        ])  # fmt: skip

    def _level_label(self, level: str) -> str:
        if level not in self.level_labels:  # the filter's, once per level and page
            self.level_labels[level] = str(level_label(level))
        return self.level_labels[level]

    def _status_cell(self, claim: Claim) -> SafeString:
        mark = version_change_label(claim)
        return format_html(
            '<td data-label="Status"><span class="status status-{}">{}</span>{}</td>',
            claim.status, self.statuses.get(claim.status, claim.status),
            format_html(
                '<br><span class="flag small version-{}">{}</span>', claim.version_change, mark
            ) if mark else "",
        )  # fmt: skip

    def _due_cell(self, claim: Claim) -> SafeString:
        due = claim.due
        if due:
            at = template_localtime(due["at"])
            when = format_html(
                '<span class="due{}">{}<strong>{}</strong><br>'
                '<time class="small" datetime="{}">{}</time></span>',
                " overdue" if due["overdue"] else "",
                SafeString('<span aria-hidden="true">⚠ </span>') if due["overdue"] else "",
                due["text"], at.isoformat(), date_filter(at, "D j M, H:i"),  # "c" is isoformat()
            )  # fmt: skip
        else:
            when = SafeString('<span class="muted">No due date</span>')
        priority = format_html(
            '<br><span class="small priority priority-{}">{} priority</span>',
            claim.priority,
            self.priorities.get(claim.priority, claim.priority),
        )
        return _join([SafeString('<td data-label="Due">'), when, priority, SafeString("</td>")])

    def _assignee_cell(self, claim: Claim) -> SafeString:
        if claim.assignee_id is None:
            who = SafeString('<span class="muted">—</span>')
        elif claim.assignee_id == self.user_pk:
            who = SafeString("<strong>you</strong>")
        else:
            who = claim.assignee.get_username()
        return format_html('<td data-label="Assignee">{}</td>', who)

    def _actions_cell(self, claim: Claim) -> SafeString:
        actions, url, pk = claim.actions, claim.links["claim"], claim.pk
        buttons = [
            actions["start"] and format_html(
                '<button type="submit" form="start-{}" data-action="start">Start</button>', pk
            ),
            actions["take"] and format_html(
                '<button type="submit" form="take-{}" data-action="take">Assign to me</button>', pk
            ),
            actions["verdict"] and format_html(
                '<a class="button" href="{}" data-action="verdict">Verdict…</a>', url
            ),
            actions["dismiss"] and format_html(
                '<a class="button danger" href="{}" data-action="dismiss">Dismiss…</a>', url
            ),
        ]  # fmt: skip
        return format_html(
            '<td data-label="Actions" class="col-actions"><div class="row-actions">\n{}\n'
            "</div></td>",
            _join(buttons),
        )

    def forms(self, claim: Claim) -> SafeString:
        actions, links = claim.actions, claim.links
        start = actions["start"] and format_html(
            '<form method="post" action="{}" id="start-{}" hidden>{}'
            '<input type="hidden" name="to_status" value="in_progress">'
            '<input type="hidden" name="version" value="{}">'
            '<input type="hidden" name="next" value="{}"></form>',
            links["transition"], claim.pk, self.csrf_input, claim.version, self.next_path,
        )  # fmt: skip
        take = actions["take"] and format_html(
            '<form method="post" action="{}" id="take-{}" hidden>{}'
            '<input type="hidden" name="assignee" value="{}">'
            '<input type="hidden" name="version" value="{}">'
            '<input type="hidden" name="next" value="{}"></form>',
            links["assign"], claim.pk, self.csrf_input, self.user_pk, claim.version,
            self.next_path,
        )  # fmt: skip
        return _join([start, take])
