"""Back and Forward show the claim as it is now, in Chromium: the claim page, the
article page and the queue change in place (htmx) or by a redirect, and a copy
the browser kept from before the change must not come back."""

import pytest

from tests.browser.conftest import log_in
from tests.factories import PASSWORD, ClaimFactory, checker

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def status_of(page) -> str:
    return page.locator("span.status").first.inner_text()


def test_back_and_forward_after_saving_on_the_claim_page(new_page, live_server):
    base, claim, user = live_server.url, ClaimFactory(), checker()
    page = new_page()
    log_in(page, base, user, PASSWORD)
    page.goto(f"{base}/claims/{claim.pk}/")
    assert status_of(page) == "Unstarted"
    page.get_by_role("button", name="Start (and take it)").click()
    page.locator("span.status", has_text="In progress").wait_for()
    page.get_by_label("Add to the discussion").fill("Asked the ministry.")
    page.get_by_role("button", name="Add comment").click()
    page.get_by_text("Asked the ministry.").wait_for()

    page.go_back()
    page.wait_for_url(f"{base}/")
    page.go_forward()
    page.wait_for_url(f"{base}/claims/{claim.pk}/")
    assert status_of(page) == "In progress"
    assert page.get_by_text("Asked the ministry.").is_visible()
    assert page.get_by_text("Version 2", exact=False).first.is_visible()


def test_back_to_the_article_page_after_saving_in_its_panel(new_page, live_server):
    base, claim, user = live_server.url, ClaimFactory(), checker()
    page = new_page()
    log_in(page, base, user, PASSWORD)
    page.goto(f"{base}/articles/{claim.article_id}/?claim={claim.pk}")
    panel = page.locator("#claim-panel")
    panel.get_by_role("button", name="Start (and take it)").click()
    panel.locator("span.status", has_text="In progress").wait_for()

    page.go_back()
    page.wait_for_url(f"{base}/")
    page.go_forward()
    page.wait_for_url(f"**/articles/{claim.article_id}/?claim={claim.pk}")
    assert page.locator("#claim-panel span.status").first.inner_text() == "In progress"


def test_back_to_the_queue_after_starting_the_claim_on_its_page(new_page, live_server):
    base, claim, user = live_server.url, ClaimFactory(), checker()
    page = new_page()
    log_in(page, base, user, PASSWORD)
    row = page.locator("tr", has=page.locator(f'a[href^="/claims/{claim.pk}/"]'))
    assert row.get_by_role("button", name="Start").count() == 1
    page.goto(f"{base}/claims/{claim.pk}/")
    page.get_by_role("button", name="Start (and take it)").click()
    page.locator("span.status", has_text="In progress").wait_for()

    page.go_back()  # the browser's copy of the queue had the Start button
    page.wait_for_url(f"{base}/")
    row.first.wait_for()
    assert row.get_by_role("button", name="Start").count() == 0
