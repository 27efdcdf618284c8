"""A claim with a long URL or token in it: the article page's "Claims in reading
order", the queue and the claim page wrap it as the article text does, on a
laptop and on a phone, rather than scroll the whole page sideways."""

import pytest

from claims.models import Evidence
from tests.browser.conftest import LAPTOP, log_in
from tests.factories import PASSWORD, ArticleFactory, ClaimFactory, checker

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
# No hyphen: a browser may break a line after one.
URL = "https://example.org/reports/" + "Dam_Inspection_" * 12 + "final.pdf"
TOKEN = "ministry_statement_" + "x" * 160


@pytest.fixture
def long_claim(db):
    text = f"{URL} shows the dam passed inspection, the ministry said in {TOKEN} on Monday."
    article = ArticleFactory(raw_text=f"Dam report\n\n{text}\n")
    start = article.raw_text.index(URL)
    claim = ClaimFactory(
        article=article,
        start=start,
        end=start + len(text) - 1,
        text=text[:-1],
        source_text="The ministry of " + "infrastructure" * 8,
    )
    return claim


def overflow(page) -> list[str]:
    """What is wider than it should be: the lists' items wider than their box, the
    page's scroll width, and the elements that reach past the window's right edge."""
    return page.evaluate(
        """() => {
          const w = document.documentElement.clientWidth;
          // Wider than its own box, even where the page does not scroll (yet).
          const boxes = [...document.querySelectorAll(
              '#claim-items li, .sentence, .facts dd, .panel-title, .evidence li, tbody td')]
            .filter(e => e.scrollWidth > e.clientWidth + 1)
            .map(e => `${e.tagName}.${e.className} wider than its box: ${e.textContent.trim()}`);
          if (document.documentElement.scrollWidth <= w) return boxes;
          return boxes.concat([`scrollWidth ${document.documentElement.scrollWidth} > ${w}`].concat(
            [...document.querySelectorAll('body *')]
              .filter(e => e.getBoundingClientRect().right > w + 1 && e.children.length === 0)
              .slice(0, 5).map(e => `${e.tagName}.${e.className}: ${e.textContent.slice(0, 40)}`)));
        }"""
    )


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_long_words_wrap_in_the_lists(new_page, live_server, long_claim, viewport):
    base, claim, user = live_server.url, long_claim, checker()
    Evidence.objects.create(claim=claim, url=URL, note=TOKEN, added_by=user)
    page = new_page(viewport=viewport)
    log_in(page, base, user, PASSWORD)
    wide = {}
    for path in (
        f"/articles/{claim.article_id}/",
        f"/articles/{claim.article_id}/?claim={claim.pk}",
        "/",
        f"/claims/{claim.pk}/",
    ):
        page.goto(base + path)
        wide[path] = overflow(page)
    assert wide == dict.fromkeys(wide, [])
