"""The long commands (retag, match_claims) hold no server-side cursor while they
write, on PostgreSQL.

Behind pgbouncer in transaction mode (README, "Deployment"), a cursor declared by
``.iterator()`` in autocommit is WITH HOLD and each FETCH is a transaction of its
own, which may land on another server connection: "cursor ... does not exist",
or another client's cursor of the same name. These commands write between
fetches (each article's re-analysis or matching commits), so they read the ids
first and hold nothing open on the server while working through them."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from claims.services import pipeline
from tests.factories import ArticleFactory, ClaimFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def open_cursors() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_cursors WHERE name LIKE '_django_curs_%%'")
        return [row[0] for row in cursor.fetchall()]


def spying(real, seen: list):
    """``real``, noting the server-side cursors open each time it is called."""

    def call(*args, **kwargs):
        seen.append(open_cursors())
        return real(*args, **kwargs)

    return call


def test_retag_holds_no_cursor_while_it_queues_each_article(monkeypatch):
    from claims.management.commands import retag

    articles = [ArticleFactory() for _ in range(3)]
    seen: list = []
    monkeypatch.setattr(retag, "article_reanalyze", spying(retag.article_reanalyze, seen))
    out = io.StringIO()
    call_command("retag", stdout=out)
    assert out.getvalue().startswith("re-analysis queued for 3 article(s)")
    assert seen == [[], [], []]
    for article in articles:
        article.refresh_from_db()
        assert article.times_analyzed >= 1 and article.state == "analyzed"


def test_match_claims_holds_no_cursor_while_it_matches_each_article(monkeypatch):
    ids = [ClaimFactory(article=ArticleFactory()).article_id for _ in range(3)]
    seen: list = []
    monkeypatch.setattr(
        pipeline, "claim_matches_find_safely", spying(pipeline.claim_matches_find_safely, seen)
    )
    call_command("match_claims", *map(str, ids), stdout=io.StringIO())
    assert seen == [[], [], []]
