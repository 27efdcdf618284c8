"""A source page lists the record, in Chromium: two analysed articles quote the
Syrian Observatory, its earlier claims carry verdicts; a viewer finds it from a
claim's page and reads its record and hedging; an editor splits a name off."""

import pytest

from claims.models import Claim, Source
from claims.services import article_ingest
from claims.services.sources import sources_resolve
from tests.browser.conftest import assert_accessible, log_in, shot
from tests.factories import PASSWORD, ClaimFactory, editor, viewer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ARTICLES = [
    "Strikes hit Idlib\n\nBEIRUT - The Syrian Observatory for Human Rights said on Sunday "
    "that 12 civilians were killed in the strikes.\n",
    "Ceasefire falters\n\nBEIRUT - About 30 fighters probably died overnight, the Syrian "
    "Observatory for Human Rights said on Monday.\n",
]


@pytest.fixture
def observatory(db):
    for text in ARTICLES:
        article = article_ingest(text=text).article  # analysed in-process in tests
        article.refresh_from_db()
        assert article.state == "analyzed", article.error
    quoted = Claim.objects.filter(source_text__icontains="Syrian Observatory")
    assert quoted.count() == 2
    (source_id,) = set(quoted.values_list("source_id", flat=True))
    # Its earlier record: 8 verified, 1 false, under a shorter name an editor merged.
    earlier = [
        ClaimFactory(source_text="Syrian Observatory for Human Rights", status=s, start=30)
        for s in ["verified"] * 8 + ["false"]
    ]
    sources_resolve(claim_ids=[c.pk for c in earlier])
    return Source.objects.get(pk=source_id)


def test_a_source_page_lists_the_record(new_page, live_server, observatory):
    base = live_server.url
    page = new_page()
    log_in(page, base, viewer(), PASSWORD)
    claim = Claim.objects.filter(source=observatory, article__title="Strikes hit Idlib").get()
    page.goto(f"{base}/claims/{claim.pk}/")
    page.locator(f'a.source-name[href="/sources/{observatory.pk}/"]').first.click()
    page.wait_for_url(f"**/sources/{observatory.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == observatory.name
    assert page.locator("#record-summary").inner_text() == "8 of 9 verdicts verified."
    record = page.locator("table.record")
    assert record.locator("tr", has_text="Verified").locator("td").inner_text() == "8"
    assert record.locator("tr", has_text="False").locator("td").inner_text() == "1"
    assert page.locator("table.source-claims tbody tr").count() == 11
    hedging = page.locator("table.hedging tbody tr")
    assert hedging.count() >= 1
    assert page.get_by_role("heading", name="Merge or split").count() == 0  # a viewer
    assert_accessible(page, "source page")
    shot(page, "sources-01-record")

    page.goto(f"{base}/sources/?q=observatory")
    assert page.locator("table.sources tbody tr").count() == 1
    assert_accessible(page, "sources list")
    shot(page, "sources-02-list")


def test_an_editor_splits_a_name_off(new_page, live_server, observatory):
    base = live_server.url
    ClaimFactory(source_text="Observatory", source_type="named_organization", start=30)
    other = Claim.objects.filter(source_text="Observatory").get()
    sources_resolve(claim_ids=[other.pk])
    other.refresh_from_db()
    page = new_page()
    log_in(page, base, editor(), PASSWORD)
    page.goto(f"{base}/sources/{other.source_id}/")
    page.get_by_label("Merge this source into source number").fill(str(observatory.pk))
    page.get_by_role("button", name="Merge").click()
    page.wait_for_url(f"**/sources/{observatory.pk}/")
    assert "was merged into" in page.locator(".messages").first.inner_text()
    assert_accessible(page, "after a merge")
    page.get_by_label("Observatory", exact=True).check()
    page.get_by_role("button", name="Split off").click()
    page.wait_for_url(f"**/sources/{observatory.pk}/")
    assert "is now a source of its own" in page.locator(".messages").first.inner_text()
    assert page.locator("#changes-h").count() == 1
    assert_accessible(page, "after a split")
    shot(page, "sources-03-after-split")
