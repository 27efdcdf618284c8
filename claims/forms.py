"""The dashboard's forms. They check the shape of the input only; what may be
done is decided by claims.workflow and claims.services."""

from __future__ import annotations

import secrets

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth import forms as auth_forms

from claims.domain import PK_MAX, as_pk, validate_evidence_url
from claims.filters import QUICK_VIEWS, SEARCH_MAX, BooleanValueField, assignable_users
from claims.models import (
    Article,
    ClaimStatus,
    ConfidenceLevel,
    DismissReason,
    HedgeCategory,
    NotificationKind,
    Priority,
    SourceType,
    Strength,
    WebhookEvent,
)
from claims.workflow import VERDICTS, WorkflowError, dismiss_check

NOTE_MAX = 5000


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form, but the old password is checked through authenticate() with
    the request, so the login lockout (django-axes) counts wrong guesses here and
    refuses a locked account: a stolen session cannot be used to guess the password."""

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        checked = authenticate(
            self.request, username=self.user.get_username(), password=old_password
        )
        if checked is None or checked.pk != self.user.pk:
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


def _any(choices, label="Any"):
    return [("", label), *choices]


class ClaimForm(forms.Form):
    """Several of these share the claim page: each keeps its own element ids."""

    prefix_id = "f"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.prefix_id}_%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class VersionedForm(ClaimForm):
    """The claim's version when the page was shown: a save made in between is
    refused (claims.workflow.StaleVersion) rather than silently overwritten."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class TransitionForm(VersionedForm):
    prefix_id = "status"
    to_status = forms.ChoiceField(choices=ClaimStatus.choices)
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Note on this change",
        help_text="Required for a verdict and for reopening one: say what checking found.",
    )
    # Sent with a dismiss (the keyboard's "d" sends these two names too).
    dismiss_reason = forms.ChoiceField(
        required=False,
        choices=_any(DismissReason.choices, "Choose a reason"),
        label="Why dismiss it",
    )


class DismissForm(TransitionForm):
    """The claim page's own dismiss form: the same fields, its own element ids."""

    prefix_id = "dismiss"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].label = "Say why (required for “other”)"
        self.fields["note"].help_text = ""
        self.fields["note"].widget.attrs["rows"] = 2


class PlanForm(VersionedForm):
    """An editor's plan for a claim: when it is due and how urgent it is."""

    prefix_id = "plan"
    due_at = forms.DateTimeField(
        required=False,
        label="Due",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        help_text="Leave empty for no deadline.",
    )
    priority = forms.TypedChoiceField(coerce=int, choices=Priority.choices, label="Priority")


class PublishForm(VersionedForm):
    """The published fact-check of a verdict: what its ClaimReview shows in public."""

    prefix_id = "publish"
    public_url = forms.URLField(
        required=False,
        max_length=2000,
        label="Published fact-check URL",
        assume_scheme="https",
        validators=[validate_evidence_url],
    )
    public_summary = forms.CharField(
        required=False,
        max_length=NOTE_MAX,
        label="Public summary",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown in public as the review's explanation; not the desk's internal notes.",
    )


class AssignForm(VersionedForm):
    prefix_id = "assign"
    assignee = forms.ModelChoiceField(
        queryset=assignable_users(), required=False, empty_label="Nobody (unassigned)"
    )


class NotesForm(VersionedForm):
    prefix_id = "notes"
    notes = forms.CharField(
        required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 4})
    )


class CommentForm(ClaimForm):
    prefix_id = "comment"
    body = forms.CharField(
        max_length=20_000,
        label="Add to the discussion",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Markdown: **bold**, _italic_, [a link](https://example.org), lists. "
        "@username tells a colleague (they get a notification).",
    )


class NotificationPreferencesForm(forms.Form):
    """Per kind: in the inbox, and by e-mail."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "pref_%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for kind, label in NotificationKind.choices:
            self.fields[f"{kind}_in_app"] = forms.BooleanField(required=False, label="In the inbox")
            self.fields[f"{kind}_email"] = forms.BooleanField(required=False, label="By e-mail")
            self.fields[f"{kind}_in_app"].kind_label = label

    @classmethod
    def from_preferences(cls, prefs: dict) -> NotificationPreferencesForm:
        initial = {}
        for kind, ways in prefs.items():
            initial[f"{kind}_in_app"] = ways["in_app"]
            initial[f"{kind}_email"] = ways["email"]
        return cls(initial=initial)

    def rows(self):
        """(label, in-app field, e-mail field) per kind, for the template's table."""
        return [
            (label, self[f"{kind}_in_app"], self[f"{kind}_email"])
            for kind, label in NotificationKind.choices
        ]

    def choices(self) -> dict:
        data = self.cleaned_data
        return {
            kind: {"in_app": data[f"{kind}_in_app"], "email": data[f"{kind}_email"]}
            for kind in NotificationKind.values
        }


class EvidenceForm(ClaimForm):
    prefix_id = "evidence"
    url = forms.URLField(
        max_length=2000, label="Link", assume_scheme="https", validators=[validate_evidence_url]
    )
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX,
        label="What it shows",
        widget=forms.TextInput(),
    )


