"""The desk's safety in Chromium: a bulk assign without a person is refused; a
bulk dismiss asks first (naming the count, the action and the change) and can
be undone from the queue; select-all takes every claim on the page; a
ClaimReview without its published fact-check is refused until an editor gives
it; the admin's bulk confirmation, History and People pages. axe-core runs on
every page and state added here; screenshots go to test-artifacts/screenshots/."""

import re

import pytest

from claims.models import BulkAction, Claim, ClaimStatus
from claims.workflow import claim_transition
from tests.browser.conftest import assert_accessible, log_in, shot
from tests.factories import PASSWORD, ArticleFactory, ClaimFactory, checker, editor

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def desk(db):
    """Five claims in two confidence groups, two of them assigned to a checker."""
    article = ArticleFactory(title="Dam inspection disputed")
    owner = checker()

    # Spans inside the article's text whatever the factory's sequence has reached.
    def span(i):
        return {"start": 30 + i * 20, "end": 45 + i * 20, "position": i}

    low = [
        ClaimFactory(article=article, confidence_level="low", confidence_score=0.3, **span(i))
        for i in range(3)
    ]
    high = [ClaimFactory(article=article, assignee=owner, **span(i)) for i in range(3, 5)]
    return {"low": low, "high": high, "owner": owner, "boss": editor()}


def test_bulk_assign_without_a_target_is_refused(new_page, live_server, desk):
    base = live_server.url
    page = new_page()
    log_in(page, base, desk["boss"], PASSWORD)
    for claim in desk["high"]:
        page.check(f"#select-{claim.pk}")
    page.get_by_label("Action").select_option("assign")
    assert page.get_by_label("Assign to").input_value() == ""  # no default person
    page.get_by_role("button", name="Review and confirm").click()
    page.wait_for_selector(".message-error")
    assert "Choose who gets the claims" in page.inner_text(".messages[role=alert]")
    shot(page, "desk-bulk-assign-refused")
    assert_accessible(page, "queue with the refused bulk assign")
    for claim in desk["high"]:
        claim.refresh_from_db()
        assert claim.assignee == desk["owner"] and claim.version == 1
    assert not BulkAction.objects.exists()


def test_bulk_dismiss_asks_and_can_be_undone(new_page, live_server, desk):
    base = live_server.url
    page = new_page()
    log_in(page, base, desk["boss"], PASSWORD)
    assert_accessible(page, "queue with bulk controls")
    # The header box of the first group selects every claim on the page, in every group.
    page.locator("th.col-select input").first.check()
    boxes = page.locator('#bulk-form input[name="claims"]')
    assert boxes.count() == 5
    assert all(boxes.nth(i).is_checked() for i in range(5))
    page.get_by_label("Action").select_option("dismiss")
    page.get_by_label("Why dismiss").select_option("not_checkworthy")
    shot(page, "desk-bulk-dismiss-chosen")
    page.get_by_role("button", name="Review and confirm").click()

    page.wait_for_selector("#bulk-confirm")
    summary = page.inner_text("#bulk-summary")
    assert summary == "Dismiss 5 claims: status Unstarted -> Dismissed"
    assert Claim.objects.filter(status=ClaimStatus.DISMISSED).count() == 0  # not yet
    shot(page, "desk-bulk-dismiss-confirm")
    assert_accessible(page, "bulk confirmation")
    page.get_by_role("button", name=re.compile(r"^Yes: Dismiss 5 claims")).click()

    page.wait_for_selector("#bulk-undo")
    assert "Done: Dismiss 5 claims" in page.inner_text(".messages")
    assert Claim.objects.filter(status=ClaimStatus.DISMISSED).count() == 5
    shot(page, "desk-bulk-dismiss-done-with-undo")
    assert_accessible(page, "queue offering the undo")
    bulk = BulkAction.objects.get()
    page.get_by_role("button", name=f"Undo bulk action #{bulk.pk}").click()
    page.wait_for_selector(".message-success")
    assert "Undone for 5 claims" in page.inner_text(".messages")
    assert page.locator("#bulk-undo").count() == 0
    shot(page, "desk-bulk-dismiss-undone")
    assert Claim.objects.filter(status=ClaimStatus.UNSTARTED).count() == 5
    notes = {c.status_changes.last().note for c in Claim.objects.all()}
    assert notes == {f"Undo of bulk action #{bulk.pk}"}


