"""Roles decide which controls a page shows, and the server refuses forged
requests whatever the page showed."""

import pytest
from django.urls import reverse

from claims.models import Article, Claim, Evidence, StatusChange
from claims.workflow import claim_transition

pytestmark = pytest.mark.django_db

VERDICT_BUTTONS = [f'name="to_status" value="{v}"' for v in ("verified", "false", "misleading")]


def claim_page(client, claim):
    return client.get(reverse("dashboard:claim", args=[claim.pk])).content.decode()


def start(claim, user):
    claim_transition(claim=claim, to_status="in_progress", user=user, expected_version=1)


def test_viewer_sees_no_status_buttons_or_work_forms(client_as, claim):
    html = claim_page(client_as("viewer"), claim)
    assert 'name="to_status"' not in html
    assert "can read claims but not change them" in html
    assert "Take it myself" not in html and "Add evidence" not in html
    assert "Save notes" not in html


def test_checker_sees_start_and_dismiss_but_no_verdicts(client_as, claim):
    client = client_as("checker")
    html = claim_page(client, claim)
    assert 'name="to_status" value="in_progress" class="btn-primary">Start (and take it)<' in html
    assert 'name="to_status" value="dismissed" class="btn-danger">Dismiss this claim<' in html
    assert 'name="dismiss_reason"' in html
    assert "Take it myself" in html and "Add evidence" in html
    assert 'id="assign_assignee"' not in html  # no assign-anyone select
    start(claim, client.user)
    html = claim_page(client, claim)
    assert 'value="unstarted" class="btn-primary">Give back to the queue<' in html
    assert "Unassign me" in html  # the claim is the checker's now
    for button in VERDICT_BUTTONS:
        assert button not in html


def test_editor_sees_verdicts(client_as, claim):
    client = client_as("editor")
    start(claim, client.user)
    html = claim_page(client, claim)
    for button in VERDICT_BUTTONS:
        assert button in html
    assert 'id="assign_assignee"' in html  # may assign anyone


def test_viewer_forged_transition_is_refused_and_changes_nothing(client_as, claim):
    response = client_as("viewer").post(
        reverse("dashboard:claim-transition", args=[claim.pk]),
        {"to_status": "in_progress", "version": claim.version, "note": ""},
    )
    assert response.status_code == 403
    assert "Your role cannot start a claim" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == "unstarted" and claim.version == 1
    assert not StatusChange.objects.filter(claim=claim).exists()


def test_checker_forged_verdict_is_refused(client_as, claim):
    client = client_as("checker")
    start(claim, client.user)
    response = client.post(
        reverse("dashboard:claim-transition", args=[claim.pk]),
        {"to_status": "verified", "version": 2, "note": "Looks right to me."},
    )
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.status == "in_progress" and claim.version == 2
    # What the checker typed is still in the form.
    assert "Looks right to me." in response.content.decode()


@pytest.mark.parametrize(
    ("who", "to", "note", "code", "said"),
    [
        # It said "Your role cannot verdict: verified a claim."
        ("checker", "verified", "Looks right.", 403,
         "Your role cannot give a verdict (verified) on a claim."),
        # It said "A note (the rationale) is required to verdict: false."
        ("editor", "false", "  ", 400,
         "A note (the rationale) is required to give a verdict (false)."),
    ],
)  # fmt: skip
def test_a_refused_verdict_says_why_in_words(client_as, claim, who, to, note, code, said):
    client = client_as(who)
    start(claim, client.user)
    url = reverse("dashboard:claim-transition", args=[claim.pk])
    response = client.post(url, {"to_status": to, "version": 2, "note": note})
    assert response.status_code == code
    html = response.content.decode()
    assert said in html and f"verdict: {to}" not in html


