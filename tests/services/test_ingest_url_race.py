"""The same URL sent several times at once (a double click on "Add", a script
retrying) is one article: the look-up for an article of that URL and the insert
of a new one were two steps, and each request that looked before another's
insert committed made an article of its own (4 sends at once made 2 articles
over gunicorn), the second failing once fetched ("The page's text is already in
the tracker")."""

from __future__ import annotations

import pytest

from claims.models import Article
from claims.services import article_ingest
from tests.at_once import at_once
from tests.services.conftest import Page
from tests.services.test_ingest import article_html

SENDS = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_url_sent_at_once_is_one_article(local_http, settings, seed_text):
    settings.INGEST_ALLOW_PRIVATE_URLS = True  # the page is served on 127.0.0.1
    local_http.pages["/twice"] = Page(article_html(seed_text).encode())
    url = local_http.url("/twice")
    ids = at_once(lambda: article_ingest(url=url).article.pk, SENDS)
    assert len(ids) == SENDS and len(set(ids)) == 1
    assert Article.objects.filter(source_url=url).count() == 1
