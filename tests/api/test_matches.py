"""GET /api/v1/claims/{id}/matches/, confirming and rejecting a match, taking a
cluster's verdict, and cluster_id on claims: per role."""

from __future__ import annotations

import pytest

from claims.domain import fingerprint
from claims.models import ClaimChange, ClaimMatch, FactCheck, MatchState, StatusChange
from claims.services import claim_matches_find
from claims.workflow import claim_transition
from tests.api.conftest import error_of
from tests.factories import ArticleFactory, ClaimFactory, editor

pytestmark = pytest.mark.django_db

TEXT = "The mayor said the old river bridge would reopen in May after repairs costing $4 million."


def claim_with(text: str, title: str):
    return ClaimFactory(
        article=ArticleFactory(title=title), text=text, fingerprint=fingerprint(text)
    )


@pytest.fixture
def pair():
    earlier = claim_with(TEXT, "Bridge closure")
    repeated = claim_with(TEXT.replace("river", "iron"), "Bridge closure (wire)")
    claim_matches_find(claim_ids=[repeated.pk])
    return earlier, repeated


def url(claim, tail="matches/"):
    return f"/api/v1/claims/{claim.pk}/{tail}"


@pytest.mark.parametrize("role", ["viewer", "checker", "editor"])
def test_every_role_reads_a_claims_matches_from_both_sides(api_as, pair, role):
    earlier, repeated = pair
    client = api_as(role)
    body = client.get(url(repeated)).json()
    assert len(body) == 1
    m = body[0]
    assert m["kind"] == "claim" and m["matched_id"] == earlier.pk and m["state"] == "suggested"
    assert m["article_title"] == "Bridge closure" and m["verdict"] == "Unstarted"
    assert m["text"] == TEXT and m["score"] >= 0.8
    span = m["spans"][0]
    assert (
        repeated.text[span["start"] : span["end"]] == TEXT[span["other_start"] : span["other_end"]]
    )
    # From the earlier claim the same match points the other way, spans swapped.
    other = client.get(url(earlier)).json()[0]
    assert other["matched_id"] == repeated.pk and other["id"] == m["id"]
    assert (
        earlier.text[other["spans"][0]["start"] : other["spans"][0]["end"]]
        == TEXT[span["other_start"] : span["other_end"]]
    )


def test_a_factcheck_match_shows_its_rating_and_publisher(api_as):
    FactCheck.objects.create(
        key="k", claim_text=TEXT, rating="False", publisher="Checks", url="https://c.example/1"
    )
    claim = claim_with(TEXT.replace("river", "iron"), "Bridge")
    claim_matches_find(claim_ids=[claim.pk])
    m = api_as("viewer").get(url(claim)).json()[0]
    assert (m["kind"], m["verdict"], m["publisher"]) == ("factcheck", "False", "Checks")
    assert m["factcheck_url"] == "https://c.example/1" and m["article"] is None


def test_matches_need_authentication_and_an_existing_claim(client, api_as, pair):
    assert client.get(url(pair[0])).status_code == 401
    response = api_as("viewer").get("/api/v1/claims/999999/matches/")
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"


@pytest.mark.parametrize("role", ["viewer", "checker"])
@pytest.mark.parametrize("decision", ["confirm", "reject"])
def test_only_editors_decide(api_as, pair, role, decision):
    _, repeated = pair
    match = ClaimMatch.objects.get()
    response = api_as(role).post(
        url(repeated, f"matches/{match.pk}/{decision}/"), {}, format="json"
    )
    assert response.status_code == 403 and error_of(response)["code"] == "permission_denied"
    match.refresh_from_db()
    assert match.state == MatchState.SUGGESTED


def test_an_editor_confirms_and_the_cluster_shows_on_the_claims(api_as, pair):
    earlier, repeated = pair
    client = api_as("editor")
    match = ClaimMatch.objects.get()
    response = client.post(url(earlier, f"matches/{match.pk}/confirm/"), {}, format="json")
    assert response.status_code == 200 and response.json()[0]["state"] == "confirmed"
    assert response.json()[0]["decided_by"] == "editor"
    assert client.get(url(repeated, "")).json()["cluster_id"] == earlier.pk
    listed = client.get("/api/v1/claims/").json()["results"]
    assert {c["cluster_id"] for c in listed} == {earlier.pk}
    # Decided once.
    again = client.post(url(earlier, f"matches/{match.pk}/reject/"), {}, format="json")
    assert again.status_code == 400


def test_an_editor_rejects_with_a_note(api_as, pair):
    _, repeated = pair
    match = ClaimMatch.objects.get()
    response = api_as("editor").post(
        url(repeated, f"matches/{match.pk}/reject/"), {"note": "another bridge"}, format="json"
    )
    assert response.status_code == 200 and response.json()[0]["state"] == "rejected"
    assert ClaimChange.objects.get(claim=repeated).note == "another bridge"


def test_a_match_of_another_claim_is_not_found(api_as, pair):
    match = ClaimMatch.objects.get()
    stranger = claim_with("Fishermen said the harbour had silted up.", "Harbour")
    response = api_as("editor").post(
        url(stranger, f"matches/{match.pk}/confirm/"), {}, format="json"
    )
    assert response.status_code == 404


@pytest.mark.parametrize("role,status", [("viewer", 403), ("checker", 403), ("editor", 200)])
def test_taking_a_clusters_verdict(api_as, pair, role, status):
    earlier, repeated = pair
    boss = editor(username="chief")
    from claims.services import claim_match_confirm

    claim_match_confirm(match=ClaimMatch.objects.get(), user=boss)
    claim_transition(claim=earlier, to_status="in_progress", user=boss, expected_version=1)
    claim_transition(claim=earlier, to_status="false", user=boss, note="n", expected_version=2)
    response = api_as(role).post(
        url(repeated, "accept-verdict/"), {"source": earlier.pk, "version": 1}, format="json"
    )
    assert response.status_code == status
    repeated.refresh_from_db()
    if status == 200:
        assert repeated.status == "false" and response.json()["status"] == "false"
        assert (
            StatusChange.objects.filter(claim=repeated)
            .last()
            .note.startswith(f"Verdict from claim #{earlier.pk}")
        )
    else:
        assert repeated.status == "unstarted"
        assert not StatusChange.objects.filter(claim=repeated).exists()


def test_the_claim_list_exposes_and_filters_repeats(api_as, pair):
    earlier, repeated = pair
    alone = claim_with("Ferries will stop running on Sundays from June.", "Ferries")
    client = api_as("viewer")
    listed = {c["id"]: c["repeats"] for c in client.get("/api/v1/claims/").json()["results"]}
    assert listed == {earlier.pk: 2, repeated.pk: 2, alone.pk: 1}
    found = client.get("/api/v1/claims/", {"repeats_min": 2}).json()["results"]
    assert {c["id"] for c in found} == {earlier.pk, repeated.pk}
    assert client.get("/api/v1/claims/", {"repeats_min": 3}).json()["results"] == []
    bad = client.get("/api/v1/claims/", {"repeats_min": "many"})
    assert bad.status_code == 400
