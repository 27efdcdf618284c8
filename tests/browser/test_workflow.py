"""A fact-checker, an editor and a viewer at work on the seed article, in Chromium.

The checker filters the queue to very low confidence, opens the "hundreds of
people had been killed" claim beside the article's text, starts it and adds an
evidence link; the editor gives the verdict with a note; the viewer sees no
status buttons and a forged POST from the viewer's session is refused. A hostile
article shows its markup as text and never opens a dialog."""

from pathlib import Path

import pytest

from claims.models import Claim
from claims.services import article_ingest
from tests.browser.conftest import TABLET, log_in, shot
from tests.factories import PASSWORD, checker, editor, viewer

# serialized_rollback: the roles (groups) made by a data migration survive the flush
# that ends each transactional test.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_42d87ab533acdf14.txt"
HOSTILE = (
    "Hostile <script>alert(1)</script> headline\n\n"
    "The mayor said on Monday that <img src=x onerror=alert(1)> had fixed the dam. "
    "Residents said as many as 40 homes <script>alert(1)</script> had flooded, "
    "but offered no evidence.\n"
)


@pytest.fixture
def seed_claim(db):
    article = article_ingest(text=SEED.read_text(encoding="utf-8")).article  # eager in tests
    article.refresh_from_db()
    assert article.state == "analyzed", article.error
    return Claim.objects.get(article=article, text__contains="hundreds of people had been killed")


def test_checker_editor_and_viewer(new_page, live_server, seed_claim):
    base, claim = live_server.url, seed_claim
    worker, boss, reader = checker(), editor(), viewer()

    # --- The fact-checker ---------------------------------------------------------
    page = new_page()
    page.goto(f"{base}/")
    page.wait_for_url("**/accounts/login/?next=/")
    shot(page, "01-login")
    log_in(page, base, worker, PASSWORD)
    # The first Tab reaches the skip link.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"

    page.get_by_role("checkbox", name="Very low").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**confidence_level=very_low**")
    shot(page, "02-queue-very-low")
    assert page.locator("h2.group-heading").all_inner_texts()[0].startswith("Very low")
    assert page.locator("h2.group-heading.lvl-low").count() == 0
    shot(page, "02-queue-very-low")
    row = page.locator("tr", has_text="hundreds of people had been killed")
    row.get_by_role("link", name="Russia says Assad isn't leaving").click()
    page.wait_for_url(f"**/articles/{claim.article_id}/?claim={claim.pk}")

    # The claim is highlighted in the text; selecting it loads it beside the text.
    page.goto(f"{base}/articles/{claim.article_id}/")
    page.evaluate("window.__marker = 'same page'")
    # By keyboard: the claim is a link in the text; Enter opens it beside the text.
    page.locator(f'.article-text a.claim[data-claim="{claim.pk}"]').first.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(f'#claim-panel #panel-start[data-claim="{claim.pk}"]')
    assert page.evaluate("document.activeElement.id") == "panel-start"
    assert page.url.endswith(f"?claim={claim.pk}")
    panel = page.locator("#claim-panel")
    assert "Another opposition group" in panel.inner_text()
    shot(page, "03-article-claim-panel")

    panel.get_by_role("button", name="Start").click()
    panel.get_by_text("The claim is now in progress.").wait_for()
    panel.get_by_label("Link").fill("https://www.example.org/syria-casualty-records")
    panel.get_by_label("What it shows").fill("UN casualty records for the week")
    panel.get_by_role("button", name="Add evidence").click()
    panel.get_by_text("Evidence added.").wait_for()
    assert panel.get_by_role("link", name="https://www.example.org/syria-casualty-records")
    assert page.evaluate("window.__marker") == "same page"  # htmx, no reload
    shot(page, "04-checker-started-with-evidence")
    claim.refresh_from_db()
    assert claim.status == "in_progress" and claim.evidence.count() == 1

    # --- The editor, in another browser context ----------------------------------
    desk = new_page()
    log_in(desk, base, boss, PASSWORD)
    desk.goto(f"{base}/claims/{claim.pk}/")
    desk.get_by_label("Note on this change").fill("No count for that day supports 'hundreds'.")
    desk.get_by_role("button", name="Misleading").click()
    desk.get_by_text("The claim is now misleading.").wait_for()
    # No ClaimReview before the published fact-check's URL and public summary.
    assert "No ClaimReview yet" in desk.inner_text("main")
    desk.get_by_label("Published fact-check URL").fill("https://factcheck.example/homs")
    desk.get_by_label("Public summary").fill("No count for that day supports hundreds.")
    desk.get_by_role("button", name="Save the published fact-check").click()
    desk.get_by_text("Published fact-check saved.").wait_for()
    assert '"alternateName": "Misleading"' in desk.inner_text("pre.json")
    shot(desk, "05-editor-verdict-claimreview")
    claim.refresh_from_db()
    assert claim.status == "misleading"

    # --- The viewer: no buttons, and a forged POST is refused ---------------------
    look = new_page()
    log_in(look, base, reader, PASSWORD)
    look.goto(f"{base}/claims/{claim.pk}/")
    assert look.locator('button[name="to_status"]').count() == 0
    assert look.get_by_text("can read claims but not change them").is_visible()
    shot(look, "06-viewer-claim-read-only")
    token = look.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    forged = look.request.post(
        f"{base}/claims/{claim.pk}/transition/",
        form={
            "csrfmiddlewaretoken": token,
            "to_status": "in_progress",
            "version": str(claim.version),
            "note": "forged",
        },
    )
    assert forged.status == 403
    claim.refresh_from_db()
    assert claim.status == "misleading"
    assert not claim.status_changes.filter(note="forged").exists()


