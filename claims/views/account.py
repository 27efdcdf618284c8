"""The account page: who you are, what your roles let you do, your API tokens."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from claims.forms import (
    NotificationPreferencesForm,
    PasswordChangeForm,
    TokenCreateForm,
    TokenRevokeForm,
)
from claims.notifications import preferences_get, preferences_set
from claims.tokens import TokenError, token_create, token_list, token_revoke

from ._common import only_once, reader

# What each permission lets a person do, in the words of the roles.
ABILITIES = [
    ("claims.view_claim", "Read articles, claims and their history"),
    ("claims.work_claim", "Start, give back and dismiss claims; comment on them; take a claim"),
    ("claims.add_evidence", "Add evidence links"),
    ("claims.give_verdict", "Give, reopen and restore verdicts"),
    ("claims.assign_any", "Assign claims to anyone; bulk actions in the queue"),
    ("claims.add_article", "Add articles"),
    ("claims.reanalyze_article", "Start a new analysis of an article"),
]


def _context(request, **extra) -> dict:
    user = request.user
    return {
        "roles": [g.name for g in user.groups.all()],
        "abilities": [text for perm, text in ABILITIES if user.has_perm(perm)],
        "tokens": list(token_list(user=user)),
        "create_form": TokenCreateForm(),
        "prefs_form": NotificationPreferencesForm.from_preferences(preferences_get(user=user)),
        **extra,
    }


@reader
def account(request):
    return render(request, "claims/account.html", _context(request))


SENT_FORMS = "token-forms-used"  # the session's marks of token forms sent
SENT_FORMS_KEPT = 20


@only_once
@reader
@require_POST
def token_create_view(request):
    """Make a token and show its key in this response only: it is stored hashed
    and never shown again (and this page is not cached)."""
    form = TokenCreateForm(request.POST)
    if not form.is_valid():
        context = _context(request, create_form=form)
        return render(request, "claims/account.html", context, status=400)
    once = form.cleaned_data["once"]
    used = request.session.get(SENT_FORMS, [])
    if once and once in used:  # the page reloaded, or the form sent twice
        messages.warning(
            request,
            "That form was sent already, and its token made: it is listed below. Its key "
            "was shown once; if you did not copy it, revoke the token and create another.",
        )
        return redirect("dashboard:account")
    days = timedelta(days=form.cleaned_data["days"])
    try:
        token, key = token_create(user=request.user, expiry=days)
    except TokenError as exc:  # nothing made: the form may be sent again
        messages.error(request, str(exc))
        return redirect("dashboard:account")
    if once:
        request.session[SENT_FORMS] = [*used, once][-SENT_FORMS_KEPT:]
    context = _context(request, new_key=key, new_token=token)
    return render(request, "claims/account.html", context, status=201)


@reader
@require_POST
def notification_preferences_view(request):
    """Per kind of notification: in the inbox, by e-mail (each a checkbox)."""
    form = NotificationPreferencesForm(request.POST)
    if not form.is_valid():
        context = _context(request, prefs_form=form)
        return render(request, "claims/account.html", context, status=400)
    preferences_set(user=request.user, choices=form.choices())
    messages.success(request, "Your notification choices are saved.")
    return redirect("dashboard:account")


@reader
@require_POST
def token_revoke_view(request):
    form = TokenRevokeForm(request.POST)
    revoked = form.is_valid() and token_revoke(
        user=request.user, token_key_prefix=form.cleaned_data["token_key"]
    )
    if not revoked:
        messages.error(request, "No such token of yours.")
    elif revoked == 1:
        messages.success(request, "The token is revoked: requests with it are refused from now on.")
    else:  # its descendants went with it
        made = revoked - 1
        messages.success(
            request,
            f"The token is revoked, and the {made} token{'s' if made > 1 else ''} made with it: "
            "requests with them are refused from now on.",
        )
    return redirect("dashboard:account")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view with a form that checks the old password like a login does
    (counted and locked out). The admin's password change redirects here."""

    form_class = PasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}
