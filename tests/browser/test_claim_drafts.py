"""Text typed in a claim's forms and not sent yet, in Chromium: every form of the
claim page (and of the article's panel) answers with the whole claim, so a swap
must not wipe what was typed in the other forms."""

import pytest

from tests.browser.conftest import log_in
from tests.browser.test_desk_discussion import claim_on_article
from tests.factories import PASSWORD, ClaimFactory, checker, editor

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def checker_on(new_page, live_server, path: str):
    """A fact-checker's page at ``path`` (``{claim}``, ``{article}`` filled in)
    and the claim it is about."""
    claim = claim_on_article()
    page = new_page()
    log_in(page, live_server.url, checker(username="ana"), PASSWORD)
    page.goto(live_server.url + path.format(claim=claim.pk, article=claim.article_id))
    return page, claim


def test_a_save_keeps_what_is_typed_in_the_other_forms(new_page, live_server):
    page, _claim = checker_on(new_page, live_server, "/claims/{claim}/")
    page.locator("#comment_body").fill("Called the county: no answer yet.")
    page.locator("#evidence_url").fill("https://example.org/inspection-report")
    page.locator("#status_note").fill("Waiting for the engineer's report.")
    page.get_by_role("button", name="Take it myself").click()
    page.wait_for_selector("text=You took the claim.")
    assert page.locator("#comment_body").input_value() == "Called the county: no answer yet."
    assert page.locator("#evidence_url").input_value() == "https://example.org/inspection-report"
    assert page.locator("#status_note").input_value() == "Waiting for the engineer's report."

    # The form that was sent is emptied as before; the others keep their text.
    page.get_by_role("button", name="Add evidence").click()
    page.wait_for_selector("a[href='https://example.org/inspection-report']")
    assert page.locator("#evidence_url").input_value() == ""
    assert page.locator("#comment_body").input_value() == "Called the county: no answer yet."
    page.get_by_role("button", name="Start").click()
    page.wait_for_selector("text=The claim is now in progress.")
    assert page.locator("#status_note").input_value() == ""
    assert page.locator("#comment_body").input_value() == "Called the county: no answer yet."


def test_a_save_in_the_panel_keeps_the_comment_typed(new_page, live_server):
    page, _claim = checker_on(new_page, live_server, "/articles/{article}/?claim={claim}")
    panel = page.locator("#claim-panel")
    panel.locator("#comment_body").fill("Asked the county for the permit.")
    panel.get_by_role("button", name="Take it myself").click()
    page.wait_for_selector("#claim-panel >> text=You took the claim.")
    assert panel.locator("#comment_body").input_value() == "Asked the county for the permit."


def test_a_panel_comment_survives_another_highlight_and_back(new_page, live_server):
    page, claim = checker_on(new_page, live_server, "/articles/{article}/?claim={claim}")
    text = claim.article.raw_text
    start = text.index("as many as 40 homes")
    other = ClaimFactory(article=claim.article, start=start, end=text.index(".", start))
    page.reload()  # the second claim's highlight
    panel = page.locator("#claim-panel")
    panel.locator("#comment_body").fill("Ten minutes of notes on the inspection.")

    page.locator(f'.article-text a.claim[data-claim="{other.pk}"]').first.click()
    page.wait_for_selector(f'#panel-start[data-claim="{other.pk}"]')
    assert panel.locator("#comment_body").input_value() == ""  # each claim its own draft
    page.go_back()
    page.wait_for_selector(f'#panel-start[data-claim="{claim.pk}"]')
    assert panel.locator("#comment_body").input_value() == "Ten minutes of notes on the inspection."

    page.locator(f'.article-text a.claim[data-claim="{other.pk}"]').first.click()
    page.wait_for_selector(f'#panel-start[data-claim="{other.pk}"]')
    page.locator(f'.article-text a.claim[data-claim="{claim.pk}"]').first.click()
    page.wait_for_selector(f'#panel-start[data-claim="{claim.pk}"]')
    assert panel.locator("#comment_body").input_value() == "Ten minutes of notes on the inspection."

    # Once the comment is added, the draft is gone.
    panel.get_by_role("button", name="Add comment").click()
    page.wait_for_selector("#claim-panel .comment")
    page.reload()
    assert panel.locator("#comment_body").input_value() == ""


