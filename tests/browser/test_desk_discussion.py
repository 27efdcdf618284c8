"""The desk's discussion in Chromium: a mention reaches the colleague's inbox, a
save on the claim page keeps the reader's place, "Next claim in this view"
follows the queue, and an action in the article's panel updates the list and
the highlight below. axe-core on the claim page, the inbox and the account's
notification choices."""

import pytest

from claims.workflow import comment_add
from tests.browser.conftest import assert_accessible, log_in, shot
from tests.factories import PASSWORD, ArticleFactory, ClaimFactory, checker, editor

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def claim_on_article(**kw):
    article = ArticleFactory()
    text = article.raw_text
    start = text.index("the dam had passed")
    end = text.index(".", start)
    return ClaimFactory(
        article=article,
        start=start,
        end=end,
        sentence_start=text.index("The county engineer"),
        sentence_end=end + 1,
        source_start=text.index("Ana Ruiz"),
        source_end=text.index("Ana Ruiz") + len("Ana Ruiz"),
        **kw,
    )


def test_a_mention_reaches_the_inbox(new_page, live_server):
    base = live_server.url
    ana, bob = checker(username="ana"), checker(username="bob")
    claim = claim_on_article(confidence_level="low", confidence_score=0.3)

    page = new_page()
    log_in(page, base, ana, PASSWORD)
    page.goto(f"{base}/claims/{claim.pk}/")
    assert page.locator("h1").inner_text() == claim.text
    page.get_by_label("Add to the discussion").fill("@bob can you call **the county**?")
    page.get_by_role("button", name="Add comment").click()
    page.wait_for_selector(".comment-body strong")
    comment = page.locator(".comment").last
    assert "ana" in comment.inner_text()
    assert comment.locator("a.mention").get_attribute("href") == "/?assignee=bob"
    assert page.locator("#inbox-link .inbox-count").count() == 0  # not to oneself
    shot(page, "desk-01-claim-discussion")
    assert_accessible(page, "claim page with a discussion")

    other = new_page()
    log_in(other, base, bob, PASSWORD)
    assert other.locator("#inbox-link .inbox-count").inner_text() == "1"
    other.locator("#inbox-link").click()
    other.wait_for_url(f"{base}/inbox/")
    item = other.locator(".inbox-list li.unread")
    assert "ana mentioned you on the claim" in item.inner_text()
    shot(other, "desk-02-inbox-unread")
    assert_accessible(other, "inbox")
    other.get_by_role("button", name="Mark all read").click()
    other.wait_for_selector(".inbox-list li.read")
    assert other.locator("#inbox-link .inbox-count").count() == 0
    item = other.locator(".inbox-list li").first
    item.get_by_role("link").click()
    other.wait_for_url(f"{base}/claims/{claim.pk}/")
    assert "can you call" in other.locator(".comment-body").inner_text()


def test_a_save_keeps_the_scroll_position(new_page, live_server):
    base = live_server.url
    ana = checker(username="ana")
    claim = claim_on_article()
    for i in range(12):
        comment_add(claim=claim, body=f"Comment {i}: " + "checked the records. " * 8, user=ana)

    page = new_page()
    log_in(page, base, ana, PASSWORD)
    page.goto(f"{base}/claims/{claim.pk}/")
    box = page.get_by_label("Add to the discussion")
    box.scroll_into_view_if_needed()
    box.fill("One more, far down the page.")
    before, top = place(page, "#comment_body")
    assert before > 500
    page.get_by_role("button", name="Add comment").click()
    page.wait_for_selector("text=One more, far down the page.")
    after, top_after = place(page, "#comment_body")
    # Still far down (a reload went to 0), the form where it was on screen (the
    # browser's scroll anchoring may move scrollY by the new comment's height).
    assert after >= before - 50, (before, after)
    assert abs(top_after - top) < 20, (top, top_after)
    assert page.locator(".comment").count() == 13
    assert page.get_by_label("Add to the discussion").input_value() == ""

    page.get_by_label("Link").scroll_into_view_if_needed()
    page.get_by_label("Link").fill("https://example.org/inspection-report")
    before, top = place(page, "#evidence_url")
    page.get_by_role("button", name="Add evidence").click()
    page.wait_for_selector("a[href='https://example.org/inspection-report']")
    after, top_after = place(page, "#evidence_url")
    assert before > 500 and abs(after - before) < 150, (before, after)
    assert abs(top_after - top) < 20, (top, top_after)
    shot(page, "desk-03-claim-save-in-place")