class IngestForm(forms.Form):
    """One of: pasted text, a file, a URL (the service says so if it is not one)."""

    text = forms.CharField(
        required=False,
        label="Paste the article",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
        help_text=(
            "Title on the first line; byline and date lines are recognised. "
            "A page's HTML source is read as an uploaded page is."
        ),
    )
    upload = forms.FileField(
        required=False,
        label="Or upload a file",
        help_text=".txt, .md or .html",
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.md,.markdown,.html,.htm"}),
    )
    url = forms.URLField(
        required=False, max_length=2000, label="Or give its address", assume_scheme="https"
    )


BULK_ACTIONS = [
    ("start", "Start (in progress)"),
    ("dismiss", "Dismiss ..."),
    ("assign", "Assign to ..."),
    ("plan", "Set due date / priority ..."),
    *[(f"verdict:{v}", f"Verdict: {ClaimStatus(v).label}") for v in VERDICTS],
]
BULK_TARGETS = {"start": ClaimStatus.IN_PROGRESS, "dismiss": ClaimStatus.DISMISSED}
BULK_TARGETS.update({f"verdict:{v}": v for v in VERDICTS})
# The explicit "nobody" choice of "Assign to": never the default (an empty
# choice is refused), so a forgotten person cannot silently unassign claims.
UNASSIGN = "none"


class BulkForm(ClaimForm):
    prefix_id = "bulk"
    claims = forms.TypedMultipleChoiceField(
        coerce=int,
        choices=(),
        label="Claims",
        error_messages={"required": "Select at least one claim."},
    )
    action = forms.ChoiceField(choices=_any(BULK_ACTIONS, "Choose an action"))
    assignee = forms.ChoiceField(required=False, label="Assign to")
    dismiss_reason = forms.ChoiceField(
        required=False,
        choices=_any(DismissReason.choices, "Choose a reason"),
        label="Why dismiss",
    )
    due_at = forms.DateTimeField(
        required=False,
        label="Due",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    priority = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        choices=_any(Priority.choices, "Keep"),
        label="Priority",
    )
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required for a verdict and for a dismiss for “other” reasons.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any claim id; the service loads them and refuses what it must.
        ids = self.data.getlist("claims") if hasattr(self.data, "getlist") else []
        self.fields["claims"].choices = [(i, i) for i in ids if as_pk(i) is not None]
        people = [(str(u.pk), u.get_username()) for u in assignable_users()]
        self.fields["assignee"].choices = [
            ("", "Choose a person"),
            *people,
            (UNASSIGN, "Nobody: unassign them"),
        ]

    def clean_action(self):
        action = self.cleaned_data["action"]
        if not action:
            raise forms.ValidationError("Choose what to do with the selected claims.")
        return action

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == "assign" and not data.get("assignee"):
            self.add_error(
                "assignee",
                'Choose who gets the claims ("Nobody: unassign them" to unassign): '
                "nothing was changed.",
            )
        if action == "dismiss":
            try:
                dismiss_check(ClaimStatus.DISMISSED, data.get("dismiss_reason"), data.get("note"))
            except WorkflowError as exc:
                self.add_error("dismiss_reason", f"{exc.message} Nothing was changed.")
        if action and action.startswith("verdict:") and not (data.get("note") or "").strip():
            self.add_error("note", "A note (the rationale) is required for a verdict.")
        if action == "plan" and data.get("due_at") is None and data.get("priority") is None:
            self.add_error("due_at", "Give a due date or a priority to set: nothing was changed.")
        return data

    def assignee_user(self):
        """The chosen person (None for the explicit "nobody")."""
        chosen = self.cleaned_data["assignee"]
        if chosen == UNASSIGN:
            return None
        return assignable_users().get(pk=int(chosen))