def test_a_failed_save_says_so_and_keeps_the_text(new_page, live_server):
    page, claim = checker_on(new_page, live_server, "/claims/{claim}/")
    page.route(
        f"**/claims/{claim.pk}/comments/",
        lambda route: route.fulfill(status=502, body="Bad Gateway", content_type="text/html"),
    )
    page.locator("#comment_body").fill("Called the county: no answer yet.")
    page.get_by_role("button", name="Add comment").click()
    alert = page.locator("#claim-main form .request-error[role=alert]")
    alert.wait_for()
    assert alert.inner_text() == ("Not saved: the server did not answer (502). Your text is kept.")
    assert page.locator("#comment_body").input_value() == "Called the county: no answer yet."

    page.route(f"**/claims/{claim.pk}/assign/", lambda route: route.abort("connectionrefused"))
    page.get_by_role("button", name="Take it myself").click()
    page.wait_for_selector("text=Not saved: the server could not be reached. Try again.")

    page.unroute(f"**/claims/{claim.pk}/comments/")
    page.get_by_role("button", name="Add comment").click()
    page.wait_for_selector(".comment-body >> text=Called the county")
    assert page.locator(".request-error").count() == 0


def test_a_claim_the_panel_could_not_load_says_so(new_page, live_server):
    page, claim = checker_on(new_page, live_server, "/articles/{article}/")
    page.route(f"**/claims/{claim.pk}/panel/", lambda route: route.abort("connectionrefused"))
    page.locator(f'.article-text a.claim[data-claim="{claim.pk}"]').first.click()
    note = page.locator("#claim-panel > .request-error[role=alert]")
    note.wait_for()
    assert note.inner_text() == "Not loaded: the server could not be reached. Try again."


def test_an_htmx_save_clears_the_message_the_page_came_with(new_page, live_server):
    page, _claim = checker_on(new_page, live_server, "/claims/{claim}/")
    page.get_by_text("Dismiss this claim (not checked) ...").click()
    page.locator("#dismiss_dismiss_reason").select_option(index=1)
    page.locator("#dismiss_note").fill("An opinion.")
    page.get_by_role("button", name="Dismiss this claim", exact=True).click()
    page.wait_for_selector("text=The claim is now dismissed.")
    page.locator("#comment_body").fill("Dismissed: an opinion, nothing to check.")
    page.get_by_role("button", name="Add comment").click()
    page.wait_for_selector("text=Comment added.")
    assert page.locator(".message").all_inner_texts() == ["Comment added."]


def draft_keys(page) -> list[str]:
    return page.evaluate("() => Object.keys(sessionStorage).filter(k => k.startsWith('draft:'))")


def test_logging_out_forgets_the_drafts(new_page, live_server):
    """A comment typed and not sent is the writer's: once they log out, the next
    person to log in on the same tab neither gets it back nor finds it stored."""
    page, claim = checker_on(new_page, live_server, "/claims/{claim}/")
    page.locator("#comment_body").fill("Ana's notes, not for anyone else.")
    assert draft_keys(page) != []
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")
    assert draft_keys(page) == []

    log_in(page, live_server.url, checker(username="bob"), PASSWORD)
    page.goto(f"{live_server.url}/claims/{claim.pk}/")
    assert page.locator("#comment_body").input_value() == ""


def test_another_persons_drafts_are_never_restored(new_page, live_server):
    """Without a log out (the session expired, the cookies went): the writer who
    logs back in gets the drafts again; another person on the tab does not, and
    the drafts are dropped as that person logs in."""
    page, claim = checker_on(new_page, live_server, "/claims/{claim}/")
    claim_url = f"{live_server.url}/claims/{claim.pk}/"
    page.locator("#comment_body").fill("Ana's notes, not for anyone else.")
    page.context.clear_cookies()
    log_in(page, live_server.url, checker(username="ana"), PASSWORD)
    page.goto(claim_url)
    assert page.locator("#comment_body").input_value() == "Ana's notes, not for anyone else."

    page.context.clear_cookies()
    log_in(page, live_server.url, checker(username="bob"), PASSWORD)
    page.goto(claim_url)
    assert page.locator("#comment_body").input_value() == ""
    assert draft_keys(page) == []

    page.locator("#comment_body").fill("Bob's own draft.")
    page.context.clear_cookies()
    log_in(page, live_server.url, checker(username="ana"), PASSWORD)
    page.goto(claim_url)
    assert page.locator("#comment_body").input_value() == ""


def test_logging_out_of_the_admin_forgets_the_drafts(new_page, live_server):
    claim = claim_on_article()
    page = new_page()
    log_in(page, live_server.url, editor(username="eve"), PASSWORD)
    page.goto(f"{live_server.url}/claims/{claim.pk}/")
    page.locator("#comment_body").fill("Eve's notes, not for anyone else.")
    assert draft_keys(page) != []
    page.goto(f"{live_server.url}/admin/")
    page.locator("#logout-form button").click()
    page.wait_for_url("**/accounts/login/")
    assert draft_keys(page) == []
