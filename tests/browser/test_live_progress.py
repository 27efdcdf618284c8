"""Live progress: an editor adds an article through the ingest page and watches
its analysis go from queued to running to analysed without reloading the page.

In tests Celery runs tasks eagerly, so the analysis would be over before the
redirect. Here the broker is left out instead: the pipeline's start is captured
(as a broker would hold it) and the test runs the steps itself, as a worker
would, while the page polls."""

import pytest

from claims import tasks
from claims.models import Article
from tests.browser.conftest import log_in, shot
from tests.factories import PASSWORD, editor

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TEXT = """Harbour dredging plan questioned

PORTVILLE - The harbour master, Ines Varga, said on Tuesday that the dredging had finished on time.
Local fishermen said as many as 200 boats might have been damaged, but offered no evidence.
Officials reportedly estimated the cost at some 4 million euros.
"""


@pytest.fixture
def held_pipeline(monkeypatch):
    """Queued pipelines, held here instead of on a broker: [(article_id, run_id)]."""
    from tracker.celery import app

    # tests/conftest.py's autouse fixture puts the previous value back afterwards.
    app.conf.task_always_eager = False
    held = []

    def hold(article_id, run_id):
        held.append((article_id, run_id))
        return True

    monkeypatch.setattr(tasks, "start_pipeline", hold)
    return held


def test_ingest_then_watch_the_analysis_finish(new_page, live_server, held_pipeline):
    base = live_server.url
    page = new_page()
    log_in(page, base, editor(), PASSWORD)
    page.get_by_role("link", name="Add article").click()
    page.get_by_label("Paste the article").fill(TEXT)
    shot(page, "20-ingest-form")
    page.get_by_role("button", name="Add and analyse").click()
    page.wait_for_url(f"{base}/articles/*/")

    article = Article.objects.get(title="Harbour dredging plan questioned")
    assert held_pipeline == [(article.pk, article.run_id)]
    assert article.state == "queued"
    state = page.locator("#analysis-state")
    assert "Queued" in state.inner_text()
    assert page.locator(".article-text a.claim").count() == 0
    page.evaluate("window.__marker = 'not reloaded'")
    shot(page, "21-progress-queued")

    # A worker picks it up: the page shows "Running" on its next poll.
    tasks.extract_claims(article.pk, article.run_id)
    page.wait_for_selector("#analysis-state.state-running", timeout=10_000)
    shot(page, "22-progress-running")

    tasks.tag_sourcing(article.pk, article.run_id)
    tasks.tag_hedging(article.pk, article.run_id)
    tasks.score_confidence(article.pk, article.run_id)
    article.refresh_from_db()
    assert article.state == "analyzed"

    page.wait_for_selector("#analysis-state.state-analyzed", timeout=10_000)
    assert "Analysed" in state.inner_text()
    # The text region reloads itself with the claims highlighted...
    page.wait_for_selector(".article-text a.claim", timeout=10_000)
    assert page.locator("#claim-list li").count() == article.claims.count() > 0
    # ...in the same page: no reload happened.
    assert page.evaluate("window.__marker") == "not reloaded"
    # The live region that announces the state is still the same element.
    assert page.locator('.state-region[role="status"][aria-live="polite"]').count() == 1
    shot(page, "23-progress-analysed")

    # Once finished the page stops polling.
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.wait_for_timeout(2500)
    assert not [u for u in requests if u.endswith("/state/") or "/state/?" in u]
