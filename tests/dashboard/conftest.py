"""Dashboard test helpers: a logged-in client per role, and claims to work on."""

import pytest
from django.test import Client

from claims.models import HedgeCue
from tests.factories import ArticleFactory, ClaimFactory, checker, editor, viewer

ROLES = {"editor": editor, "checker": checker, "viewer": viewer}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # tests/conftest.py sets DJANGO_ENV=test after pytest-django loaded the settings.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def client_as(db):
    """client_as("editor") or client_as(user): a test client logged in as them."""

    def make(who):
        user = ROLES[who]() if isinstance(who, str) else who
        client = Client()
        client.force_login(user)
        client.user = user
        return client

    return make


@pytest.fixture
def claim(db):
    """An analysed claim with a source and a hedge cue, nobody working on it."""
    article = ArticleFactory()
    text = article.raw_text
    start = text.index("Residents said")
    end = text.index(".", start)
    c = ClaimFactory(
        article=article,
        start=start + len("Residents said "),
        end=end,
        sentence_start=start,
        sentence_end=end + 1,
        source_text="Residents",
        source_type="unnamed",
        source_start=start,
        source_end=start + len("Residents"),
        sourcing_strength="weak",
        confidence_score=0.2,
        confidence_level="very_low",
        confidence_reasons=["unnamed source weak sourcing", 'approximate figure ("as many as")'],
    )
    cue = text.index("as many as")
    HedgeCue.objects.create(
        claim=c, text="as many as", category="approximator", start=cue, end=cue + 10
    )
    return c
