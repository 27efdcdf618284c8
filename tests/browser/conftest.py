"""Browser tests: Debian's Chromium driven by Playwright's sync API against
pytest-django's live server. Screenshots go to test-artifacts/screenshots/."""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test's thread; Django refuses
# ORM calls from a thread with a running loop unless told they are safe. They
# are: the test thread only sets up data and runs pipeline steps, synchronously.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
LAPTOP = {"width": 1280, "height": 900}
TABLET = {"width": 820, "height": 1180}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def new_page(browser):
    """new_page(viewport=LAPTOP): a page in a fresh context (its own cookies).
    Any JavaScript dialog (alert, confirm) fails the test."""
    contexts, dialogs = [], []

    def make(viewport=LAPTOP):
        context = browser.new_context(viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: dialogs.append(f"page error: {e}"))
        return page

    yield make
    for context in contexts:
        context.close()
    assert dialogs == [], f"dialogs or script errors in the page: {dialogs}"


def shot(page, name: str):
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def log_in(page, base: str, user, password: str):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")


AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def assert_accessible(page, name: str = ""):
    """Run the vendored axe-core in the page (no network) at WCAG 2.2 AA and fail
    with each violation's rule, impact and first target if there is any."""
    # Evaluated through the DevTools protocol, not added as a <script> tag: the
    # app's Content-Security-Policy (rightly) refuses an inline script.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA
    )
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes'][0]['target']}"
        for v in result["violations"]
    ]
    assert problems == [], f"axe-core on {name or page.url}: {problems}"
