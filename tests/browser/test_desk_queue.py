"""Issue 13, the desk's queue in Chromium: open work by default (a verdict is
hidden), an overdue claim marked in words, keyboard triage (j/k/s/a/d/v, ? for
the keys, keys ignored while typing, Enter opens), the "Skip to claims" link,
and the phone layout (filters folded, first claim on the first screen, tap
targets of 24 px). axe-core runs on each state; screenshots of the default
queue, the keys dialog and the phone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from claims.models import Claim, StatusChange
from tests.browser.conftest import assert_accessible, log_in, shot
from tests.factories import PASSWORD, ArticleFactory, ClaimFactory, checker, editor

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
TEXT = (
    "Flood defences failed\n\n"
    "The mayor said the new wall would hold any flood. "
    "Officials said about 300 homes were evacuated overnight. "
    "The council claimed repairs cost 2 million pounds. "
    "A resident said the river rose faster than ever before. "
    "The agency reported that rainfall doubled the seasonal average."
)


def sentence(text: str, words: str, **fields) -> Claim:
    """A claim on ``words`` inside its sentence of TEXT."""
    article = fields.pop("article")
    start = text.index(words)
    s_start = max(text.rfind(". ", 0, start) + 2, text.rfind("\n", 0, start) + 1)
    s_end = text.index(".", start + len(words)) + 1
    return ClaimFactory(
        article=article,
        start=start,
        end=start + len(words),
        sentence_start=s_start,
        sentence_end=s_end,
        **fields,
    )


@pytest.fixture
def desk(db):
    article = ArticleFactory(raw_text=TEXT, title="Flood defences failed", publication="Gazette")
    now = timezone.now()
    return {
        "overdue": sentence(
            TEXT, "the new wall would hold any flood", article=article,
            confidence_level="very_low", due_at=now - timedelta(hours=3, minutes=10), priority=1,
        ),
        "verdict": sentence(
            TEXT, "repairs cost 2 million pounds", article=article,
            confidence_level="very_low", status="misleading",
        ),
        "working": sentence(
            TEXT, "about 300 homes were evacuated overnight", article=article,
            confidence_level="low", status="in_progress",
        ),
        "medium": sentence(
            TEXT, "the river rose faster than ever before", article=article,
            confidence_level="medium",
        ),
        "high": sentence(
            TEXT, "rainfall doubled the seasonal average", article=article,
            confidence_level="high", due_at=now + timedelta(days=2),
        ),
    }  # fmt: skip


def focused_claim(page) -> str | None:
    return page.evaluate(
        "(document.activeElement.closest('tr.claim-row') || {dataset: {}}).dataset.claim || null"
    )


def press_and_reload(page, key: str):
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state("domcontentloaded")


def test_the_queue_by_keyboard(new_page, live_server, desk):
    base = live_server.url
    worker = checker()
    page = new_page()
    log_in(page, base, worker, PASSWORD)

    # --- The default queue: open work; the verdict is hidden; overdue said in words -
    rows = page.locator("tr.claim-row")
    assert [int(i) for i in rows.evaluate_all("rs => rs.map(r => r.dataset.claim)")] == [
        desk[k].pk for k in ("overdue", "working", "medium", "high")
    ]
    assert page.get_by_text("repairs cost 2 million pounds").count() == 0
    overdue_row = page.locator(f'tr[data-claim="{desk["overdue"].pk}"]')
    assert "Overdue 3 h" in overdue_row.locator(".due.overdue").inner_text()
    assert overdue_row.locator("mark").inner_text() == "the new wall would hold any flood"
    assert page.get_by_role("link", name="Open").get_attribute("aria-current") == "page"
    shot(page, "13a-01-queue-default")
    assert_accessible(page, "the default queue")

    # --- The first Tab is "Skip to claims"; it lands before the first claim ---------
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to claims"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "claims"

    # --- ? lists the keys ------------------------------------------------------------
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    dialog.wait_for()
    assert "Dismiss the claim (asks why)" in dialog.inner_text()
    assert "Give a verdict" not in dialog.inner_text()  # a fact-checker gives none
    shot(page, "13a-02-keys-dialog")
    assert_accessible(page, "the keys dialog")
    page.keyboard.press("Escape")
    assert not dialog.is_visible()

    # --- j/k move through the claims ---------------------------------------------------
    page.keyboard.press("j")
    assert focused_claim(page) == str(desk["overdue"].pk)
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert focused_claim(page) == str(desk["medium"].pk)
    page.keyboard.press("k")
    assert focused_claim(page) == str(desk["working"].pk)

    # --- Keys are ignored while typing ---------------------------------------------------
    assert page.locator("#queue-tools").get_attribute("open") == ""  # open on a laptop
    search = page.get_by_label("Search")
    search.fill("")
    search.press("j")
    search.press("s")
    assert search.input_value() == "js"
    assert page.evaluate("document.activeElement.name") == "q"

    # --- s starts the focused claim; the focus comes back to it --------------------------
    page.locator(f'tr[data-claim="{desk["overdue"].pk}"] a.claim-link').focus()
    press_and_reload(page, "s")
    page.get_by_text("The claim is now in progress.").wait_for()
    claim = Claim.objects.get(pk=desk["overdue"].pk)
    assert claim.status == "in_progress"
    page.wait_for_function("document.activeElement.classList.contains('claim-link')")
    assert focused_claim(page) == str(claim.pk)

    # --- s on a claim that cannot be started says so, and nothing happens ---------------
    page.keyboard.press("s")
    assert "cannot start this claim" in page.locator("#key-status").inner_text()

    assert claim.assignee == worker  # Start takes an unassigned claim (issue 13)

    # --- a assigns a claim to me ---------------------------------------------------------
    page.locator(f'tr[data-claim="{desk["working"].pk}"] a.claim-link').focus()
    press_and_reload(page, "a")
    page.get_by_text("You took the claim.").wait_for()
    assert Claim.objects.get(pk=desk["working"].pk).assignee == worker

    # --- d asks why, then dismisses --------------------------------------------------------
    page.locator(f'tr[data-claim="{desk["medium"].pk}"] a.claim-link').focus()
    page.keyboard.press("d")
    ask = page.get_by_role("dialog", name="Dismiss this claim?")
    ask.wait_for()
    assert "the river rose faster than ever before" in ask.inner_text()
    assert_accessible(page, "the dismiss dialog")
    # The reason is required: submitting without one keeps the dialog open.
    ask.get_by_role("button", name="Dismiss the claim").click()
    assert ask.is_visible() and Claim.objects.get(pk=desk["medium"].pk).status == "unstarted"
    ask.get_by_label("Duplicate").check()
    ask.get_by_label("Note").fill("Same as the claim in yesterday's piece.")
    with page.expect_navigation():
        ask.get_by_role("button", name="Dismiss the claim").click()
    page.get_by_text("The claim is now dismissed.").wait_for()
    medium = Claim.objects.get(pk=desk["medium"].pk)
    assert medium.status == "dismissed"
    change = StatusChange.objects.get(claim=medium, to_status="dismissed")
    assert change.note == "Same as the claim in yesterday's piece." and change.user == worker
    assert page.locator(f'tr[data-claim="{medium.pk}"]').count() == 0  # done: off the list
    # The focus is on the claim now in its place, so triage goes on from there.
    page.wait_for_function("document.activeElement.classList.contains('claim-link')")
    assert focused_claim(page) == str(desk["high"].pk)

    # --- Every action is also a button reachable by Tab -------------------------------------
    row = page.locator(f'tr[data-claim="{desk["high"].pk}"]')
    for name in ("Start", "Assign to me", "Dismiss…"):
        control = row.get_by_role("button", name=name).or_(row.get_by_role("link", name=name))
        assert control.evaluate("e => e.tabIndex") == 0, name

    # --- Enter opens the focused claim -----------------------------------------------------
    row.locator("a.claim-link").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/claims/{desk['high'].pk}/")


def test_the_editor_gives_a_verdict_with_v(new_page, live_server, desk):
    base = live_server.url
    boss = editor()
    page = new_page()
    log_in(page, base, boss, PASSWORD)
    page.locator(f'tr[data-claim="{desk["overdue"].pk}"] a.claim-link').focus()
    page.keyboard.press("v")  # unstarted: no verdict yet
    assert "cannot give a verdict on this claim" in page.locator("#key-status").inner_text()
    page.locator(f'tr[data-claim="{desk["working"].pk}"] a.claim-link').focus()
    page.keyboard.press("v")
    ask = page.get_by_role("dialog", name="Give a verdict")
    ask.wait_for()
    assert_accessible(page, "the verdict dialog")
    ask.get_by_label("False").check()
    ask.get_by_label("What checking found").fill("The agency's log shows 30 homes, not 300.")
    with page.expect_navigation():
        ask.get_by_role("button", name="Give the verdict").click()
    page.get_by_text("The claim is now false.").wait_for()
    assert Claim.objects.get(pk=desk["working"].pk).status == "false"

    # "Done" lists the verdicts, and the default list does not.
    page.get_by_role("link", name="Done").click()
    page.wait_for_url("**view=done**")
    done = page.locator("tr.claim-row").evaluate_all("rs => rs.map(r => r.dataset.claim)")
    assert sorted(int(i) for i in done) == sorted([desk["verdict"].pk, desk["working"].pk])
    assert page.get_by_role("link", name="Done").get_attribute("aria-current") == "page"
    assert_accessible(page, "the done view")
    shot(page, "13a-03-queue-done")


def test_the_queue_on_a_phone(new_page, live_server, desk):
    base = live_server.url
    page = new_page(viewport=PHONE)
    log_in(page, base, checker(), PASSWORD)
    tools = page.locator("#queue-tools")
    assert tools.get_attribute("open") is None  # folded behind one button
    first = page.locator("tr.claim-row").first.locator("a.claim-link")
    box = first.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], box  # on the first screen
    # Every button and tab is at least 24 x 24 px.
    sizes = page.evaluate(
        """() => Array.from(document.querySelectorAll(
            'main button, main .button, .quick-views a, #queue-tools > summary'))
          .filter(e => e.offsetParent !== null)
          .map(e => { const r = e.getBoundingClientRect();
                      return [e.textContent.trim(), r.width, r.height]; })"""
    )
    assert sizes and all(w >= 24 and h >= 24 for _, w, h in sizes), sizes
    shot(page, "13a-04-queue-phone")
    assert_accessible(page, "the queue on a phone")
    page.locator("#queue-tools > summary").click()
    assert page.get_by_role("button", name="Apply filters").is_visible()
    assert_accessible(page, "the queue on a phone, filters open")
    shot(page, "13a-05-queue-phone-filters")


def test_the_keys_dialog_gives_the_focus_back(new_page, live_server, desk):
    from playwright.sync_api import expect  # here, as in conftest: collecting needs no playwright

    page = new_page()
    log_in(page, live_server.url, checker(), PASSWORD)
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    # ? on a page just loaded (nothing focused): Escape lands on the keys button,
    # not on <body> (where Tab would start again from the top).
    page.keyboard.press("?")
    dialog.wait_for()
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    # The focus moves on the dialog's close event, which comes after the Escape.
    expect(page.locator("#keys-button")).to_be_focused(timeout=3000)
    # Opened with ? from a claim: back to that claim.
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("?")
    dialog.wait_for()
    page.keyboard.press("Escape")
    row = page.locator(f'tr.claim-row[data-claim="{desk["working"].pk}"] a.claim-link')
    expect(row).to_be_focused(timeout=3000)
