"""The claim list's document is written out by hand for speed
(ClaimSerializer.to_representation): it must stay exactly what DRF's declared
fields make, for every kind of claim, and follow Meta.fields. The list reads the
article's title and the assignee's name as columns and attaches the page's hedge
cues itself (selectors.claim_list_rows, claim_hedges_attach): its documents must
be the same as those made from whole claims."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from claims.api.serializers import ClaimSerializer
from claims.selectors import claim_queryset
from tests.factories import ArticleFactory, ClaimFactory, checker

pytestmark = pytest.mark.django_db


def drf_document(serializer: ClaimSerializer, claim) -> dict:
    # The generic path every ModelSerializer takes, on the same bound fields.
    return serializers.ModelSerializer.to_representation(serializer, claim)


def rich_and_plain(article, ana):
    plain = ClaimFactory(article=article, position=0, start=0, end=5)
    rich = ClaimFactory(
        article=article,
        position=1,
        start=10,
        end=20,
        assignee=ana,
        due_at=timezone.now() + timedelta(hours=5, microseconds=123),
        priority=1,
        status="dismissed",
        dismiss_reason="opinion",
        public_url="https://factcheck.example/x",
        public_summary="<b>not</b> so",
        confidence_score=None,
        confidence_level="",
        confidence_reasons=["weak source", 3],
        source_text="Ana Ruiz",
        source_type="named_person",
        source_start=2,
        source_end=9,
        source_relayed=True,
        cluster_id=7,
        repeats=4,
        human_edited=True,
        version_change="changed",
        change_version=2,
        previous_text="killed <b>12</b>",
    )
    return plain, rich


def test_the_list_documents_are_those_of_whole_claims(api_as):
    article = ArticleFactory(title="Homs <script>alert(1)</script>")
    ana = checker(username="ana")
    plain, rich = rich_and_plain(article, ana)
    # Cues given out of order: the document lists them by start.
    rich.hedges.create(text="reportedly", category="reportative", start=30, end=40)
    rich.hedges.create(text="as many as", category="approximator", start=10, end=20)
    rich.hedges.create(text="could", category="epistemic", start=12, end=15)
    request = APIRequestFactory().get("/api/v1/claims/", HTTP_HOST="testserver")
    request.user = ana
    serializer = ClaimSerializer(context={"request": request})
    whole = claim_queryset().filter(pk__in=[plain.pk, rich.pk]).order_by("pk")
    expected = [drf_document(serializer, claim) for claim in whole]
    response = api_as(ana).get("/api/v1/claims/?ordering=created")
    assert response.status_code == 200
    assert response.json()["results"] == expected
    assert [h["text"] for h in expected[1]["hedges"]][2] == "reportedly"
    assert expected[0]["assignee"] is None and expected[1]["assignee"] == "ana"


def test_the_written_document_is_drfs():
    article = ArticleFactory()
    ana = checker(username="ana")
    plain, rich = rich_and_plain(article, ana)
    rich.hedges.create(text="as many as", category="approximator", start=10, end=20)
    request = APIRequestFactory().get("/api/v1/claims/")
    request.user = ana
    rows = list(claim_queryset().filter(pk__in=[plain.pk, rich.pk]).order_by("pk"))
    serializer = ClaimSerializer(context={"request": request})
    for claim in rows:
        fast = serializer.to_representation(claim)
        assert fast == drf_document(serializer, claim)
        assert list(fast) == ClaimSerializer.Meta.fields  # same keys, same order
    assert serializer.to_representation(rows[1])["due_at"].endswith("Z")


def test_every_claim_document_has_the_contracts_sentence(api_as):
    """analysis-contract.md: each claim of the analysis, whoever calls it (the REST
    API too), has ``sentence`` {start, end}, the offsets of its sentence in the
    article's text; the project may add fields, never drop these."""
    article = ArticleFactory()
    claim = ClaimFactory(article=article, start=10, end=20, sentence_start=0, sentence_end=40)
    client = api_as("viewer")
    documents = [
        client.get("/api/v1/claims/").json()["results"][0],
        client.get(f"/api/v1/claims/{claim.pk}/").json(),
        client.get(f"/api/v1/articles/{article.pk}/").json()["claims"][0],
    ]
    for document in documents:
        assert document["sentence"] == {"start": 0, "end": 40}
        sentence = article.raw_text[document["sentence"]["start"] : document["sentence"]["end"]]
        assert article.raw_text[document["start"] : document["end"]] in sentence
