"""GET /api/v1/claims/export.csv: the filtered list, streamed, spreadsheet-safe."""

import csv
import io

import pytest
from django.http import StreamingHttpResponse

from claims.api.csvexport import HEADER, safe_cell
from claims.models import HedgeCue
from tests.api.conftest import error_of
from tests.factories import ArticleFactory, ClaimFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/claims/export.csv"


def rows(response) -> list[dict]:
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_header_row_and_filtered_rows_worst_first(api_as):
    article = ArticleFactory()
    high = ClaimFactory(article=article)
    low = ClaimFactory(article=article, confidence_score=0.4, confidence_level="low")
    very_low = ClaimFactory(article=article, confidence_score=0.2, confidence_level="very_low")
    HedgeCue.objects.create(claim=low, text="reportedly", category="reportative", start=0, end=10)
    ClaimFactory(confidence_score=0.2, confidence_level="very_low")  # another article
    r = api_as("viewer").get(URL, {"article": article.pk, "confidence_level": ["low", "very_low"]})
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    assert r["Content-Disposition"].startswith('attachment; filename="claims-')
    got = rows(r)
    assert list(got[0]) == HEADER
    assert [int(row["id"]) for row in got] == [very_low.pk, low.pk]
    assert got[1]["hedges"] == "reportedly (reportative)"
    assert got[1]["article_title"] == article.title
    assert high.pk not in [int(row["id"]) for row in got]


def test_empty_list_still_has_the_header(api_as):
    text = b"".join(api_as("viewer").get(URL).streaming_content).decode()
    assert text.strip() == ",".join(HEADER)


def test_ordering_applies(api_as):
    a, b = ClaimFactory(checkworthiness=0.1), ClaimFactory(checkworthiness=0.9)
    got = rows(api_as("viewer").get(URL, {"ordering": "-checkworthiness"}))
    assert [int(row["id"]) for row in got] == [b.pk, a.pk]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_injection_is_defused(api_as, start):
    payload = f'{start}HYPERLINK("http://evil.example","click")'
    ClaimFactory(text=payload, source_text=start + "cmd|' /C calc'!A0")
    [row] = rows(api_as("viewer").get(URL))
    assert row["text"] == "'" + payload
    assert row["source"].startswith("'" + start)


def test_safe_cell_leaves_numbers_and_plain_text():
    assert safe_cell(-0.5) == -0.5 and safe_cell("plain") == "plain" and safe_cell(None) is None


def test_bad_filters_are_json_errors_even_when_asking_for_csv(api_as):
    client = api_as("viewer")
    for params in ({"confidence_level": "awful"}, {"page_size": "5"}, {"colour": "red"}):
        r = client.get(URL, params, HTTP_ACCEPT="text/csv")
        assert r.status_code == 400
        error_of(r)


def test_needs_authentication(anon):
    r = anon.get(URL)
    assert r.status_code == 401 and error_of(r)["code"] == "not_authenticated"


def test_many_rows_stream_in_chunks(api_as, django_assert_max_num_queries):
    article = ArticleFactory()
    ClaimFactory.create_batch(30, article=article)
    client = api_as("viewer")
    with django_assert_max_num_queries(12):
        got = rows(client.get(URL))
    assert len(got) == 30


@pytest.mark.django_db(transaction=True)  # autocommit, as a request and a worker run
def test_a_streaming_export_does_not_hold_sqlites_write_lock(monkeypatch):
    """The embedded mode's SQLite begins its transactions IMMEDIATE (settings): an
    export read in one would hold the write lock while a slow client downloads,
    and every save elsewhere would wait for it and fail "database is locked"."""
    from django.db import connection

    from claims.services import csvexport

    if connection.vendor != "sqlite":
        pytest.skip("the embedded mode's database")
    monkeypatch.setattr(csvexport, "CHUNK", 2)
    ClaimFactory.create_batch(5, article=ArticleFactory())
    records = csvexport.csv_records(csvexport.Claim.objects.order_by("pk"))
    first = next(records)
    assert not connection.in_atomic_block
    assert len([first, *records]) == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # autocommit, as a request and a worker run
def test_the_exports_cursor_lives_in_a_transaction(api_as, monkeypatch):
    """The rows are read through a server-side cursor. Declared in autocommit it is
    WITH HOLD, and each FETCH is a transaction of its own: behind pgbouncer in
    transaction mode (README, "Deployment") the FETCH lands on another server
    connection, "cursor ... does not exist", and exports of more than one chunk
    failed as soon as other clients shared the pool. Inside a transaction the
    cursor, and every FETCH, stay on one connection."""
    from django.db import connection

    from claims.services import csvexport

    monkeypatch.setattr(csvexport, "CHUNK", 2)
    ClaimFactory.create_batch(5, article=ArticleFactory())
    records = csvexport.csv_records(csvexport.Claim.objects.order_by("pk"))
    first = next(records)
    with connection.cursor() as cursor:
        cursor.execute("SELECT is_holdable FROM pg_cursors WHERE name LIKE '_django_curs_%%'")
        holdable = [row[0] for row in cursor.fetchall()]
    assert holdable == [False]  # open, and only for its transaction
    assert len([first, *records]) == 5
