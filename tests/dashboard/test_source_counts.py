"""The sources' claim counts (the /sources/ page, most claims first; the API's
list; the admin's) are counted per source on the claims' source index, never by
grouping the claims joined to the sources (that read every linked claim's row:
1.9 s of SQL at 580k linked claims)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import selectors
from claims.models import Source
from tests.factories import ClaimFactory, editor

pytestmark = pytest.mark.django_db


def test_source_counts_are_per_source_not_a_grouped_join(client):
    many = Source.objects.create(key="many", name="Many Claims", type="named_person")
    few = Source.objects.create(key="few", name="Few Claims", type="named_person")
    Source.objects.create(key="none", name="No Claims", type="named_person")
    for _ in range(3):
        ClaimFactory(source=many)
    ClaimFactory(source=few)
    rows = list(selectors.source_list().order_by("-n_claims", "id"))
    assert [(s.name, s.n_claims) for s in rows] == [
        ("Many Claims", 3),
        ("Few Claims", 1),
        ("No Claims", 0),
    ]
    sql = str(selectors.source_list().query)
    assert not re.search(r'JOIN "claims_claim"', sql), sql
    assert "COUNT(*)" in sql, sql  # no claim row needed, the index answers
    client.force_login(editor())
    for url in ("/sources/", "/admin/claims/source/"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        for query in ctx.captured_queries:
            assert not re.search(r'JOIN "claims_claim"', query["sql"]), query["sql"]
