"""Right-to-left override characters (U+202E...) in user text, in Chromium: an
override left open in an article's title or a claim's source runs to the end of
its paragraph, so the text after it (" · the publication" of a queue row, the
source's role on the claim page) came out reversed. User text is isolated: its
direction ends where it does (the inbox's links too, whose row is a flex box
today, each item its own paragraph)."""

import pytest

from claims.models import Notification, NotificationKind
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, ArticleFactory, ClaimFactory, checker

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE, never closed (no U+202C after it)

LEFT_EDGES = """([selector, text]) => {
  for (const element of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.data.indexOf(text);
      if (at < 0) continue;
      return Array.from(text, (_, i) => {
        const range = document.createRange();
        range.setStart(node, at + i);
        range.setEnd(node, at + i + 1);
        return range.getBoundingClientRect().left;
      });
    }
  }
  return null;
}"""


def left_to_right(page, selector: str, text: str) -> bool:
    """Whether ``text``, found in the page's own text inside ``selector``, is laid
    out left to right (each character right of the one before it)."""
    edges = page.evaluate(LEFT_EDGES, [selector, text])
    assert edges, f"{text!r} not found in {selector}"
    return all(a < b for a, b in zip(edges, edges[1:], strict=False))


def unicode_bidi(page, selector: str) -> str:
    return page.evaluate("s => getComputedStyle(document.querySelector(s)).unicodeBidi", selector)


def test_an_open_override_in_user_text_does_not_turn_the_page_around(new_page, live_server):
    article = ArticleFactory(title=f"Dam {RLO}inspection disputed", publication="Courier")
    claim = ClaimFactory(
        article=article, source_text=f"Ana {RLO}Ruiz", source_role="county engineer"
    )
    reader = checker(username="ana")
    Notification.objects.create(
        recipient=reader,
        kind=NotificationKind.ASSIGNED,
        claim=claim,
        message=f"You were assigned: {RLO}the dam passed",
    )
    page = new_page()
    log_in(page, live_server.url, reader, PASSWORD)

    page.goto(f"{live_server.url}/?view=all")
    row = f'tr.claim-row[data-claim="{claim.pk}"] .col-claim'
    assert unicode_bidi(page, f"{row} a[href*='/articles/']") == "isolate"
    assert left_to_right(page, row, "Courier")

    page.goto(f"{live_server.url}/inbox/")
    assert unicode_bidi(page, ".inbox-list a") == "isolate"

    page.goto(f"{live_server.url}/claims/{claim.pk}/")
    assert left_to_right(page, "#claim-main dd", "county engineer")
