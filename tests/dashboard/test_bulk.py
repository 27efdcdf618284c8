"""The queue's bulk actions: a target is chosen, never defaulted; nothing is
written before a confirmation naming count, action and change; the queue then
offers the undo. And the claim page's dismiss, plan and published fact-check."""

import re

import pytest
from django.urls import reverse

from claims.models import BulkAction, ClaimStatus
from tests.factories import ClaimFactory, checker

pytestmark = pytest.mark.django_db
BULK = "dashboard:bulk"


def test_bulk_assign_without_a_target_is_refused(client_as):
    owner = checker(username="owner")
    claims = [ClaimFactory(assignee=owner), ClaimFactory(assignee=owner)]
    client = client_as("editor")
    html = client.get(reverse("dashboard:queue")).content.decode()
    assert '<option value="" selected>Choose a person</option>' in html
    assert '<option value="none">Nobody: unassign them</option>' in html
    form = {"claims": [c.pk for c in claims], "action": "assign", "assignee": ""}
    for extra in ({}, {"confirm": "yes"}):
        response = client.post(reverse(BULK), {**form, **extra}, follow=True)
        assert "Choose who gets the claims" in response.content.decode()
    for c in claims:
        c.refresh_from_db()
        assert c.assignee == owner and c.version == 1
    assert not BulkAction.objects.exists()


def test_bulk_dismiss_asks_then_applies_then_offers_undo(client_as):
    claims = [ClaimFactory() for _ in range(3)]
    client = client_as("editor")
    form = {"claims": [c.pk for c in claims], "action": "dismiss", "dismiss_reason": "opinion"}
    ask = client.post(reverse(BULK), {**form, "next": "/?status=unstarted"})
    html = ask.content.decode()
    assert ask.status_code == 200
    assert "Dismiss 3 claims: status Unstarted -&gt; Dismissed" in html
    assert 'name="confirm" value="yes"' in html and 'class="btn-danger"' in html
    for c in claims:
        c.refresh_from_db()
        assert c.status == ClaimStatus.UNSTARTED  # not yet

    done = client.post(reverse(BULK), {**form, "confirm": "yes", "next": "/?status=unstarted"})
    assert done.status_code == 302 and done["Location"] == "/?status=unstarted"
    for c in claims:
        c.refresh_from_db()
        assert (c.status, c.dismiss_reason) == (ClaimStatus.DISMISSED, "opinion")
    bulk = BulkAction.objects.get()
    queue = client.get(reverse("dashboard:queue")).content.decode()
    assert f"Undo bulk action #{bulk.pk}" in queue

    undone = client.post(reverse("dashboard:bulk-undo", args=[bulk.pk]), follow=True)
    assert "Undone for 3 claims" in undone.content.decode()
    for c in claims:
        c.refresh_from_db()
        assert c.status == ClaimStatus.UNSTARTED
    assert "Undo bulk action" not in client.get(reverse("dashboard:queue")).content.decode()


def test_bulk_dismiss_without_a_reason_is_refused_before_the_confirmation(client_as):
    claim = ClaimFactory()
    response = client_as("editor").post(
        reverse(BULK), {"claims": [claim.pk], "action": "dismiss"}, follow=True
    )
    assert "Say why the claim is dismissed" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNSTARTED


def test_a_refused_bulk_form_keeps_the_selection_and_the_choices(client_as):
    chosen, other = [ClaimFactory(), ClaimFactory()], ClaimFactory()
    client = client_as("editor")
    form = {"claims": [c.pk for c in chosen], "action": "dismiss", "note": "Wire copy."}
    html = client.post(reverse(BULK), form, follow=True).content.decode()
    assert "Say why the claim is dismissed" in html
    assert ticked(html) == {c.pk for c in chosen} and other.pk not in ticked(html)
    assert '<option value="dismiss" selected>' in html
    assert "Wire copy.</textarea>" in html
    # Once: the queue loaded again starts afresh.
    html = client.get(reverse("dashboard:queue")).content.decode()
    assert ticked(html) == set() and '<option value="dismiss" selected>' not in html


def ticked(html: str) -> set[int]:
    """The claims whose row's box is ticked."""
    return {int(pk) for pk in re.findall(r'id="select-(\d+)"[^>]* checked>', html)}


