"""The dashboard's forms. They check the shape of the input only; what may be
done is decided by claims.workflow and claims.services."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth import forms as auth_forms

from claims.domain import validate_evidence_url
from claims.filters import assignee_choices
from claims.models import (
    Article,
    ClaimStatus,
    ConfidenceLevel,
    HedgeCategory,
    SourceType,
    Strength,
)
from claims.workflow import VERDICTS

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


class AssignForm(VersionedForm):
    prefix_id = "assign"
    assignee = forms.ModelChoiceField(
        queryset=assignee_choices(), required=False, empty_label="Nobody (unassigned)"
    )


class NotesForm(VersionedForm):
    prefix_id = "notes"
    notes = forms.CharField(
        required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 4})
    )


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
        help_text="Title on the first line; byline and date lines are recognised.",
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
    ("dismiss", "Dismiss (not checkable)"),
    ("assign", "Assign to ..."),
    *[(f"verdict:{v}", f"Verdict: {ClaimStatus(v).label}") for v in VERDICTS],
]
BULK_TARGETS = {"start": ClaimStatus.IN_PROGRESS, "dismiss": ClaimStatus.DISMISSED}
BULK_TARGETS.update({f"verdict:{v}": v for v in VERDICTS})


class BulkForm(ClaimForm):
    prefix_id = "bulk"
    claims = forms.TypedMultipleChoiceField(
        coerce=int,
        choices=(),
        label="Claims",
        error_messages={"required": "Select at least one claim."},
    )
    action = forms.ChoiceField(choices=_any(BULK_ACTIONS, "Choose an action"))
    assignee = forms.ModelChoiceField(
        queryset=assignee_choices(),
        required=False,
        empty_label="Nobody (unassign)",
        label="Assign to",
    )
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required for a verdict.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any claim id; the service loads them and refuses what it must.
        ids = self.data.getlist("claims") if hasattr(self.data, "getlist") else []
        self.fields["claims"].choices = [(i, i) for i in ids if i.isdigit()]

    def clean_action(self):
        action = self.cleaned_data["action"]
        if not action:
            raise forms.ValidationError("Choose what to do with the selected claims.")
        return action


SORTS = {
    "worth": ("Most check-worthy first", ["-checkworthiness", "article_id", "position"]),
    "score": ("Lowest confidence first", ["confidence_score", "article_id", "position"]),
    "newest": ("Newest first", ["-created_at", "position"]),
    "oldest": ("Oldest first", ["created_at", "position"]),
    "article": ("By article, in reading order", ["article_id", "position"]),
}
PAGE_SIZES = [25, 50, 100]


class QueueForm(forms.Form):
    """The queue's controls: claims.filters.ClaimFilter's fields (the filter reads
    the same query string), plus sort and page size."""

    q = forms.CharField(required=False, label="Search", max_length=200)
    confidence_level = forms.ChoiceField(
        required=False, label="Confidence", choices=_any(ConfidenceLevel.choices)
    )
    status = forms.ChoiceField(required=False, choices=_any(ClaimStatus.choices))
    source_type = forms.ChoiceField(
        required=False, label="Source type", choices=_any(SourceType.choices)
    )
    sourcing_strength = forms.ChoiceField(
        required=False, label="Strength", choices=_any(Strength.choices)
    )
    hedge_category = forms.ChoiceField(
        required=False, label="Hedge", choices=_any(HedgeCategory.choices)
    )
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
    sort = forms.ChoiceField(
        required=False, choices=[(k, v[0]) for k, v in SORTS.items()], label="Then sort"
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

    def page_size(self) -> int:
        size = self.cleaned_data.get("per_page") if self.is_valid() else None
        return size or PAGE_SIZES[1]


TOKEN_DAYS = [7, 30, 90, 365]


class TokenCreateForm(forms.Form):
    days = forms.TypedChoiceField(
        coerce=int,
        choices=[(d, f"{d} days") for d in TOKEN_DAYS],
        initial=90,
        label="Valid for",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        longest = settings.API_TOKEN_MAX_DAYS
        self.fields["days"].choices = [(d, f"{d} days") for d in TOKEN_DAYS if d <= longest]


class TokenRevokeForm(forms.Form):
    token_key = forms.CharField(max_length=64)


class MatchDecisionForm(forms.Form):
    """An editor's confirm or reject of a suggested match (the decision is in the URL)."""

    note = forms.CharField(required=False, max_length=5000)


class VerdictAcceptForm(forms.Form):
    """Take the verdict of another claim of the cluster."""

    source = forms.IntegerField(min_value=1)
    version = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
