"""User text with bidi controls (a right-to-left override left open) is isolated,
so that its direction ends where it does: the inline elements holding user text
are isolated by the stylesheet, and user text among words of ours is in a <bdi>.
tests/browser/test_bidi.py checks the layout itself in Chromium."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import ArticleFactory, ClaimFactory

pytestmark = pytest.mark.django_db

RLO = "\u202e"
CSS = Path(__file__).resolve().parents[2] / "claims" / "static" / "claims" / "dashboard.css"


def isolated_selectors() -> set[str]:
    """The selectors of the stylesheet's rules that set ``unicode-bidi: isolate``."""
    css = re.sub(r"/\*.*?\*/", "", CSS.read_text(), flags=re.S)
    found = set()
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", css):
        if re.search(r"unicode-bidi\s*:\s*isolate", body):
            found |= {s.strip() for s in selectors.split(",")}
    return found


def test_the_inline_elements_that_hold_user_text_are_isolated():
    assert {"a", "span", "strong", "q", "mark", "time", "label"} <= isolated_selectors()


def test_the_publication_after_a_title_in_a_queue_row_is_isolated(client_as):
    article = ArticleFactory(title=f"Dam {RLO}inspection", publication=f"Courier{RLO}")
    claim = ClaimFactory(article=article)
    html = client_as("checker").get(reverse("dashboard:queue"), {"view": "all"}).content.decode()
    assert f'">Dam {RLO}inspection</a> · <bdi>Courier{RLO}</bdi>' in html
    assert f'data-claim="{claim.pk}"' in html


def test_source_details_among_our_words_on_the_claim_page_are_isolated(client_as):
    claim = ClaimFactory(
        source_text="Ana Ruiz",
        source_role=f"county {RLO}engineer",
        source_verb=f"{RLO}said",
        source_via=f"{RLO}the mayor",
    )
    html = client_as("checker").get(reverse("dashboard:claim", args=[claim.pk])).content.decode()
    assert f", <bdi>county {RLO}engineer</bdi> (" in html
    assert f"“<bdi>{RLO}said</bdi>”" in html
    assert f"via <bdi>{RLO}the mayor</bdi>" in html
