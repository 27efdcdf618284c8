"""The article page with the keyboard: "Show the rest of the text" takes the
reader on to the part it loaded, not back to the top of the page or into the
claims list below the text."""

import pytest

from claims.models import Claim
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, checker
from tests.scale import article_with_claims

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_show_the_rest_moves_the_focus_to_the_text_it_loaded(new_page, live_server, settings):
    # Was: Enter on "Show the rest" replaced the focused link, the focus fell to
    # the page's body, and the next Tab went to the first claim of the claims
    # list under the text: the 201st claim of a long article was hundreds of
    # Tabs away again.
    settings.ARTICLE_CLAIMS_PAGE = 5
    article = article_with_claims(12, blob_kb=1)
    sixth = Claim.objects.get(article=article, position=5)
    page = new_page()
    log_in(page, live_server.url, checker(), PASSWORD)
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    more = page.get_by_role("link", name="Show the rest of the text and the next claims")
    more.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(f'.article-text a.claim[data-claim="{sixth.pk}"]')
    page.wait_for_timeout(300)
    focused = page.evaluate("document.activeElement.getAttribute('data-claim')")
    assert focused == str(sixth.pk)
    # Tab goes on through the new part's claims.
    page.keyboard.press("Tab")
    seventh = Claim.objects.get(article=article, position=6)
    assert page.evaluate("document.activeElement.getAttribute('data-claim')") == str(seventh.pk)
