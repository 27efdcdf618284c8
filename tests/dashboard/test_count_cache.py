"""The queue's tallies (claim_counts) of a filter the planner expected to be
small but that matched more than COUNT_EXACT_LIMIT claims are kept like a large
filter's: ?source_type=unnamed&sourcing_strength=weak was estimated at 9.6k and
matched 81.5k claims at a million, and its exact count (435 ms, a scan) ran on
every request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import selectors
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db


def test_a_filter_found_larger_than_expected_is_counted_once(settings, monkeypatch):
    settings.COUNT_EXACT_LIMIT = 3
    monkeypatch.setattr(selectors, "estimated_count", lambda qs: 1)  # the planner's guess
    for _ in range(5):
        ClaimFactory(status="unstarted")
    qs = selectors.claim_list(filters={"status": ["unstarted"]})
    first = selectors.claim_counts(qs=qs)
    assert first["status"] == {"unstarted": 5} and first["estimated"] is False
    with CaptureQueriesContext(connection) as ctx:
        again = selectors.claim_counts(qs=qs)
    assert not [q for q in ctx.captured_queries if "claims_claim" in q["sql"]]
    assert again["status"] == {"unstarted": 5} and again["estimated"] is True


def test_a_small_filter_is_counted_exactly_every_time(settings, monkeypatch):
    settings.COUNT_EXACT_LIMIT = 3
    monkeypatch.setattr(selectors, "estimated_count", lambda qs: 1)
    ClaimFactory(status="unstarted")
    qs = selectors.claim_list(filters={"status": ["unstarted"]})
    assert selectors.claim_counts(qs=qs)["estimated"] is False
    ClaimFactory(status="unstarted")
    counts = selectors.claim_counts(qs=qs)
    assert counts["status"] == {"unstarted": 2} and counts["estimated"] is False
