"""A newcomer's check: the README's two commands, run as written on a fresh database."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection
from django.test import Client

from claims.models import Article

README = Path(settings.BASE_DIR, "README.md").read_text(encoding="utf-8")


def readme_commands() -> tuple[str, str]:
    """The username of the token command and the path of the curl request."""
    token = re.search(
        r"^TOKEN=\$\(\.venv/bin/python manage\.py create_api_token (\w+)\)$", README, re.MULTILINE
    )
    curl = re.search(
        r"""^curl -H "Authorization: Token \$TOKEN" 'http://127\.0\.0\.1:8000(/api/v1/claims/\?[^']+)'$""",
        README,
        re.MULTILINE,
    )
    assert token and curl, "the README's quick start is missing or changed shape"
    return token.group(1), curl.group(1)


@pytest.mark.slow
@pytest.mark.django_db
def test_readme_quick_start(monkeypatch, commit_immediately):
    username, path = readme_commands()
    assert path == "/api/v1/claims/?confidence_level=very_low&article=1"
    # A fresh database: the seed article gets id 1.
    assert not Article.objects.exists()
    reset = connection.ops.sequence_reset_by_name_sql(
        no_style(), [{"table": Article._meta.db_table, "column": "id"}]
    )
    with connection.cursor() as cursor:
        for sql in reset:
            cursor.execute(sql)
    # What scripts/run does on a fresh machine: seeds (analysed in-process), demo users.
    monkeypatch.setenv("DEMO_PASSWORD", "pw-for-tests-1")
    call_command("load_seeds", stdout=StringIO())
    call_command("create_demo_users", stdout=StringIO())
    out = StringIO()
    call_command("create_api_token", username, stdout=out, stderr=StringIO())
    token = out.getvalue().strip()

    r = Client().get(path, HTTP_AUTHORIZATION=f"Token {token}")
    assert r.status_code == 200, r.content
    claims = r.json()["results"]
    assert claims and all(c["confidence"]["level"] == "very_low" for c in claims)
    assert all(c["article"] == 1 for c in claims)
    assert any("hundreds of people had been killed" in c["text"] for c in claims)
