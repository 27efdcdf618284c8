"""The claim list's document is written out by hand for speed
(ClaimSerializer.to_representation): it must stay exactly what DRF's declared
fields make, for every kind of claim, and follow Meta.fields."""

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


def test_the_written_document_is_drfs():
    article = ArticleFactory()
    ana = checker(username="ana")
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
