"""The same URL sent several times at once (a double click on "Add", a script
retrying) is one article: the look-up for an article of that URL and the insert
of a new one were two steps, and each request that looked before another's
insert committed made an article of its own (4 sends at once made 2 articles
over gunicorn), the second failing once fetched ("The page's text is already in
the tracker")."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from claims.models import Article
from claims.services import article_ingest
from tests.services.conftest import Page
from tests.services.test_ingest import article_html

SENDS = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_url_sent_at_once_is_one_article(local_http, settings, seed_text):
    settings.INGEST_ALLOW_PRIVATE_URLS = True  # the page is served on 127.0.0.1
    local_http.pages["/twice"] = Page(article_html(seed_text).encode())
    url = local_http.url("/twice")
    barrier = threading.Barrier(SENDS)
    ids, errors = [], []

    def send():
        try:
            barrier.wait(timeout=10)
            ids.append(article_ingest(url=url).article.pk)
        except Exception as exc:  # noqa: BLE001 (reported by the assertion below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(SENDS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert len(ids) == SENDS and len(set(ids)) == 1
    assert Article.objects.filter(source_url=url).count() == 1