def test_bulk_plan(client_as):
    claims = [ClaimFactory(), ClaimFactory(priority=4)]
    client = client_as("editor")
    form = {"claims": [c.pk for c in claims], "action": "plan", "priority": "1"}
    ask = client.post(reverse(BULK), form).content.decode()
    assert "1: priority Low -&gt; Urgent" in ask and "1: priority Normal -&gt; Urgent" in ask
    client.post(reverse(BULK), {**form, "confirm": "yes"})
    for c in claims:
        c.refresh_from_db()
        assert c.priority == 1


@pytest.mark.parametrize("role", ["viewer", "checker"])
def test_undo_is_for_editors(client_as, role):
    claim = ClaimFactory()
    boss = client_as("editor")
    boss.post(reverse(BULK), {"claims": [claim.pk], "action": "start", "confirm": "yes"})
    bulk = BulkAction.objects.get()
    assert client_as(role).post(reverse("dashboard:bulk-undo", args=[bulk.pk])).status_code == 403
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.IN_PROGRESS


# --- The claim page ---------------------------------------------------------------------


def test_dismiss_on_the_claim_page_needs_a_reason(client_as, claim):
    client = client_as("checker")
    url = reverse("dashboard:claim-transition", args=[claim.pk])
    refused = client.post(url, {"to_status": "dismissed", "version": 1, "note": "meh"})
    assert refused.status_code == 400 and "Say why" in refused.content.decode()
    assert "meh" in refused.content.decode()  # what was typed is kept
    other = client.post(url, {"to_status": "dismissed", "version": 1, "dismiss_reason": "other"})
    assert other.status_code == 400 and "needs a note" in other.content.decode()
    done = client.post(
        url, {"to_status": "dismissed", "version": 1, "dismiss_reason": "duplicate", "note": "#3"}
    )
    assert done.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.dismiss_reason) == ("dismissed", "duplicate")
    # The checker who dismissed it can restore it.
    page = client.get(reverse("dashboard:claim", args=[claim.pk])).content.decode()
    assert "Restore to the queue (undo the dismiss)" in page


def test_editors_plan_a_claim_and_others_cannot(client_as, claim):
    url = reverse("dashboard:claim-plan", args=[claim.pk])
    form = {"version": 1, "due_at": "2026-12-24T09:00", "priority": "2"}
    for role in ("viewer", "checker"):
        page = client_as(role).get(reverse("dashboard:claim", args=[claim.pk])).content.decode()
        assert "Save due date and priority" not in page
        assert client_as(role).post(url, form).status_code == 403
    assert client_as("editor").post(url, form).status_code == 302
    claim.refresh_from_db()
    assert claim.priority == 2 and claim.due_at.strftime("%Y-%m-%d %H:%M") == "2026-12-24 09:00"


def test_the_public_url_is_validated_on_the_claim_page(client_as, claim):
    client = client_as("editor")
    url = reverse("dashboard:claim-publish", args=[claim.pk])
    bad = client.post(url, {"version": 1, "public_url": "javascript:alert(1)"})
    assert bad.status_code == 400
    claim.refresh_from_db()
    assert claim.public_url == ""
    assert (
        client_as("checker")
        .post(url, {"version": 1, "public_url": "https://f.example/x"})
        .status_code
        == 403
    )


def test_a_claim_id_past_what_the_database_holds_is_refused(client_as):
    claim = ClaimFactory()
    client = client_as("editor")
    for confirm in ({}, {"confirm": "yes"}):
        form = {"claims": ["99999999999999999999", "٣", claim.pk], "action": "start", **confirm}
        response = client.post(reverse(BULK), form, follow=True)
        assert response.redirect_chain == [("/", 302)]
        shown = [m.message for m in response.context["messages"]]
        assert shown == [
            "Select a valid choice. 99999999999999999999 is not one of the available choices."
        ]
    claim.refresh_from_db()
    assert claim.version == 1 and not BulkAction.objects.exists()


def test_ids_past_what_int_reads_are_no_ids(client_as):
    """int() refuses a string of more than 4,300 digits (ValueError): every id a
    request names goes through claims.domain.as_pk first."""
    from claims.domain import as_pk

    assert [as_pk(v) for v in ("7", "0012", str(2**63 - 1), str(2**63), "9" * 5000, "٣", "")] == [
        7,
        12,
        2**63 - 1,
        None,
        None,
        None,
        None,
    ]
    claim = ClaimFactory()
    client = client_as("editor")
    huge = "9" * 5000
    page = client.get(reverse("dashboard:article", args=[claim.article_id]), {"claim": huge})
    assert page.status_code == 200
    options = client.get(reverse("dashboard:article-suggest"), {"article": huge})
    assert options.status_code == 200
    read = client.post(reverse("dashboard:inbox-read"), {"ids": [huge]}, follow=True)
    assert read.status_code == 200
    queue = client.get(reverse("dashboard:queue"), {"assignee": huge})
    assert queue.status_code == 200


