"""Issue 13: the queue's new filters are ClaimFilter's, so the API has them too
(view, priority, overdue, the search on the article); its default stays every claim."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ArticleFactory, ClaimFactory

pytestmark = pytest.mark.django_db

CLAIMS = "/api/v1/claims/"


def ids_of(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_the_api_has_the_desk_filters(api_as):
    client = api_as("checker")
    article = ArticleFactory(title="Budget vote", publication="Capital Times")
    now = timezone.now()
    late = ClaimFactory(article=article, start=30, end=40, due_at=now - timedelta(hours=1))
    urgent = ClaimFactory(article=article, start=42, end=52, priority=1)
    done = ClaimFactory(article=article, start=54, end=64, status="verified")
    other = ClaimFactory(start=30, end=40)
    assert ids_of(client.get(CLAIMS)) == {late.pk, urgent.pk, done.pk, other.pk}
    assert ids_of(client.get(CLAIMS, {"view": "done"})) == {done.pk}
    assert ids_of(client.get(CLAIMS, {"view": "open", "priority": 1})) == {urgent.pk}
    assert ids_of(client.get(CLAIMS, {"overdue": "true"})) == {late.pk}
    assert ids_of(client.get(CLAIMS, {"q": "capital"})) == {late.pk, urgent.pk, done.pk}
    assert client.get(CLAIMS, {"view": "nonsense"}).status_code == 400


@pytest.mark.parametrize("value", ["99999999999999999999", "9223372036854775808"])
def test_a_source_id_no_database_holds_is_a_400(api_as, value):
    # Past 2**63 - 1 SQLite raised OverflowError: a 500.
    assert api_as("editor").get("/api/v1/claims/", {"source_id": value}).status_code == 400
