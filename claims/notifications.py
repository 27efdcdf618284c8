"""Notifications: the inbox, e-mail, and each person's choice of what they get.

The workflow (assignment, verdicts), the discussion (mentions) and the deadline
beat task call ``notify``; views only list and mark read. Nobody is notified of
their own action. E-mail goes through Django's e-mail backend after the commit
(the console backend in development), for the kinds a person asked for by
e-mail; without a preference row a person gets the inbox item and no e-mail.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from claims.models import (
    Claim,
    ClaimStatus,
    Comment,
    Notification,
    NotificationKind,
    NotificationPreference,
    StatusChange,
)

log = logging.getLogger(__name__)
Kind = NotificationKind
INBOX_PAGE = 50


# --- Preferences --------------------------------------------------------------------


def preferences_get(*, user) -> dict[str, dict[str, bool]]:
    """{kind: {"in_app": bool, "email": bool}} for every kind (defaults filled in)."""
    chosen = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    return {
        kind: {
            "in_app": chosen[kind].in_app if kind in chosen else True,
            "email": chosen[kind].email if kind in chosen else False,
        }
        for kind in Kind.values
    }


def preferences_set(*, user, choices: dict[str, dict[str, bool]]) -> None:
    """Store ``choices`` ({kind: {"in_app": bool, "email": bool}}) for ``user``."""
    unknown = set(choices) - set(Kind.values)
    if unknown:
        raise ValueError(f"Unknown notification kinds: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        for kind, ways in choices.items():
            NotificationPreference.objects.update_or_create(
                user=user,
                kind=kind,
                defaults={"in_app": bool(ways.get("in_app")), "email": bool(ways.get("email"))},
            )


# --- Sending ---------------------------------------------------------------------------


def notify(*, recipients, kind: str, claim: Claim, actor=None, message: str, due_at=None) -> int:
    """Tell each of ``recipients`` (users) about ``claim``, each as they chose;
    never the actor, and never someone who may not read claims (now: a person
    whose role was taken away keeps their account, their assignments and their
    history, and must not be e-mailed claims). Returns how many were written."""
    people = {
        u.pk: u
        for u in recipients
        if u is not None and u.is_active and u.has_perm("claims.view_claim")
    }
    if actor is not None:
        people.pop(actor.pk, None)
    if not people:
        return 0
    prefs = {
        p.user_id: p for p in NotificationPreference.objects.filter(user__in=people, kind=kind)
    }
    rows, mail_to = [], []
    now = timezone.now()
    for pk, person in people.items():
        pref = prefs.get(pk)
        in_app = pref is None or pref.in_app
        email = pref is not None and pref.email and bool(person.email)
        if not (in_app or email):
            continue
        if email:
            mail_to.append(person.email)
        # E-mail only: the row is still written, as read, so that what was sent is
        # on record (a deadline reminder is sent once because its row exists).
        rows.append(
            Notification(
                recipient=person,
                kind=kind,
                claim=claim,
                actor=actor,
                message=message[:300],
                due_at=due_at,
                read_at=None if in_app else now,
            )
        )
    Notification.objects.bulk_create(rows)
    if mail_to and settings.NOTIFICATIONS_EMAIL:
        transaction.on_commit(partial(_mail, mail_to, message, claim.pk))
    return len(rows)


def _mail(addresses: list[str], message: str, claim_id: int) -> None:
    link = settings.SITE_URL.rstrip("/") + f"/claims/{claim_id}/"
    try:
        send_mail(
            subject=f"[Claim tracker] {message[:120]}",
            message=f"{message}\n\n{link}\n\nChoose what you receive on your account page.",
            from_email=None,  # DEFAULT_FROM_EMAIL
            recipient_list=addresses,
        )
    except OSError as exc:  # the mail server is down: the inbox item is there anyway
        log.warning("notification e-mail to %d people not sent: %s", len(addresses), exc)


def _short(claim: Claim) -> str:
    text = " ".join(claim.text.split())
    return f"“{text[:80]}…”" if len(text) > 80 else f"“{text}”"


def notify_assigned(*, claim: Claim, assignee, actor) -> None:
    if assignee is None:
        return
    who = actor.get_username() if actor else "Someone"
    notify(
        recipients=[assignee],
        kind=Kind.ASSIGNED,
        claim=claim,
        actor=actor,
        message=f"{who} assigned you the claim {_short(claim)}",
    )


def notify_mentioned(*, comment: Comment, mentioned) -> None:
    who = comment.author.get_username() if comment.author else "Someone"
    readers = [u for u in mentioned if u.has_perm("claims.view_claim")]
    notify(
        recipients=readers,
        kind=Kind.MENTION,
        claim=comment.claim,
        actor=comment.author,
        message=f"{who} mentioned you on the claim {_short(comment.claim)}",
    )


def notify_verdict(*, claim: Claim, verdict: str, actor) -> None:
    """Everyone who worked on the claim: its assignee, whoever commented on it or
    changed its status."""
    users = get_user_model().objects.filter(
        Q(pk=claim.assignee_id)
        | Q(pk__in=Comment.objects.filter(claim=claim).values("author"))
        | Q(pk__in=StatusChange.objects.filter(claim=claim).values("user"))
    )
    who = actor.get_username() if actor else "Someone"
    label = ClaimStatus(verdict).label.lower()
    notify(
        recipients=list(users),
        kind=Kind.VERDICT,
        claim=claim,
        actor=actor,
        message=f"{who} gave the verdict {label} on {_short(claim)}",
    )


def deadline_reminders_send(*, now=None, within: timedelta = timedelta(days=1)) -> int:
    """Remind each open claim's assignee of a deadline within ``within``: once per
    claim, person and deadline (a second run, or a redelivered task, finds the
    reminder already there; a claim whose due date moves gets one for the new date,
    a claim reassigned one for its new assignee). Returns how many were written."""
    now = now or timezone.now()
    reminded = Notification.objects.filter(
        kind=Kind.DEADLINE,
        claim=OuterRef("pk"),
        recipient=OuterRef("assignee"),
        due_at=OuterRef("due_at"),
    )
    due = (
        Claim.objects.filter(
            due_at__gt=now,
            due_at__lte=now + within,
            assignee__isnull=False,
            status__in=[ClaimStatus.UNSTARTED, ClaimStatus.IN_PROGRESS],
        )
        .exclude(Exists(reminded))
        .select_related("assignee")
        .only("pk", "text", "due_at", "assignee")
    )
    sent = 0
    for claim in due:
        when = timezone.localtime(claim.due_at).strftime("%Y-%m-%d %H:%M")
        try:
            with transaction.atomic():
                sent += notify(
                    recipients=[claim.assignee],
                    kind=Kind.DEADLINE,
                    claim=claim,
                    message=f"Due {when}: the claim {_short(claim)}",
                    due_at=claim.due_at,
                )
        except IntegrityError:  # another run reminded of it in between
            continue
    return sent


# --- The inbox ----------------------------------------------------------------------


def inbox(*, user) -> QuerySet[Notification]:
    """The user's notifications, newest first, with what a row shows (one query)."""
    return (
        Notification.objects.filter(recipient=user)
        .select_related("actor", "claim")
        .only(
            "pk",
            "kind",
            "message",
            "created_at",
            "read_at",
            "claim__id",
            "claim__text",
            "claim__status",
            "actor__username",
        )
    )


def unread_count(*, user, limit: int | None = None) -> int:
    """The user's unread notifications; with ``limit``, counted up to it only (the
    header's badge: a COUNT of 100k unread read them all on every page, 15-35 ms)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if limit is not None:
        return unread.values("pk")[:limit].count()
    return unread.count()


def notifications_mark_read(*, user, ids: list[int] | None = None, upto: int | None = None) -> int:
    """Mark the user's notifications ``ids`` read; or, with ``upto`` (the newest
    one the person was shown), those up to it: one that came after the page was
    shown stays unread. Neither: all of them."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    if upto is not None:
        qs = qs.filter(pk__lte=upto)
    return qs.update(read_at=timezone.now())
