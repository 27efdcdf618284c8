"""The queue's saved views in Chromium: "Save these filters" saves the filters
the form holds, ticked but not applied included."""

import pytest

from claims.models import SavedView
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, ClaimFactory, checker

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_save_these_filters_saves_the_boxes_ticked(new_page, live_server):
    base = live_server.url
    ana = checker(username="ana")
    for level in ("very_low", "low", "high"):
        ClaimFactory(confidence_level=level)

    page = new_page()
    log_in(page, base, ana, PASSWORD)
    confidence = page.get_by_role("group", name="Confidence")
    confidence.get_by_label("Very low").check()
    confidence.get_by_label("Low", exact=True).check()
    page.get_by_label("Name this view").fill("Weakest first")
    page.get_by_role("button", name="Save these filters").click()
    page.wait_for_selector("text=View “Weakest first” saved.")
    saved = SavedView.objects.get(user=ana)
    assert "confidence_level=very_low" in saved.query and "confidence_level=low" in saved.query
    assert "confidence_level=high" not in saved.query
    assert page.locator("a.claim-link").count() == 2  # the queue shows the view saved
    # Saved with the form's every field, it is the view the page now shows.
    assert page.locator('.saved-list a[aria-current="true"]').inner_text() == "Weakest first"