def place(page, selector: str) -> tuple[float, float]:
    """window.scrollY, and where ``selector`` is in the viewport."""
    return page.evaluate(
        "s => [window.scrollY, document.querySelector(s).getBoundingClientRect().top]", selector
    )


def test_next_claim_in_this_view(new_page, live_server):
    base = live_server.url
    boss = editor(username="boss")
    article = ArticleFactory()
    low = [
        ClaimFactory(article=article, confidence_level="very_low", checkworthiness=w)
        for w in (0.9, 0.6, 0.3)
    ]
    ClaimFactory(article=article, confidence_level="high")

    page = new_page()
    log_in(page, base, boss, PASSWORD)
    page.goto(f"{base}/?confidence_level=very_low")
    page.locator("a.claim-link").first.click()
    page.wait_for_url(f"{base}/claims/{low[0].pk}/?confidence_level=very_low")
    assert_accessible(page, "claim page of an editor")
    page.get_by_role("link", name="Next claim in this view").click()
    page.wait_for_url(f"{base}/claims/{low[1].pk}/?confidence_level=very_low")
    page.get_by_role("link", name="Next claim in this view").click()
    page.wait_for_url(f"{base}/claims/{low[2].pk}/?confidence_level=very_low")
    assert page.get_by_text("Last claim in this view").is_visible()
    shot(page, "desk-04-last-claim-in-view")


def test_the_panel_updates_the_list_and_the_highlight(new_page, live_server):
    base = live_server.url
    ana = checker(username="ana")
    claim = claim_on_article(confidence_level="very_low", confidence_score=0.1)

    page = new_page()
    log_in(page, base, ana, PASSWORD)
    page.goto(f"{base}/articles/{claim.article_id}/?claim={claim.pk}")
    item = page.locator(f"#claim-item-{claim.pk}")
    assert "Unstarted" in item.inner_text()
    page.locator("#claim-panel").get_by_role("button", name="Start").click()
    page.wait_for_selector('#panel-start[data-status="in_progress"]')
    assert "In progress" in page.locator(f"#claim-item-{claim.pk}").inner_text()
    mark = page.locator(f'.article-text a.claim[data-claim="{claim.pk}"]').first
    assert mark.get_attribute("data-state") == "Status: in progress"
    assert "status: in progress" in mark.get_attribute("title")
    shot(page, "desk-05-panel-and-list-updated")
    assert_accessible(page, "article page after a panel action")
    # The source name links to every claim by that source.
    page.locator(f"#claim-item-{claim.pk} a.source-name").click()
    page.wait_for_url(f"{base}/?source=Ana%20Ruiz")
    assert page.locator("a.claim-link").count() == 1
    shot(page, "desk-06-queue-by-source")


def test_notification_choices_are_accessible(new_page, live_server):
    base = live_server.url
    ana = checker(username="ana", email="ana@example.org")
    page = new_page()
    log_in(page, base, ana, PASSWORD)
    page.goto(f"{base}/account/")
    page.get_by_label("A claim is assigned to me: by e-mail").check()
    page.get_by_role("button", name="Save notification choices").click()
    page.wait_for_selector("text=Your notification choices are saved.")
    assert page.get_by_label("A claim is assigned to me: by e-mail").is_checked()
    shot(page, "desk-07-account-notifications")
    assert_accessible(page, "account page with notification choices")
