"""Two people on one claim: the second save is refused with who and when, and
what the second person typed is still there."""

import pytest
from django.urls import reverse

from claims.workflow import claim_assign, claim_set_notes, claim_transition

pytestmark = pytest.mark.django_db


def test_stale_transition_shows_who_and_when_and_keeps_the_note(client_as, claim):
    boss = client_as("editor")
    worker = client_as("checker")
    # The editor opens the page at version 1; the checker starts the claim meanwhile.
    page = boss.get(reverse("dashboard:claim", args=[claim.pk])).content.decode()
    assert 'name="version" value="1"' in page
    claim_transition(claim=claim, to_status="in_progress", user=worker.user, expected_version=1)

    response = boss.post(
        reverse("dashboard:claim-transition", args=[claim.pk]),
        {"to_status": "dismissed", "version": 1, "note": "Not a checkable claim, opinion."},
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "This claim was changed by checker at " in html
    assert "you had version 1" in html
    assert "Not a checkable claim, opinion.</textarea>" in html
    # The page now shows the claim as saved, and the form carries its version.
    assert 'name="version" value="2"' in html and "In progress" in html
    claim.refresh_from_db()
    assert claim.status == "in_progress" and claim.version == 2


def test_stale_notes_keep_both_texts(client_as, claim):
    worker = client_as("checker")
    boss = client_as("editor")
    claim_set_notes(claim=claim, notes="Called the county.", user=boss.user, expected_version=1)
    response = worker.post(
        reverse("dashboard:claim-notes", args=[claim.pk]),
        {"notes": "Asked the residents' group for its list.", "version": 1},
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "changed by editor at" in html
    # The old notes form's text is kept, in the comment box that replaced it;
    # the saved notes are the discussion's comment.
    assert "Asked the residents&#x27; group for its list.</textarea>" in html
    assert 'name="body"' in html and "<p>Called the county.</p>" in html
    claim.refresh_from_db()
    assert claim.notes == "Called the county."
    assert [c.body for c in claim.comments.all()] == ["Called the county."]


def test_stale_in_the_side_panel(client_as, claim):
    worker = client_as("checker")
    boss = client_as("editor")
    claim_assign(claim=claim, assignee=worker.user, user=boss.user, expected_version=1)
    response = worker.post(
        reverse("dashboard:claim-transition", args=[claim.pk]),
        {"to_status": "in_progress", "version": 1, "note": "typed in the panel"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="claim-panel",
    )
    html = response.content.decode()
    assert response.status_code == 409 and "<html" not in html
    assert "changed by editor at" in html and "typed in the panel</textarea>" in html


def test_a_claim_deleted_meanwhile_is_a_note_in_the_panel(client_as, claim):
    """A newer version of the article dropped the claim while its page was open:
    its highlight's panel (and a form sent from the panel) says so in a few
    words, not with the whole 404 page (site header, navigation) inside the panel."""
    worker = client_as("checker")
    pk = claim.pk
    claim.delete()
    panel = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "claim-panel"}
    for response in (
        worker.get(reverse("dashboard:claim-panel", args=[pk]), **panel),
        worker.post(
            reverse("dashboard:claim-comment", args=[pk]), {"body": "Called them."}, **panel
        ),
    ):
        html = response.content.decode()
        assert response.status_code == 404
        assert "This claim no longer exists." in html and "reload the article" in html
        assert "<html" not in html and "site-header" not in html
    # Without htmx, the page is still the site's 404 page.
    response = worker.get(reverse("dashboard:claim-panel", args=[pk]))
    assert response.status_code == 404 and "site-header" in response.content.decode()


def start_after_the_editor_took_it(client_as, claim, **post):
    """The checker presses "Start" (nothing typed) on a page from before the
    editor took the claim: the checker's client and the answer."""
    worker, boss = client_as("checker"), client_as("editor")
    claim_assign(claim=claim, assignee=boss.user, user=boss.user, expected_version=1)
    url = reverse("dashboard:claim-transition", args=[claim.pk])
    return worker, worker.post(url, {"to_status": "in_progress", "version": 1, "note": ""}, **post)


def test_a_stale_one_click_action_goes_to_the_claim_page(client_as, claim):
    """The queue's "Start" on a row older than the claim (the editor took it
    meanwhile): the claim page as saved now with the refusal, by a redirect (a
    reload does not send the stale form again), and no word of typed text kept
    when none was typed."""
    worker, response = start_after_the_editor_took_it(client_as, claim)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:claim", args=[claim.pk])
    html = worker.get(response["Location"]).content.decode()
    assert "Not saved. This claim was changed by editor at" in html
    assert "What you typed is kept" not in html
    claim.refresh_from_db()
    assert claim.status == "unstarted" and claim.version == 2


def test_a_refusal_with_nothing_typed_does_not_say_it_kept_text(client_as, claim):
    _worker, response = start_after_the_editor_took_it(
        client_as, claim, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="claim-main"
    )
    html = response.content.decode()
    assert response.status_code == 409 and "changed by editor at" in html
    assert "What you typed is kept" not in html and "The claim as saved now is shown." in html
