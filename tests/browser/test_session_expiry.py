"""A session that expires while the claim page is open, in Chromium: the htmx
comment form and a plain form both lead to the login page as a whole page, which
says why, and back to the claim page (not to the POST-only URL: a 405)."""

import pytest

from tests.browser.conftest import log_in
from tests.factories import PASSWORD, ClaimFactory, checker

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def expire_session(page):
    page.context.clear_cookies(name="sessionid")


def log_in_again(page, user):
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_htmx_comment_after_the_session_expired(new_page, live_server):
    base, claim, user = live_server.url, ClaimFactory(), checker()
    page = new_page()
    log_in(page, base, user, PASSWORD)
    page.goto(f"{base}/claims/{claim.pk}/")
    page.get_by_label("Add to the discussion").fill("Checked with the ministry.")
    expire_session(page)
    page.get_by_role("button", name="Add comment").click()

    page.wait_for_url(f"{base}/accounts/login/?next=/claims/{claim.pk}/")
    # The login page as the page, once: not inside the claim page's main part.
    assert page.locator("h1").all_inner_texts() == ["Log in"]
    assert page.locator("#claim-main").count() == 0
    assert page.get_by_text("Your session expired: log in again.").is_visible()
    log_in_again(page, user)
    page.wait_for_url(f"{base}/claims/{claim.pk}/")
    assert page.get_by_role("button", name="Add comment").is_visible()


def test_plain_form_after_the_session_expired(new_page, live_server):
    base, claim, user = live_server.url, ClaimFactory(), checker()
    page = new_page()
    log_in(page, base, user, PASSWORD)
    page.goto(f"{base}/claims/{claim.pk}/")
    expire_session(page)
    # A plain POST (no htmx), as a form without hx-post sends it.
    page.evaluate(
        """() => { const f = document.querySelector('form[action$="/comments/"]');
                   f.removeAttribute('hx-post'); htmx.process(f); f.submit(); }"""
    )
    page.wait_for_url(f"{base}/accounts/login/?next=/claims/{claim.pk}/")
    assert page.get_by_text("Your session expired: log in again.").is_visible()
    log_in_again(page, user)
    page.wait_for_url(f"{base}/claims/{claim.pk}/")
    assert page.locator("h1").count() >= 1
