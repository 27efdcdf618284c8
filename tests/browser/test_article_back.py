"""Back to an article after "Show the rest": the reader comes back to the parts
they had loaded, at the place they were, not to the first part at the top."""

import pytest

from claims.models import Claim
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, checker
from tests.scale import article_with_claims

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MORE = "Show the rest of the text and the next claims"


def test_back_after_show_the_rest_keeps_the_readers_place(new_page, live_server, settings):
    # Was: the page is loaded again on Back (no htmx snapshots, no-store), and the
    # parts "Show the rest" had fetched were gone: the reader was at the top of
    # the first part, the claim they had opened hundreds of lines below.
    settings.ARTICLE_CLAIMS_PAGE = 20
    article = article_with_claims(100, blob_kb=1)
    later = Claim.objects.get(article=article, position=45)
    claim = f'.article-text a.claim[data-claim="{later.pk}"]'
    base = live_server.url
    page = new_page(viewport={"width": 1280, "height": 500})
    log_in(page, base, checker(), PASSWORD)
    page.goto(f"{base}/articles/{article.pk}/")
    for part in range(2):
        page.get_by_role("link", name=MORE).last.click()
        page.wait_for_function(
            "n => document.querySelectorAll('#claim-items > li').length >= n", arg=40 + 20 * part
        )
    page.wait_for_selector(claim)
    page.wait_for_function("() => location.search.includes('shown=60')")

    page.locator(claim).first.click()  # opens beside the text, pushes ?claim=
    page.wait_for_function(f"() => location.search.includes('claim={later.pk}')")
    assert "shown=60" in page.url
    page.locator(claim).first.scroll_into_view_if_needed()
    y = page.evaluate("window.scrollY")
    assert y > 300  # far below the first screen

    page.goto(f"{base}/articles/")
    page.go_back()
    page.wait_for_selector(claim, state="attached")
    assert page.locator("#claim-items > li").count() == 60
    page.wait_for_function("y => Math.abs(window.scrollY - y) < 80", arg=y, timeout=5000)

    # Back once more: the entry before the claim was opened (htmx reloads it).
    page.go_back()
    page.wait_for_function("() => !location.search.includes('claim=')")
    page.wait_for_function("() => document.querySelectorAll('#claim-items > li').length === 60")
    assert "shown=60" in page.url
