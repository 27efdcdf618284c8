"""The article versions pages on a 375 px phone (issue 15, a new-user trial): the
Versions section and its "Diff with version 1" link, and the diff page, fit the
screen (nothing scrolls sideways) and pass axe."""

from __future__ import annotations

import pytest

from claims.services import article_ingest
from tests.browser.conftest import SHOTS, assert_accessible, log_in, shot
from tests.factories import PASSWORD, checker, editor
from tests.services.test_versions import PARAGRAPHS, V1, V2

pytestmark = pytest.mark.browser

PHONE_375 = {"width": 375, "height": 740}


@pytest.fixture
def versioned(transactional_db):
    ed = editor(username="ed")
    article = article_ingest(text=V1, user=ed).article
    article_ingest(text=V2, user=ed)
    # A third version far from the first change: the diff skips unchanged lines.
    article_ingest(text=V2 + "\n".join(["", *PARAGRAPHS[2:4], "One more line, added."]), user=ed)
    article.refresh_from_db()
    assert article.version == 3 and article.state == "analyzed", article.error
    return article


def _fits(page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= PHONE_375["width"], widths


def test_versions_and_the_diff_fit_a_375px_phone(new_page, live_server, versioned):
    base = live_server.url
    page = new_page(viewport=PHONE_375)
    log_in(page, base, checker(), PASSWORD)
    page.goto(f"{base}/articles/{versioned.pk}/")
    section = page.locator("section.article-versions")
    section.scroll_into_view_if_needed()
    _fits(page)
    link = page.get_by_role("link", name="Diff with version 1")
    box = link.bounding_box()
    assert box["x"] >= 8 and box["x"] + box["width"] <= PHONE_375["width"] - 8, box
    assert section.bounding_box()["x"] >= 8  # not flush against the screen's edge
    shot(page, "15e-01-article-versions-phone")
    section.screenshot(path=str(SHOTS / "15e-01b-versions-section-phone.png"))
    assert_accessible(page, "the article's versions on a phone")

    page.goto(f"{base}/articles/{versioned.pk}/versions/3/diff/")
    _fits(page)
    skip = page.locator(".diff-skip").first
    assert skip.is_visible()
    # No blank lines around "[N unchanged lines]": at most about one line above
    # and below it to the text.
    gap = page.evaluate(
        """() => { const s = document.querySelector('.diff-skip');
                   const r = s.getBoundingClientRect();
                   const lh = parseFloat(getComputedStyle(s).lineHeight) || 24;
                   return [r.height, lh]; }"""
    )
    assert gap[0] <= 2 * gap[1], gap
    shot(page, "15e-02-version-diff-phone")
    page.screenshot(path=str(SHOTS / "15e-02b-version-diff-phone-screen.png"))
    assert_accessible(page, "the version diff on a phone")