SORTS = {
    "worth": ("Most check-worthy first", ["-checkworthiness", "article_id", "position"]),
    "score": ("Lowest confidence first", ["confidence_score", "article_id", "position"]),
    "due": ("Due date, soonest first", ["due_key", "priority"]),
    "priority": ("Priority, urgent first", ["priority", "due_key"]),
    "newest": ("Newest first", ["-created_at", "position"]),
    "oldest": ("Oldest first", ["created_at", "position"]),
    "article": ("By article, in reading order", ["article_id", "position"]),
}
PAGE_SIZES = [25, 50, 100]


class RawCheckbox(forms.CheckboxInput):
    """A checkbox that hands its value over as sent (CheckboxInput makes "abc"
    True), for BooleanValueField to accept or refuse."""

    def value_from_datadict(self, data, files, name):
        return data.get(name)


def _several(choices, label):
    """Several values of one filter, as a group of checkboxes
    (?status=unstarted&status=in_progress)."""
    return forms.MultipleChoiceField(
        required=False, label=label, choices=choices, widget=forms.CheckboxSelectMultiple
    )


class QueueForm(forms.Form):
    """The queue's controls: claims.filters.ClaimFilter's fields (the filter reads
    the same query string), plus sort and page size."""

    view = forms.ChoiceField(required=False, choices=list(QUICK_VIEWS.items()), label="View")
    q = forms.CharField(
        required=False,
        label="Search",
        max_length=SEARCH_MAX,
        help_text="The claim, its source, or the article's title or publication.",
    )
    status = _several(ClaimStatus.choices, "Status")
    confidence_level = _several(ConfidenceLevel.choices, "Confidence")
    priority = forms.TypedMultipleChoiceField(
        required=False,
        label="Priority",
        coerce=int,
        choices=Priority.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    # Strict, as in the API: ?changed=abc is an error shown, not a filter ignored.
    overdue = BooleanValueField(label="Overdue only", widget=RawCheckbox)
    changed = BooleanValueField(label="Changed since last version", widget=RawCheckbox)
    source_type = _several(SourceType.choices, "Source type")
    sourcing_strength = _several(Strength.choices, "Strength")
    hedge_category = _several(HedgeCategory.choices, "Hedge")
    # Validated by id only: the page offers the chosen article and up to 20
    # matches of a search as you type (claims.views.queue.article_suggest),
    # never a <select> of every article (5.1 MB of HTML at 1M claims).
    article = forms.ModelChoiceField(
        required=False,
        queryset=Article.objects.only("pk", "title"),
        empty_label="Any",
    )
    # Typed, with suggestions (an htmx-filled datalist), not a list of every user.
    assignee = forms.CharField(
        required=False,
        label="Assignee",
        max_length=150,
        help_text='A username, "me" or "none".',
    )
    # Every claim by one source: the source names on the claim page and in the
    # queue link here (exact name, as the analysis read it).
    source = forms.CharField(required=False, label="Source (exact name)", max_length=500)
    # The same by the resolved source (every spelling merged into it): the links'.
    source_id = forms.IntegerField(
        required=False, min_value=1, max_value=PK_MAX, label="Source (id)", widget=forms.TextInput
    )
    sort = forms.ChoiceField(
        required=False, choices=[(k, v[0]) for k, v in SORTS.items()], label="Sort"
    )
    # ?group=cluster: one row per cluster of claims that say the same thing.
    group = forms.ChoiceField(
        required=False, choices=[("cluster", "One row per repeated claim")], label="Group"
    )
    per_page = forms.TypedChoiceField(
        required=False,
        coerce=int,
        choices=[(n, n) for n in PAGE_SIZES],
        empty_value=PAGE_SIZES[1],
        initial=PAGE_SIZES[1],
        label="Per page",
    )

    def order_by(self) -> list[str]:
        return SORTS[self.sort_name()][1]

    def sort_name(self) -> str:
        """The sort's name (a key of SORTS): "worth" unless a valid one is given."""
        sort = self.cleaned_data.get("sort") if self.is_valid() else None
        return sort or "worth"

    def grouped(self) -> bool:
        """Whether the queue shows one row per cluster (?group=cluster)."""
        return self.is_valid() and self.cleaned_data.get("group") == "cluster"

    def page_size(self) -> int:
        size = self.cleaned_data.get("per_page") if self.is_valid() else None
        return size or PAGE_SIZES[1]


# The queue's query string parameters a saved view keeps (not the page cursor).
QUEUE_FIELDS = [*QueueForm.base_fields, "article_q"]


class SavedViewForm(forms.Form):
    name = forms.CharField(max_length=100, label="Name this view")
    query = forms.CharField(required=False, max_length=4000, widget=forms.HiddenInput)


TOKEN_DAYS = [7, 30, 90, 365]


class TokenCreateForm(forms.Form):
    days = forms.TypedChoiceField(
        coerce=int,
        choices=[(d, f"{d} days") for d in TOKEN_DAYS],
        initial=90,
        label="Valid for",
    )
    # A new form's own mark: the page after "Create a token" is that POST's answer
    # (the key is shown once and stored nowhere), and reloading it sent the form
    # again and made a second live token. A mark is used once (the view keeps the
    # used ones in the session); a form without one is made as before.
    once = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        longest = settings.API_TOKEN_MAX_DAYS
        self.fields["days"].choices = [(d, f"{d} days") for d in TOKEN_DAYS if d <= longest]
        if not self.is_bound:
            self.initial.setdefault("once", secrets.token_urlsafe(16))


class TokenRevokeForm(forms.Form):
    token_key = forms.CharField(max_length=64)


# --- Sources ---------------------------------------------------------------------------


class SourceMergeForm(forms.Form):
    into = forms.IntegerField(
        label="Merge this source into source number",
        min_value=1,
        max_value=PK_MAX,
        help_text="The number shown beside each source on the sources list.",
    )


class SourceSplitForm(forms.Form):
    aliases = forms.MultipleChoiceField(
        label="Names to split off into a new source",
        widget=forms.CheckboxSelectMultiple,
        help_text="Their claims move with them; the other names stay here.",
    )

    def __init__(self, *args, names: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["aliases"].choices = [(n, n) for n in names]


class MatchDecisionForm(forms.Form):
    """An editor's confirm or reject of a suggested match (the decision is in the URL)."""

    note = forms.CharField(required=False, max_length=5000)


class VerdictAcceptForm(forms.Form):
    """Take the verdict of another claim of the cluster."""

    source = forms.IntegerField(min_value=1)
    version = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)


class FeedForm(forms.Form):
    """A feed subscription; the service checks the address (as URL ingest does),
    duplicates and the interval's bounds."""

    url = forms.URLField(
        max_length=2000,
        label="Feed address",
        assume_scheme="https",
        help_text="The RSS or Atom feed's own address (often ending in /feed, .rss or .xml).",
    )
    title = forms.CharField(
        required=False, max_length=500, label="Name", help_text="Empty: the feed's own title."
    )
    poll_interval_minutes = forms.IntegerField(
        label="Poll every (minutes)", min_value=5, max_value=24 * 60, initial=15
    )
    active = forms.BooleanField(
        required=False, initial=True, label="Active", help_text="Unticked: not polled."
    )


# --- Webhooks ---------------------------------------------------------------------------


def webhook_url_rules() -> str:
    """What the server accepts now (WEBHOOK_ALLOW_HTTP, WEBHOOK_ALLOW_PRIVATE_URLS),
    as claims.services.webhooks.webhook_url_check applies it."""
    scheme = "https:// or http://" if settings.WEBHOOK_ALLOW_HTTP else "https:// only"
    private = (
        "private and local addresses are accepted (WEBHOOK_ALLOW_PRIVATE_URLS)"
        if settings.WEBHOOK_ALLOW_PRIVATE_URLS
        else "private and local addresses are refused"
    )
    return f"{scheme}; {private}."


class WebhookEndpointForm(forms.Form):
    url = forms.CharField(label="Endpoint URL", max_length=2000)
    description = forms.CharField(label="Description", max_length=300, required=False)
    events = forms.MultipleChoiceField(
        label="Events", choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["url"].help_text = webhook_url_rules()
