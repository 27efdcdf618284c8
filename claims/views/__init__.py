"""The dashboard: server-rendered pages, htmx for in-place updates.

Views read through claims.selectors and write through claims.services /
claims.workflow; they hold no rules of their own beyond who may see a page.
"""

from .account import (
    PasswordChangeView,
    account,
    notification_preferences_view,
    token_create_view,
    token_revoke_view,
)
from .articles import (
    article_body,
    article_list_page,
    article_more,
    article_page,
    article_reanalyze_view,
    article_state,
    article_version_diff,
    ingest,
)
from .bulk import bulk, bulk_undo
from .claim_pages import (
    claim_assign_view,
    claim_comment_view,
    claim_evidence_view,
    claim_notes_view,
    claim_page,
    claim_panel,
    claim_plan_view,
    claim_publish_view,
    claim_review_download,
    claim_transition_view,
)
from .feeds import feed_delete_view, feed_list_page, feed_page, feed_poll_view
from .inbox import inbox, inbox_read, notification_open
from .matching import claim_match_decide_view, claim_verdict_accept_view
from .overview import overview
from .queue import (
    article_suggest,
    queue,
    queue_csv,
    saved_view_create_view,
    saved_view_delete_view,
    user_suggest,
)
from .sources import source_list_page, source_merge_view, source_page, source_split_view
from .webhooks import (
    webhook_active_view,
    webhook_added_page,
    webhook_delete_view,
    webhook_list_page,
    webhook_page,
    webhook_resend_view,
    webhook_secret_view,
)

__all__ = [
    "claim_match_decide_view",
    "claim_verdict_accept_view",
    "PasswordChangeView",
    "account",
    "article_body",
    "article_version_diff",
    "article_list_page",
    "article_more",
    "article_suggest",
    "article_page",
    "article_reanalyze_view",
    "article_state",
    "bulk",
    "bulk_undo",
    "claim_assign_view",
    "claim_comment_view",
    "claim_evidence_view",
    "claim_notes_view",
    "claim_page",
    "claim_panel",
    "claim_plan_view",
    "claim_publish_view",
    "claim_review_download",
    "claim_transition_view",
    "feed_delete_view",
    "feed_list_page",
    "feed_page",
    "feed_poll_view",
    "inbox",
    "inbox_read",
    "notification_open",
    "ingest",
    "notification_preferences_view",
    "overview",
    "queue",
    "queue_csv",
    "saved_view_create_view",
    "saved_view_delete_view",
    "source_list_page",
    "source_merge_view",
    "source_page",
    "source_split_view",
    "token_create_view",
    "token_revoke_view",
    "user_suggest",
    "webhook_active_view",
    "webhook_added_page",
    "webhook_delete_view",
    "webhook_list_page",
    "webhook_page",
    "webhook_resend_view",
    "webhook_secret_view",
]
