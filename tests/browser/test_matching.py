"""Claim matching in Chromium: a claim repeated in a second article shows its match
and, once an editor confirms it, the earlier claim's verdict as a suggestion;
accepting it records a transition whose note points to the original; a rejected
match stays rejected after the article is analysed again."""

import pytest

from claims.models import ClaimMatch, StatusChange
from claims.services import article_ingest, article_reanalyze
from claims.workflow import claim_transition
from tests.browser.conftest import assert_accessible, log_in, shot
from tests.factories import PASSWORD, editor, viewer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

FIRST = (
    "Bridge closure\n\n"
    "MILLTOWN - The mayor, Dana Cole, said on Tuesday that the old river bridge would "
    "reopen in May after repairs costing $4 million.\n"
)
SECOND = "Bridge closure (wire)\n\n" + FIRST.split("\n\n", 1)[1].replace("river", "iron")


@pytest.fixture
def repeated(db):
    boss = editor()
    first = article_ingest(text=FIRST).article  # eager in tests
    earlier = first.claims.get(text__contains="bridge")
    claim_transition(claim=earlier, to_status="in_progress", user=boss, expected_version=1)
    claim_transition(
        claim=earlier, to_status="false", user=boss, note="Repairs cost $9m", expected_version=2
    )
    second = article_ingest(text=SECOND).article
    claim = second.claims.get(text__contains="bridge")
    assert ClaimMatch.objects.filter(claim=claim, matched_claim=earlier).exists()
    return boss, earlier, claim


def test_a_repeated_claim_shows_its_match_and_takes_the_verdict(new_page, live_server, repeated):
    boss, earlier, claim = repeated
    base = live_server.url
    page = new_page()
    log_in(page, base, boss, PASSWORD)
    page.goto(f"{base}/claims/{claim.pk}/")
    matches = page.locator("#matches")
    assert "Bridge closure" in matches.inner_text()
    assert "False" in matches.locator(".match").inner_text()  # the earlier verdict
    assert "would reopen in May" in " ".join(matches.locator("mark").all_inner_texts())
    shot(page, "matching-01-suggested-match")
    assert_accessible(page, "claim page with a suggested match")

    matches.get_by_role("button", name="Confirm: same claim").click()
    page.wait_for_selector("#matches .suggested-verdict")
    assert "Confirmed" in page.locator("#matches .match").inner_text()
    shot(page, "matching-02-suggested-verdict")
    assert_accessible(page, "claim page with a suggested verdict")
    claim.refresh_from_db()
    assert claim.status == "unstarted"  # suggested, never applied silently

    page.get_by_role("button", name=f"Accept the verdict “False” from claim #{earlier.pk}").click()
    page.wait_for_selector(".status-false")
    claim.refresh_from_db()
    assert claim.status == "false"
    last = StatusChange.objects.filter(claim=claim).last()
    assert last.note.startswith(f"Verdict from claim #{earlier.pk}") and last.user == boss
    assert page.locator("#matches .suggested-verdict").count() == 0
    shot(page, "matching-03-verdict-accepted")
    assert_accessible(page, "claim page after taking the verdict")


def test_a_rejected_match_stays_rejected_after_reanalysis(
    new_page, live_server, repeated, django_capture_on_commit_callbacks
):
    boss, earlier, claim = repeated
    base = live_server.url
    page = new_page()
    log_in(page, base, boss, PASSWORD)
    page.goto(f"{base}/claims/{claim.pk}/")
    page.locator("#matches").get_by_role("button", name="Reject: not the same").click()
    page.wait_for_selector("#matches .match-rejected")
    with django_capture_on_commit_callbacks(execute=True):
        assert article_reanalyze(article=claim.article) is not False
    page.goto(f"{base}/claims/{claim.pk}/")
    match = page.locator("#matches .match")
    assert match.count() == 1 and "Rejected by editor" in match.inner_text()
    assert page.get_by_role("button", name="Confirm: same claim").count() == 0
    shot(page, "matching-04-rejected-after-reanalysis")
    assert_accessible(page, "claim page with a rejected match")


def test_a_viewer_sees_matches_without_buttons(new_page, live_server, repeated):
    _, _, claim = repeated
    base = live_server.url
    page = new_page()
    log_in(page, base, viewer(), PASSWORD)
    page.goto(f"{base}/claims/{claim.pk}/")
    assert page.locator("#matches .match").count() == 1
    assert page.locator("#matches button").count() == 0
    assert_accessible(page, "claim page with matches, read-only")


def test_the_grouped_queue_shows_a_cluster_once_repeated_in_its_articles(
    new_page, live_server, repeated
):
    from claims.services import claim_match_confirm

    boss, earlier, claim = repeated
    third = article_ingest(text=SECOND.replace("(wire)", "(agency)").replace("May", "May,"))
    copy = third.article.claims.get(text__contains="bridge")
    for match in ClaimMatch.objects.filter(state="suggested", matched_claim__isnull=False):
        claim_match_confirm(match=match, user=boss)
    base = live_server.url
    page = new_page()
    log_in(page, base, boss, PASSWORD)
    page.goto(f"{base}/?view=all")
    rows = page.locator("tr.claim-row")
    bridge_rows = rows.filter(has_text="old")
    assert bridge_rows.count() == 3  # ungrouped: one row per article
    page.get_by_label("One row per repeated claim").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**group=cluster**")
    assert bridge_rows.count() == 1
    link = bridge_rows.get_by_role("link", name="Repeated in 3 articles")
    assert link.is_visible()
    shot(page, "matching-04-grouped-queue")
    assert_accessible(page, "queue grouped by cluster")
    # The link opens the shown claim's matches.
    shown = int(bridge_rows.get_attribute("data-claim"))
    assert shown in {earlier.pk, claim.pk, copy.pk}
    link.click()
    page.wait_for_url(f"**/claims/{shown}/#matches")
    assert page.locator("#matches .match").count() >= 1