def test_hostile_article_shows_markup_as_text(new_page, live_server):
    article = article_ingest(text=HOSTILE).article
    article.refresh_from_db()
    assert article.state == "analyzed", article.error
    hostile_claim = article.claims.filter(text__contains="<img").first() or article.claims.first()
    worker = checker()
    page = new_page()
    log_in(page, live_server.url, worker, PASSWORD)

    page.goto(f"{live_server.url}/articles/{article.pk}/")
    text = page.inner_text(".article-text")
    assert "<script>alert(1)</script>" in text and "<img src=x onerror=alert(1)>" in text
    assert page.locator("main img").count() == 0
    assert page.locator("main script").count() == 0
    assert "<script>alert(1)</script>" in page.inner_text("h1")
    shot(page, "07-hostile-article")

    page.goto(f"{live_server.url}/")
    assert "<script>alert(1)</script>" in page.inner_text("main")  # the title, as text
    assert page.locator("main img").count() == 0
    page.goto(f"{live_server.url}/claims/{hostile_claim.pk}/")
    assert page.locator("main img").count() == 0
    shot(page, "08-hostile-claim")
    # new_page's teardown fails the test if any dialog opened.


def test_tablet_layout(new_page, live_server, seed_claim):
    page = new_page(viewport=TABLET)
    log_in(page, live_server.url, editor(), PASSWORD)
    shot(page, "09-tablet-queue")
    page.goto(f"{live_server.url}/articles/{seed_claim.article_id}/?claim={seed_claim.pk}")
    # No horizontal scrolling of the page on a tablet.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "10-tablet-article")
    page.goto(f"{live_server.url}/overview/")
    assert page.locator("svg.chart").count() == 5
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "11-tablet-overview")


def test_account_tokens(new_page, browser, live_server):
    base = live_server.url
    # The API is called from a context without the page's session cookie.
    outside = browser.new_context().request
    page = new_page()
    log_in(page, base, viewer(), PASSWORD)
    page.get_by_role("link", name="Account").click()
    page.get_by_label("Valid for").select_option("30")
    page.get_by_role("button", name="Create a token").click()
    key = page.get_by_label("Key").input_value()
    assert len(key) >= 40 and "will not be shown again" in page.inner_text("main")
    shot(page, "12-account-new-token")
    api = outside.get(f"{base}/api/v1/claims/", headers={"Authorization": f"Token {key}"})
    assert api.status == 200
    page.goto(f"{base}/account/")
    assert key not in page.content()
    page.get_by_role("button", name=f"Revoke the token starting {key[:15]}").click()
    page.get_by_text("The token is revoked").wait_for()
    shot(page, "13-account-token-revoked")
    api = outside.get(f"{base}/api/v1/claims/", headers={"Authorization": f"Token {key}"})
    assert api.status == 401