def test_bulk_confirmation_refuses_claims_changed_since_it_was_shown(client_as):
    """The tester's case: three unstarted claims, "Dismiss" asked; meanwhile a
    checker starts one. "Yes" dismisses the two as shown and refuses the third."""
    import re

    from claims.workflow import claim_transition

    claims = [ClaimFactory() for _ in range(3)]
    client = client_as("editor")
    form = {"claims": [c.pk for c in claims], "action": "dismiss", "dismiss_reason": "opinion"}
    ask = client.post(reverse(BULK), form).content.decode()
    versions = re.findall(r'name="versions" value="(\d+:\d+)"', ask)
    assert sorted(versions) == sorted(f"{c.pk}:1" for c in claims)

    started = claims[1]
    claim_transition(
        claim=started, to_status=ClaimStatus.IN_PROGRESS, user=checker(), expected_version=1
    )
    done = client.post(
        reverse(BULK), {**form, "confirm": "yes", "versions": versions}, follow=True
    ).content.decode()
    assert "Done for 2 claim(s)." in done
    assert f"Refused for 1 claim(s) (#{started.pk}): changed since the confirmation page" in done
    started.refresh_from_db()
    assert started.status == ClaimStatus.IN_PROGRESS
    for c in (claims[0], claims[2]):
        c.refresh_from_db()
        assert c.status == ClaimStatus.DISMISSED
    assert [item["claim"] for item in BulkAction.objects.get().items] == [
        claims[0].pk,
        claims[2].pk,
    ]


def test_a_bulk_verdict_some_claims_cannot_take_says_how_many_it_changes(client_as):
    """Two claims in progress, one unstarted, one with a verdict: the confirmation
    said "Verdict: Verified 4 claims: 1: no change (a unstarted claim ...", and its
    button "Yes: Verdict: Verified 4 claims: 1: no change (a false claim cannot
    become verified; it will b…": it counts the claims the verdict reaches, in words."""
    client = client_as("editor")
    claims = [
        ClaimFactory(status=ClaimStatus.IN_PROGRESS, assignee=client.user),
        ClaimFactory(status=ClaimStatus.IN_PROGRESS, assignee=client.user),
        ClaimFactory(),
        ClaimFactory(status=ClaimStatus.FALSE),
    ]
    form = {"claims": [c.pk for c in claims], "action": "verdict:verified", "note": "Called."}
    html = client.post(reverse(BULK), form).content.decode()
    assert "Verdict: Verified 2 of 4 claims: " in html
    assert "1: no change (an unstarted claim cannot become verified; it will be refused)" in html
    button = re.search(r'<button type="submit" class="btn-primary">(.*?)</button>', html)[1]
    assert button == "Yes: Verdict: Verified 2 of 4 claims"
    client.post(reverse(BULK), {**form, "confirm": "yes"})
    assert BulkAction.objects.get().summary.startswith("Verdict: Verified 2 of 4 claims: ")


def test_a_bulk_verdict_on_claims_of_every_status_is_recorded(client_as):
    """One claim of each status, given a verdict: the summary names each status
    the verdict cannot reach ("1: no change (an unstarted claim cannot become
    inconclusive; it will be refused)"), 570 characters in all, more than the
    record's 500 (PostgreSQL refused the row: a server error, nothing done)."""
    client = client_as("editor")
    claims = [
        ClaimFactory(status=s, assignee=client.user if s == ClaimStatus.IN_PROGRESS else None)
        for s in ClaimStatus.values
    ]
    form = {
        "claims": [c.pk for c in claims],
        "action": "verdict:inconclusive",
        "note": "Called.",
        "confirm": "yes",
    }
    response = client.post(reverse(BULK), form)
    assert response.status_code == 302
    action = BulkAction.objects.get()
    assert action.summary.startswith("Verdict: Inconclusive 1 of 7 claims: ")
    assert len(action.summary) <= BulkAction._meta.get_field("summary").max_length
    assert [item["claim"] for item in action.items] == [claims[1].pk]
