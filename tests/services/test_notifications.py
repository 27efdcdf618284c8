"""Notifications: each kind, never to the actor, each person's choices, e-mail,
and the deadline reminders of the beat task (once per claim, person and deadline)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from claims import notifications
from claims.models import Notification
from claims.services import claims_bulk_assign
from claims.tasks import deadline_reminders_task
from claims.workflow import claim_assign, claim_transition, comment_add
from tests.factories import ClaimFactory, checker, editor, viewer

pytestmark = pytest.mark.django_db


def kinds(user) -> list[tuple[str, int]]:
    return [(n.kind, n.claim_id) for n in Notification.objects.filter(recipient=user)]


def test_assignment_notifies_the_assignee_not_the_actor():
    boss, ana = editor(), checker(username="ana")
    claim = ClaimFactory()
    claim_assign(claim=claim, assignee=ana, user=boss, expected_version=1)
    note = Notification.objects.get()
    assert (note.recipient, note.kind, note.actor) == (ana, "assigned", boss)
    assert note.message.startswith("editor assigned you the claim")
    # Taking a claim oneself: no notification.
    other = ClaimFactory()
    claim_assign(claim=other, assignee=ana, user=ana, expected_version=1)
    assert kinds(ana) == [("assigned", claim.pk)]
    assert kinds(boss) == []


def test_bulk_assign_notifies_per_claim():
    boss, ana = editor(), checker(username="ana")
    claims = [ClaimFactory(), ClaimFactory()]
    result = claims_bulk_assign(claims=claims, assignee=ana, user=boss)
    assert sorted(result.done) == sorted(c.pk for c in claims)
    assert sorted(kinds(ana)) == sorted(("assigned", c.pk) for c in claims)


def test_a_mention_notifies_whoever_can_read_claims():
    ana, bob = checker(username="ana"), viewer(username="bob")
    claim = ClaimFactory()
    comment_add(claim=claim, body="@bob look, and @ana (me) too", user=ana)
    assert kinds(bob) == [("mention", claim.pk)]
    assert kinds(ana) == []  # never oneself


def test_a_verdict_notifies_everyone_who_worked_on_the_claim():
    boss = editor()
    ana, bob, cem, dee = (checker(username=n) for n in ("ana", "bob", "cem", "dee"))
    claim = ClaimFactory()
    claim_transition(claim=claim, to_status="in_progress", user=ana, expected_version=1)
    claim_assign(claim=claim, assignee=bob, user=boss, expected_version=2)
    comment_add(claim=claim, body="Looked at it.", user=cem)
    Notification.objects.all().delete()
    claim_transition(claim=claim, to_status="false", user=boss, note="Wrong.", expected_version=3)
    got = Notification.objects.filter(kind="verdict")
    assert sorted(n.recipient.username for n in got) == ["ana", "bob", "cem"]
    assert kinds(dee) == [] and kinds(boss) == []
    assert "gave the verdict false" in got[0].message


def test_a_status_change_that_is_no_verdict_notifies_nobody():
    ana = checker(username="ana")
    claim = ClaimFactory(assignee=ana)
    claim_transition(claim=claim, to_status="in_progress", user=editor(), expected_version=1)
    assert not Notification.objects.exists()


def test_preferences_default_and_choice():
    ana = checker(username="ana", email="ana@example.org")
    prefs = notifications.preferences_get(user=ana)
    assert prefs["mention"] == {"in_app": True, "email": False}
    notifications.preferences_set(user=ana, choices={"assigned": {"in_app": False, "email": False}})
    claim_assign(claim=ClaimFactory(), assignee=ana, user=editor(), expected_version=1)
    assert kinds(ana) == [] and mail.outbox == []
    with pytest.raises(ValueError):
        notifications.preferences_set(user=ana, choices={"spam": {"in_app": True}})


def test_email_goes_to_who_asked_for_it(django_capture_on_commit_callbacks, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ana = checker(username="ana", email="ana@example.org")
    bob = checker(username="bob", email="bob@example.org")
    notifications.preferences_set(user=ana, choices={"mention": {"in_app": False, "email": True}})
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(claim=ClaimFactory(), body="@ana and @bob", user=editor())
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]
    assert "mentioned you" in mail.outbox[0].subject
    # E-mail only: on record, but not unread in the inbox.
    assert notifications.unread_count(user=ana) == 0
    assert notifications.unread_count(user=bob) == 1


def test_email_can_be_switched_off(django_capture_on_commit_callbacks, settings):
    settings.NOTIFICATIONS_EMAIL = False
    ana = checker(username="ana", email="ana@example.org")
    notifications.preferences_set(user=ana, choices={"mention": {"in_app": True, "email": True}})
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(claim=ClaimFactory(), body="@ana", user=editor())
    assert mail.outbox == [] and notifications.unread_count(user=ana) == 1


def test_mark_read_one_and_all():
    ana = checker(username="ana")
    boss = editor()
    for _ in range(3):
        claim_assign(claim=ClaimFactory(), assignee=ana, user=boss, expected_version=1)
    first = Notification.objects.filter(recipient=ana).last()
    assert notifications.notifications_mark_read(user=boss, ids=[first.pk]) == 0  # not theirs
    assert notifications.notifications_mark_read(user=ana, ids=[first.pk]) == 1
    assert notifications.unread_count(user=ana) == 2
    assert notifications.notifications_mark_read(user=ana) == 2
    assert notifications.unread_count(user=ana) == 0


def test_deadline_reminders_once_per_claim_per_deadline():
    ana = checker(username="ana")
    now = timezone.now()
    soon = ClaimFactory(assignee=ana, due_at=now + timedelta(hours=5))
    ClaimFactory(assignee=ana, due_at=now + timedelta(days=3))  # not yet
    ClaimFactory(assignee=ana, due_at=now - timedelta(hours=1))  # past
    ClaimFactory(assignee=ana, due_at=now + timedelta(hours=2), status="false")  # done
    ClaimFactory(due_at=now + timedelta(hours=2))  # nobody to remind
    assert notifications.deadline_reminders_send(now=now) == 1
    assert notifications.deadline_reminders_send(now=now) == 0
    deadline_reminders_task.delay()  # the beat task: the same, idempotent
    assert kinds(ana) == [("deadline", soon.pk)]
    assert Notification.objects.get().due_at == soon.due_at
    # A new deadline is a new reminder.
    soon.due_at = now + timedelta(hours=8)
    soon.save(update_fields=["due_at"])
    assert notifications.deadline_reminders_send(now=now) == 1
    assert notifications.deadline_reminders_send(now=now) == 0


def test_a_claim_reassigned_after_its_reminder_reminds_the_new_assignee():
    ana, bo = checker(username="ana"), checker(username="bo")
    now = timezone.now()
    claim = ClaimFactory(assignee=bo, due_at=now + timedelta(hours=5))
    assert notifications.deadline_reminders_send(now=now) == 1
    claim_assign(claim=claim, assignee=ana, user=editor(username="boss"), expected_version=1)
    assert notifications.deadline_reminders_send(now=now) == 1
    assert notifications.deadline_reminders_send(now=now) == 0
    assert ("deadline", claim.pk) in kinds(ana) and ("deadline", claim.pk) in kinds(bo)


@pytest.mark.django_db(transaction=True)
def test_migration_0028_goes_back_once_reminders_went_to_several_people():
    """Backwards, 0028 keeps the newest reminder per claim and deadline before
    the constraint per claim and deadline comes back (and forwards again)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    ana, bo = checker(username="ana"), checker(username="bo")
    now = timezone.now()
    claim = ClaimFactory(assignee=bo, due_at=now + timedelta(hours=5))
    notifications.deadline_reminders_send(now=now)
    claim_assign(claim=claim, assignee=ana, user=editor(username="boss"), expected_version=1)
    notifications.deadline_reminders_send(now=now)
    other = ClaimFactory(assignee=ana, due_at=now + timedelta(hours=3))
    notifications.deadline_reminders_send(now=now)
    assert Notification.objects.filter(kind="deadline").count() == 3
    newest = Notification.objects.get(kind="deadline", claim=claim, recipient=ana)

    before = ("claims", "0027_content_hash_normalised")
    after = ("claims", "0028_notification_deadline_per_person")
    MigrationExecutor(connection).migrate([before])
    try:
        reminders = Notification.objects.filter(kind="deadline")
        assert sorted(reminders.values_list("pk", flat=True)) == sorted(
            [newest.pk, Notification.objects.get(kind="deadline", claim=other).pk]
        )
    finally:
        # Forwards to the latest, not to 0028 alone: the tests after this one (in
        # any order) need every later migration's tables and columns.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert after in MigrationExecutor(connection).loader.applied_migrations
    claim_assign(claim=claim, assignee=bo, user=editor(username="boss2"), expected_version=2)
    assert notifications.deadline_reminders_send(now=now) == 1  # per person again