def test_viewer_forged_writes_are_refused(client_as, claim):
    client = client_as("viewer")
    evidence = client.post(
        reverse("dashboard:claim-evidence", args=[claim.pk]), {"url": "https://example.org/x"}
    )
    notes = client.post(
        reverse("dashboard:claim-notes", args=[claim.pk]), {"notes": "mine", "version": 1}
    )
    take = client.post(
        reverse("dashboard:claim-assign", args=[claim.pk]),
        {"assignee": client.user.pk, "version": 1},
    )
    assert [evidence.status_code, notes.status_code, take.status_code] == [403, 403, 403]
    claim.refresh_from_db()
    assert claim.notes == "" and claim.assignee is None and claim.version == 1
    assert not Evidence.objects.exists()


def test_checker_may_take_a_claim_but_not_give_it_to_someone_else(client_as, claim):
    boss = client_as("editor").user
    client = client_as("checker")
    other = client.post(
        reverse("dashboard:claim-assign", args=[claim.pk]), {"assignee": boss.pk, "version": 1}
    )
    assert other.status_code == 403
    mine = client.post(
        reverse("dashboard:claim-assign", args=[claim.pk]),
        {"assignee": client.user.pk, "version": 1},
    )
    assert mine.status_code == 302
    claim.refresh_from_db()
    assert claim.assignee == client.user


def test_checker_starts_and_adds_evidence(client_as, claim):
    client = client_as("checker")
    url = reverse("dashboard:claim-transition", args=[claim.pk])
    response = client.post(url, {"to_status": "in_progress", "version": 1}, follow=True)
    assert "The claim is now in progress." in response.content.decode()
    response = client.post(
        reverse("dashboard:claim-evidence", args=[claim.pk]),
        {"url": "https://records.example.org/flood", "note": "county records"},
        follow=True,
    )
    html = response.content.decode()
    assert "Evidence added." in html and "https://records.example.org/flood" in html
    assert claim.evidence.get().added_by == client.user


def test_editor_verdict_needs_a_note(client_as, claim):
    client = client_as("editor")
    start(claim, client.user)
    url = reverse("dashboard:claim-transition", args=[claim.pk])
    refused = client.post(url, {"to_status": "false", "version": 2, "note": "  "})
    assert refused.status_code == 400
    assert "A note (the rationale) is required" in refused.content.decode()
    done = client.post(url, {"to_status": "false", "version": 2, "note": "Records show 12."})
    assert done.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "false"


