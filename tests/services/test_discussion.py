"""Comments: append-only, markdown rendered safely, @mentions recorded; the old
notes moved into the discussion by migration 0014, and the old notes service
still works."""

import importlib

import pytest
from django.apps import apps
from django.db import connection

from claims.markup import mention_candidates, render_markdown
from claims.models import Comment
from claims.workflow import NotPermitted, WorkflowError, claim_set_notes, comment_add
from tests.factories import ClaimFactory, UserFactory, checker, editor, viewer

pytestmark = pytest.mark.django_db


def test_a_comment_is_stored_with_its_author_and_rendering():
    claim = ClaimFactory()
    ana = checker(username="ana")
    comment = comment_add(claim=claim, body="Called the **county**.", user=ana)
    assert comment.author == ana and comment.claim == claim
    assert comment.body_html == "<p>Called the <strong>county</strong>.</p>\n"
    claim.refresh_from_db()
    assert claim.version == 1  # a comment never conflicts with a status change


def test_comments_are_append_only():
    comment = comment_add(claim=ClaimFactory(), body="First.", user=checker())
    comment.body = "Rewritten."
    with pytest.raises(PermissionError):
        comment.save()
    with pytest.raises(PermissionError):
        comment.delete()
    assert Comment.objects.get().body == "First."


@pytest.mark.postgres
def test_the_database_refuses_to_change_a_comment():
    from django.db import DatabaseError, transaction

    comment = comment_add(claim=ClaimFactory(), body="First.", user=checker())
    for statement in ("UPDATE claims_comment SET body = 'x'", "DELETE FROM claims_comment"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert Comment.objects.get(pk=comment.pk).body == "First."


@pytest.mark.parametrize(
    "body, forbidden",
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src="x" onerror="alert(1)">', "<img"),
        ("[click](javascript:alert(1))", 'href="javascript'),
        ("[click](JaVaScRiPt:alert(1))", "href="),
        ("[x](data:text/html;base64,PHNjcmlwdD4=)", "href="),
        ("![pixel](https://tracker.example/p.gif)", "<img"),
        ('<a href="https://e.org" onclick="x()">a</a>', "<a "),
    ],
)
def test_markdown_is_rendered_without_raw_html_or_unsafe_links(body, forbidden):
    comment = comment_add(claim=ClaimFactory(), body=body, user=checker())
    assert forbidden not in comment.body_html.lower()
    assert comment.body == body  # what was typed is kept as typed


def test_links_are_nofollow():
    html = render_markdown("See [the report](https://example.org/r).")
    assert '<a href="https://example.org/r" rel="nofollow noopener noreferrer">' in html


def test_mentions_are_linked_and_recorded_only_for_people_who_exist():
    ana, bob = checker(username="ana"), viewer(username="bob")
    UserFactory(username="gone", is_active=False)
    body = "@bob can you check? cc @nobody, @gone and ana@example.org"
    comment = comment_add(claim=ClaimFactory(), body=body, user=ana)
    assert list(comment.mentioned.all()) == [bob]
    assert '<a href="/?assignee=bob" class="mention">@bob</a>' in comment.body_html
    assert "@nobody" in comment.body_html and 'assignee=nobody"' not in comment.body_html
    assert 'assignee=gone"' not in comment.body_html


def test_mention_candidates_skip_addresses_and_trailing_dots():
    assert mention_candidates("thanks @ana. mail ana@example.org or @b.c_d+e") == {
        "ana",
        "b.c_d+e",
    }


def test_viewers_cannot_comment_and_empty_comments_are_refused():
    claim = ClaimFactory()
    with pytest.raises(NotPermitted):
        comment_add(claim=claim, body="Hello", user=viewer())
    with pytest.raises(WorkflowError):
        comment_add(claim=claim, body="   ", user=checker())
    assert not Comment.objects.exists()


def test_an_editor_may_comment():
    comment = comment_add(claim=ClaimFactory(), body="Fine.", user=editor())
    assert comment.pk


def test_the_old_notes_service_adds_a_comment_and_keeps_notes():
    claim = ClaimFactory()
    ana = checker(username="ana")
    claim_set_notes(claim=claim, notes="Called the county.", user=ana, expected_version=1)
    claim.refresh_from_db()
    assert claim.notes == "Called the county." and claim.version == 2
    assert [(c.author, c.body) for c in claim.comments.all()] == [(ana, "Called the county.")]


def test_the_migration_makes_the_notes_the_first_comment():
    migration = importlib.import_module("claims.migrations.0014_comments_notifications")
    ana = checker(username="ana")
    with_author = ClaimFactory(notes="Asked the **county**.", updated_by=ana)
    without = ClaimFactory(notes="Old <b>note</b>")
    ClaimFactory(notes="")
    if connection.vendor == "postgresql":
        # As in the migration, where the append-only trigger comes after this step
        # (the test's transaction is rolled back, the trigger with it).
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE claims_comment DISABLE TRIGGER claims_comment_append_only")
    migration.notes_to_comments(apps, connection.schema_editor())
    first = Comment.objects.get(claim=with_author)
    assert first.author == ana and first.body == "Asked the **county**."
    assert "<strong>county</strong>" in first.body_html
    assert first.created_at == with_author.updated_at
    old = Comment.objects.get(claim=without)
    assert old.author is None and "&lt;b&gt;" in old.body_html
    assert Comment.objects.count() == 2
