"""The claim list and detail cost a fixed number of queries, whatever their size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import ClaimChange, Evidence, HedgeCue
from tests.factories import ArticleFactory, ClaimFactory, checker, editor

pytestmark = pytest.mark.django_db


def make_claims(n: int) -> None:
    articles = [ArticleFactory(), ArticleFactory()]
    people = [checker(), editor()]
    for i in range(n):
        claim = ClaimFactory(article=articles[i % 2], assignee=people[i % 2])
        HedgeCue.objects.create(claim=claim, text="about", category="approximator", start=0, end=5)
        HedgeCue.objects.create(claim=claim, text="may", category="epistemic", start=6, end=9)


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/claims/?page_size=200",
        "/api/v1/claims/?page_size=200&hedge_category=approximator&q=a",
        "/api/v1/articles/",
    ],
)
def test_list_queries_do_not_grow_with_results(api_as, url):
    client = api_as("viewer")
    make_claims(10)
    ten = count(client, url)
    make_claims(90)
    hundred = count(client, url)
    assert ten == hundred
    assert hundred <= 8


def test_claim_list_returns_all_hundred(api_as):
    make_claims(100)
    body = api_as("viewer").get("/api/v1/claims/?page_size=200").json()
    assert len(body["results"]) == 100 and body["next"] is None


def test_detail_queries_do_not_grow_with_history(api_as, django_assert_max_num_queries):
    claim = ClaimFactory()
    user = editor()
    client = api_as("viewer")
    for i in range(20):
        Evidence.objects.create(claim=claim, url=f"https://e.example/{i}", added_by=user)
        ClaimChange.objects.create(claim=claim, user=user, action="notes", changes={})
    with django_assert_max_num_queries(12):
        body = client.get(f"/api/v1/claims/{claim.pk}/").json()
    assert len(body["evidence"]) == 20 and len(body["history"]) == 20


def test_the_claim_list_reads_only_the_article_and_assignee_columns_it_shows(api_as):
    make_claims(3)
    with CaptureQueriesContext(connection) as ctx:
        assert api_as("viewer").get("/api/v1/claims/").status_code == 200
    (rows,) = [q["sql"] for q in ctx.captured_queries if 'FROM "claims_claim"' in q["sql"]]
    assert '"claims_article"."title"' in rows and '"auth_user"."username"' in rows
    for column in ("raw_text", "analysis_data", "published_at", "password", "last_login"):
        assert f'"{column}"' not in rows
