"""Browser check of the editors' admin, in Debian's Chromium driven by Playwright:
an editor filters claims to very low, bulk-assigns three to the checker with a
note; the checker, logged in separately, sees them. Screenshots go to
test-artifacts/screenshots/."""

import pytest

from claims.services import article_ingest
from tests.browser.conftest import shot
from tests.factories import PASSWORD, checker, editor

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


HEDGED = "\n\n".join(
    [
        "Clashes reported near border town",
        "Activists said as many as 300 people may have been killed in the shelling, "
        "but offered no evidence.",
        "Residents said up to 50 homes had reportedly been destroyed, "
        "but the claim could not be verified.",
        "Unnamed officials said that some 2,000 families might have fled, "
        "though they did not provide evidence.",
        "A local group said that nearly 40 fighters were allegedly captured, "
        "but offered no supporting evidence.",
    ]
)


def admin_log_in(page, base, user):
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")


def test_editor_bulk_assigns_very_low_claims_to_the_checker(new_page, live_server):
    article = article_ingest(text=HEDGED).article
    article.refresh_from_db()
    assert article.claims.filter(confidence_level="very_low").count() >= 3
    boss, worker = editor(), checker(is_staff=True)
    base = live_server.url

    page = new_page()
    admin_log_in(page, base, boss)
    page.goto(f"{base}/admin/claims/claim/")
    page.get_by_role("link", name="Very low").click()
    page.wait_for_url("**confidence_level__exact=very_low**")
    shot(page, "admin-1-very-low-filter")
    boxes = page.locator("input.action-select")
    for i in range(3):
        boxes.nth(i).check()
    page.select_option("select[name=action]", "bulk_assign")
    page.click("button[name=index]")
    page.select_option("#id_assignee", label=worker.username)
    page.fill("#id_note", "Please check these before the 6 pm edition.")
    shot(page, "admin-2-bulk-assign-form")
    page.click("input[name=apply]")
    page.wait_for_selector(".messagelist")
    assert "Done: Assign 3 claims: assignee nobody -> checker" in page.inner_text(".messagelist")
    shot(page, "admin-3-assigned")

    other = new_page()
    admin_log_in(other, base, worker)
    other.goto(f"{base}/admin/claims/claim/?assignee__id__exact={worker.pk}")
    rows = other.locator("#result_list tbody tr")
    assert rows.count() == 3
    shot(other, "admin-4-checker-sees-assigned")
    for claim in article.claims.filter(assignee=worker):
        assert claim.changes.get(action="assigned").note.startswith("Please check")