def test_the_beat_schedule_runs_the_reminders_on_the_default_queue(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["deadline-reminders"]
    assert entry["task"] == "claims.tasks.deadline_reminders_task"
    assert entry["options"]["queue"] == "default"
    assert deadline_reminders_task.name == entry["task"]


def test_someone_whose_role_was_taken_away_is_no_longer_told_about_claims(
    django_capture_on_commit_callbacks, settings
):
    """A freelancer who worked on a claim and then lost their role (still an
    active account, no longer allowed to read claims) gets neither an inbox
    item nor an e-mail with the claim's text: not for a verdict, nor for a
    deadline of a claim still assigned to them."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    boss = editor()
    ana = checker(username="ana", email="ana@example.org")
    for kind in ("verdict", "deadline"):
        notifications.preferences_set(user=ana, choices={kind: {"in_app": True, "email": True}})
    claim = ClaimFactory(due_at=timezone.now() + timedelta(hours=3))
    claim_transition(claim=claim, to_status="in_progress", user=ana, expected_version=1)
    ana.groups.clear()  # the role is taken away; the account stays active
    ana = type(ana).objects.get(pk=ana.pk)  # no cached permissions
    assert not ana.has_perm("claims.view_claim")
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.deadline_reminders_send() == 0
        claim.refresh_from_db()
        claim_transition(
            claim=claim, to_status="false", user=boss, note="Wrong.", expected_version=claim.version
        )
    assert kinds(ana) == [] and mail.outbox == []
