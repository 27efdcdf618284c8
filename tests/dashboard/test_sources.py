"""The sources pages: list with search, a source's record, hedging and claims,
merge and split for editors only, and the link from a claim's page."""

from __future__ import annotations

import pytest

from claims.models import Claim, Source, SourceChange
from claims.services.sources import sources_resolve
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def observatory():
    claims = [
        ClaimFactory(source_text="Syrian Observatory", source_type="named_organization", status=s)
        for s in ["verified"] * 8 + ["false", "dismissed"]
    ]
    claims.append(ClaimFactory(source_text="The Observatory", source_type="named_organization"))
    sources_resolve(claim_ids=[c.pk for c in claims])
    return Source.objects.get(key="syrian observatory")


@pytest.mark.parametrize("role", ["viewer", "checker", "editor"])
def test_every_role_reads_the_list_and_the_record(client_as, observatory, role):
    client = client_as(role)
    other = Source.objects.get(key="observatory")
    everything = client.get("/sources/").content.decode()
    assert f'href="/sources/{other.pk}/"' in everything
    listed = client.get("/sources/", {"q": "syrian"})
    assert listed.status_code == 200
    assert f'href="/sources/{observatory.pk}/"' in listed.content.decode()
    assert f'href="/sources/{other.pk}/"' not in listed.content.decode()
    page = client.get(f"/sources/{observatory.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "8 of 9 verdicts verified; 1 dismissed." in text
    assert '<th scope="row">Verified</th><td>8</td>' in text
    assert "Hedging over time" in text
    assert (b"Merge or split" in page.content) is (role == "editor")


def test_a_search_with_a_null_character_is_a_400(client_as, observatory):
    # PostgreSQL refuses NUL in a query: the search answered 500.
    response = client_as("viewer").get("/sources/?q=syrian%00")
    assert response.status_code == 400
    assert client_as("viewer").get("/sources/", {"q": "syrian"}).status_code == 200


def test_anonymous_is_sent_to_log_in(client, observatory):
    for url in ("/sources/", f"/sources/{observatory.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(f"/sources/{observatory.pk}/merge/", {"into": observatory.pk})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", ["viewer", "checker"])
def test_only_editors_merge_and_split(client_as, observatory, role):
    other = Source.objects.get(key="observatory")
    client = client_as(role)
    assert client.post(f"/sources/{other.pk}/merge/", {"into": observatory.pk}).status_code == 403
    assert client.post(f"/sources/{observatory.pk}/split/", {"aliases": ["x"]}).status_code == 403
    assert not SourceChange.objects.exists()


def test_an_editor_merges_then_splits(client_as, observatory):
    other = Source.objects.get(key="observatory")
    client = client_as("editor")
    response = client.post(f"/sources/{other.pk}/merge/", {"into": observatory.pk}, follow=True)
    assert response.redirect_chain[-1][0] == f"/sources/{observatory.pk}/"
    assert b"was merged into Syrian Observatory" in response.content
    assert Claim.objects.filter(source=observatory).count() == 11
    # The merged source's page leads to the one it joined.
    assert client.get(f"/sources/{other.pk}/")["Location"] == f"/sources/{observatory.pk}/"
    page = client.get(f"/sources/{observatory.pk}/").content.decode()
    assert (
        "<bdi>editor</bdi> merged <bdi>Observatory</bdi> into this source "
        "(<bdi>Observatory</bdi>; 1 claim)." in page
    )
    response = client.post(f"/sources/{observatory.pk}/split/", {"aliases": ["Observatory"]})
    assert response.status_code == 302
    assert Claim.objects.filter(source=observatory).count() == 10
    assert SourceChange.objects.filter(action="split").count() == 1
    split = SourceChange.objects.get(action="split")
    page = client.get(f"/sources/{split.other_id}/").content.decode()
    assert "split this source off" in page and "Syrian Observatory" in page


def test_a_bad_merge_says_why(client_as, observatory):
    client = client_as("editor")
    response = client.post(f"/sources/{observatory.pk}/merge/", {"into": 999999})
    assert response.status_code == 400
    assert b"There is no source number 999999." in response.content
    response = client.post(f"/sources/{observatory.pk}/merge/", {"into": observatory.pk})
    assert response.status_code == 400 and b"cannot be merged into itself" in response.content


def test_names_are_escaped(client_as):
    claim = ClaimFactory(source_text="<b>Evil</b> Corp", source_type="named_organization")
    sources_resolve(claim_ids=[claim.pk])
    claim.refresh_from_db()
    client = client_as("viewer")
    for url in ("/sources/", f"/sources/{claim.source_id}/", f"/claims/{claim.pk}/"):
        body = client.get(url).content
        assert b"<b>Evil</b>" not in body and b"&lt;b&gt;Evil&lt;/b&gt;" in body


def test_the_claim_page_links_to_its_source(client_as, observatory):
    claim = Claim.objects.filter(source=observatory).first()
    body = client_as("viewer").get(f"/claims/{claim.pk}/").content.decode()
    assert f'href="/sources/{observatory.pk}/"' in body


def test_a_source_page_costs_the_same_whatever_its_claims(client_as, django_assert_max_num_queries):
    claims = [
        ClaimFactory(source_text="Busy Agency", source_type="government", start=30)
        for _ in range(30)
    ]
    sources_resolve(claim_ids=[c.pk for c in claims])
    source = Source.objects.get(key="busy agency")
    client = client_as("viewer")
    with django_assert_max_num_queries(14):
        assert client.get(f"/sources/{source.pk}/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/sources/").status_code == 200


def test_every_claim_by_this_source_follows_the_merge(client_as, observatory):
    """After a merge the claim page's "every claim by this source" lists the merged
    names' claims too (it filtered by the name as spelt in this claim)."""
    from claims.services.sources import source_merge

    other = Source.objects.get(key="observatory")
    client = client_as("editor")
    source_merge(source=other, into=observatory, user=client.user)
    claim = Claim.objects.filter(source_text="Syrian Observatory").first()
    page = client.get(f"/claims/{claim.pk}/").content.decode()
    link = f"/?view=all&amp;source_id={observatory.pk}"
    assert f'href="{link}">every claim by this source' in page
    queue = client.get(link.replace("&amp;", "&")).content.decode()
    assert queue.count('class="claim-link"') == 11


@pytest.mark.parametrize("value", ["99999999999999999999", "9223372036854775808"])
def test_a_source_id_no_database_holds_is_refused_not_a_500(client_as, value):
    # Past 2**63 - 1 SQLite raised OverflowError: a 500.
    queue = client_as("editor").get("/", {"view": "all", "source_id": value})
    assert queue.status_code in (200, 400)


def test_the_other_names_are_listed_without_a_dangling_comma(client_as):
    # Was: "also written as “Lavrov”," when the source's own name came last of
    # its names in alphabetical order.
    claims = [
        ClaimFactory(source_text=name, source_type="named_person")
        for name in ("Sergei V. Lavrov", "Lavrov", "Foreign Minister Lavrov")
    ]
    sources_resolve(claim_ids=[c.pk for c in claims])
    into = Source.objects.get(key="sergei v lavrov")
    client = client_as("editor")
    for key in ("lavrov", "foreign minister lavrov"):
        other = Source.objects.get(key=key)
        assert client.post(f"/sources/{other.pk}/merge/", {"into": into.pk}).status_code == 302
    page = client.get(f"/sources/{into.pk}/").content.decode()
    assert "also written as “Foreign Minister Lavrov”, “Lavrov”</p>" in page


def test_a_source_page_links_to_every_claim_of_the_source(client_as, observatory):
    # Was: past the latest claims the page said "The latest 200 of 583 claims."
    # and gave no way to the others.
    page = client_as("viewer").get(f"/sources/{observatory.pk}/").content.decode()
    assert f'href="/?view=all&amp;source_id={observatory.pk}"' in page
