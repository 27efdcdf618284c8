"""The dashboard: server-rendered pages, htmx for in-place updates.

Views read through claims.selectors and write through claims.services /
claims.workflow; they hold no rules of their own beyond who may see a page.
"""

from .account import PasswordChangeView, account, token_create_view, token_revoke_view
from .articles import (
    article_body,
    article_list_page,
    article_more,
    article_page,
    article_reanalyze_view,
    article_state,
    ingest,
)
from .claim_pages import (
    claim_assign_view,
    claim_evidence_view,
    claim_notes_view,
    claim_page,
    claim_panel,
    claim_review_download,
    claim_transition_view,
)
from .matching import claim_match_decide_view, claim_verdict_accept_view
from .overview import overview
from .queue import article_suggest, bulk, queue, user_suggest

__all__ = [
    "claim_match_decide_view",
    "claim_verdict_accept_view",
    "PasswordChangeView",
    "account",
    "article_body",
    "article_list_page",
    "article_more",
    "article_suggest",
    "article_page",
    "article_reanalyze_view",
    "article_state",
    "bulk",
    "claim_assign_view",
    "claim_evidence_view",
    "claim_notes_view",
    "claim_page",
    "claim_panel",
    "claim_review_download",
    "claim_transition_view",
    "ingest",
    "overview",
    "queue",
    "token_create_view",
    "token_revoke_view",
    "user_suggest",
]