def test_a_claimreview_without_a_public_url_is_refused(new_page, live_server, desk):
    base, boss = live_server.url, desk["boss"]
    claim = desk["low"][0]
    claim_transition(claim=claim, to_status="in_progress", user=boss, expected_version=1)
    claim_transition(
        claim=claim, to_status="false", user=boss, note="Internal: rang them.", expected_version=2
    )
    page = new_page()
    log_in(page, base, boss, PASSWORD)
    page.goto(f"{base}/claims/{claim.pk}/")
    assert "No ClaimReview yet" in page.inner_text("main")
    assert page.locator("pre.json").count() == 0
    response = page.goto(f"{base}/claims/{claim.pk}/claimreview.json")
    assert response.status == 422
    assert "needs its public URL and public summary" in page.inner_text(".messages[role=alert]")
    shot(page, "desk-claimreview-refused")
    assert_accessible(page, "claim page refusing the ClaimReview")

    page.get_by_label("Published fact-check URL").fill("javascript:alert(1)")
    page.get_by_role("button", name="Save the published fact-check").click()
    page.wait_for_selector("#published .field-errors")
    page.get_by_label("Published fact-check URL").fill("https://factcheck.example/dam")
    page.get_by_label("Public summary").fill("The inspection found no fault.")
    page.get_by_role("button", name="Save the published fact-check").click()
    page.wait_for_selector("pre.json")
    text = page.inner_text("pre.json")
    assert '"url": "https://factcheck.example/dam"' in text
    assert "The inspection found no fault." in text and "Internal" not in text
    shot(page, "desk-claimreview-published")
    assert_accessible(page, "claim page with its ClaimReview")


def test_the_claim_page_dismiss_and_plan(new_page, live_server, desk):
    base, claim = live_server.url, desk["low"][1]
    page = new_page()
    log_in(page, base, desk["boss"], PASSWORD)
    page.goto(f"{base}/claims/{claim.pk}/")
    start = page.get_by_role("button", name="Start (and take it)")
    dismiss = page.locator("details.danger-zone")
    assert "btn-primary" in start.get_attribute("class")
    dismiss.locator("summary").click()
    button = dismiss.get_by_role("button", name="Dismiss this claim")
    assert "btn-danger" in button.get_attribute("class")
    shot(page, "desk-claim-dismiss-open")
    assert_accessible(page, "claim page with the dismiss form open")
    button.click()  # no reason chosen
    page.wait_for_selector("#claim-error")
    assert "Say why the claim is dismissed" in page.inner_text("#claim-error")
    assert_accessible(page, "claim page refusing a dismiss without a reason")
    page.get_by_label("Priority", exact=True).select_option("1")
    page.get_by_role("button", name="Save due date and priority").click()
    page.wait_for_selector(".message-success")
    claim.refresh_from_db()
    assert claim.priority == 1


# --- The admin -------------------------------------------------------------------------


def admin_log_in(page, base, user):
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def test_admin_bulk_confirmation_history_and_people(new_page, live_server, desk):
    base, boss = live_server.url, desk["boss"]
    claim = desk["low"][0]
    claim_transition(claim=claim, to_status="in_progress", user=boss, expected_version=1)
    page = new_page()
    admin_log_in(page, base, boss)

    page.goto(f"{base}/admin/claims/claim/")
    width = page.locator("#result_list th.column-short_text").bounding_box()["width"]
    assert width >= 300, width  # the claim column had about 110 px
    shot(page, "desk-admin-claims")
    for claim_ in desk["low"]:
        page.check(f'input.action-select[value="{claim_.pk}"]')
    page.select_option("select[name=action]", "bulk_dismiss")
    page.click("button[name=index]")
    page.wait_for_selector("#bulk-confirm")
    assert "Dismiss 3 claims" in page.inner_text("#bulk-confirm")
    shot(page, "desk-admin-bulk-dismiss-confirm")
    assert_accessible(page, "admin bulk confirmation")
    page.select_option("#id_dismiss_reason", "duplicate")
    page.click("input[name=apply]")
    page.wait_for_selector(".messagelist")
    assert "Done: Dismiss 3 claims" in page.inner_text(".messagelist")

    page.goto(f"{base}/admin/claims/claim/{claim.pk}/change/")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the change page scrolls sideways by {overflow} px"
    page.get_by_role("link", name="History").click()
    page.wait_for_selector("#change-history")
    history = page.inner_text("#change-history")
    assert "status: unstarted → in_progress" in history and "Taken on start." in history
    shot(page, "desk-admin-claim-history")
    assert_accessible(page, "admin claim history")

    page.goto(f"{base}/admin/auth/user/")
    assert "checker" in page.inner_text("#result_list")
    page.get_by_role("link", name="checker", exact=True).click()
    assert page.locator("input[name=is_superuser]").count() == 0
    shot(page, "desk-admin-person")
    assert_accessible(page, "admin person page")