def test_panel_posts_answer_with_the_panel(client_as, claim):
    client = client_as("checker")
    response = client.post(
        reverse("dashboard:claim-transition", args=[claim.pk]),
        {"to_status": "in_progress", "version": 1},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="claim-panel",
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'id="panel-start"' in html and "The claim is now in progress." in html
    assert 'hx-post="' in html


def test_ingest_and_reanalyse_are_for_editors(client_as, claim):
    for role in ("viewer", "checker"):
        client = client_as(role)
        assert client.get(reverse("dashboard:ingest")).status_code == 403
        posted = client.post(reverse("dashboard:ingest"), {"text": "A\n\nB said C."})
        assert posted.status_code == 403
        queue = client.get(reverse("dashboard:queue")).content.decode()
        assert reverse("dashboard:ingest") not in queue
        url = reverse("dashboard:article-reanalyze", args=[claim.article_id])
        assert client.post(url).status_code == 403
        page = client.get(reverse("dashboard:article", args=[claim.article_id]))
        assert "Analyse again" not in page.content.decode()
    assert Article.objects.count() == 1
    editor = client_as("editor")
    assert reverse("dashboard:ingest") in editor.get(reverse("dashboard:queue")).content.decode()
    html = editor.get(reverse("dashboard:article", args=[claim.article_id])).content.decode()
    assert "Analyse again" in html


def test_bulk_actions_are_shown_to_editors_only(client_as, claim):
    for role, shown in (("viewer", False), ("checker", False), ("editor", True)):
        html = client_as(role).get(reverse("dashboard:queue")).content.decode()
        assert ('id="bulk-form"' in html) is shown, role
        assert ('name="claims"' in html) is shown, role


@pytest.mark.parametrize("role", ["viewer", "checker"])
def test_forged_bulk_changes_nothing(client_as, claim, role):
    form = {"claims": [claim.pk], "action": "start", "confirm": "yes"}
    response = client_as(role).post(reverse("dashboard:bulk"), form)
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.status == "unstarted"


def test_editor_bulk_assigns_and_gives_verdicts(client_as, claim):
    client = client_as("editor")
    worker = client_as("checker").user
    other = Claim.objects.get(pk=claim.pk)
    form = {"claims": [claim.pk], "action": "assign", "assignee": worker.pk, "note": "by six"}
    response = client.post(reverse("dashboard:bulk"), {**form, "confirm": "yes"}, follow=True)
    assert "Done: Assign 1 claim: assignee nobody -&gt; checker" in response.content.decode()
    other.refresh_from_db()
    assert other.assignee == worker
    client.post(
        reverse("dashboard:bulk"), {"claims": [claim.pk], "action": "start", "confirm": "yes"}
    )
    no_note = client.post(
        reverse("dashboard:bulk"),
        {"claims": [claim.pk], "action": "verdict:misleading", "confirm": "yes"},
        follow=True,
    )
    assert "A note (the rationale) is required" in no_note.content.decode()
    client.post(
        reverse("dashboard:bulk"),
        {
            "claims": [claim.pk],
            "action": "verdict:misleading",
            "note": "Only 12 homes.",
            "confirm": "yes",
        },
    )
    claim.refresh_from_db()
    assert claim.status == "misleading"
    assert claim.status_changes.last().note == "Only 12 homes."


def test_bulk_without_selection_says_so(client_as, claim):
    response = client_as("editor").post(reverse("dashboard:bulk"), {"action": "start"}, follow=True)
    assert "Select at least one claim." in response.content.decode()


def test_editor_starts_a_new_analysis(
    client_as, claim, monkeypatch, django_capture_on_commit_callbacks
):
    from claims import tasks

    started = []
    monkeypatch.setattr(tasks, "start_pipeline", lambda *args: started.append(args) or True)
    client = client_as("editor")
    url = reverse("dashboard:article-reanalyze", args=[claim.article_id])
    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert "A new analysis has started" in response.content.decode()
    claim.article.refresh_from_db()
    assert started == [(claim.article_id, claim.article.run_id)]
    assert claim.article.state == "queued"
    assert 'hx-trigger="every 2s"' in response.content.decode()


def test_claims_go_only_to_people_who_can_work_them(client_as, claim):
    """A viewer given a claim could neither start it nor give it back: the forms do
    not offer them and the workflow refuses them, from every path."""
    from django.contrib.auth.models import Permission

    from claims.forms import AssignForm, BulkForm
    from claims.workflow import WorkflowError, claim_assign
    from tests.factories import UserFactory, viewer

    reader, worker = viewer(username="reader"), client_as("checker").user
    root = UserFactory(username="root", is_superuser=True)
    direct = UserFactory(username="direct")
    direct.user_permissions.add(Permission.objects.get(codename="work_claim"))
    boss = client_as("editor").user
    offered = {u.username for u in AssignForm().fields["assignee"].queryset}
    assert offered == {worker.username, root.username, direct.username, boss.username}
    bulk = {label for _, label in BulkForm().fields["assignee"].choices}
    assert "reader" not in bulk and "checker" in bulk

    client = client_as(boss)
    response = client.post(
        reverse("dashboard:claim-assign", args=[claim.pk]),
        {"assignee": reader.pk, "version": claim.version},
        follow=True,
    )
    claim.refresh_from_db()
    assert claim.assignee is None and response.status_code == 400  # the form refuses it
    form = {"claims": [claim.pk], "action": "assign", "assignee": reader.pk, "confirm": "yes"}
    client.post(reverse("dashboard:bulk"), form, follow=True)
    claim.refresh_from_db()
    assert claim.assignee is None
    with pytest.raises(WorkflowError, match="reader cannot work claims"):
        claim_assign(claim=claim, assignee=reader, user=boss, expected_version=claim.version)
    claim_assign(claim=claim, assignee=direct, user=boss, expected_version=claim.version)
    claim.refresh_from_db()
    assert claim.assignee == direct
