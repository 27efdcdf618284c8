"""Writes: every change to articles and claims goes through these functions.

Views, the API, admin actions, commands and tasks call them; none of those
holds a business rule of its own. One module per concern:

* ``articles``: ingest, queueing the analysis, re-analysis, seeds;
* ``pipeline``: the analysis the Celery tasks run (``analysis_run``, and the four
  steps of earlier deployments), and the run bookkeeping;
* ``saved_views``: a user's named queue filters;
* ``batches`` (and ``batch_inputs``, what the command reads): bulk import;
* ``bulk``: bulk actions, recorded so that they can be undone for a while;
* ``matching``: claim matching across articles and fact-checks, and editors'
  decisions on matches;
* ``feeds``: RSS and Atom subscriptions and their polling (items become URL articles);
* ``webhooks``: endpoints, the events the other services emit, signed deliveries;
* the verification workflow lives in ``claims.workflow``, re-exported here;
* notifications live in ``claims.notifications``.

Callers import from ``claims.services``: the names below are the contract. The
submodules never import this package back.
"""

from claims.domain import claim_confidence, content_hash, fingerprint
from claims.ingest import IngestError
from claims.services.articles import (
    IngestResult,
    article_enqueue,
    article_ingest,
    article_reanalyze,
    articles_requeue_stale,
    seeds_load,
)
from claims.services.batch_inputs import BatchInput, batch_input_from_object, batch_inputs_read
from claims.services.batches import (
    ItemResult,
    batch_create,
    batch_finish,
    batch_item_check,
    batch_item_ingest,
    batch_items_ingest,
)
from claims.services.bulk import (
    BulkResult,
    bulk_action_undo,
    bulk_action_undoable,
    bulk_describe,
    bulk_head,
    bulk_summary,
    bulk_versions,
    claims_bulk_assign,
    claims_bulk_plan,
    claims_bulk_transition,
)
from claims.services.exportjobs import export_jobs_requeue_stale
from claims.services.feeds import (
    FeedError,
    PollResult,
    feed_poll,
    feed_poll_soon,
    feed_subscribe,
    feed_unsubscribe,
    feed_update,
    feeds_poll_due,
)
from claims.services.matching import (
    claim_candidates,
    claim_candidates_many,
    claim_match_confirm,
    claim_match_reject,
    claim_matches_find,
    claim_verdict_accept,
)
from claims.services.pipeline import (
    SOURCING_FIELDS,
    StaleRun,
    analysis_extract,
    analysis_fail,
    analysis_run,
    analysis_score,
    analysis_tag_hedging,
    analysis_tag_sourcing,
    articles_match,
)
from claims.services.saved_views import saved_view_create, saved_view_delete, saved_view_query
from claims.services.webhooks import (
    WebhookError,
    WebhookNotPermitted,
    webhook_delivery_resend,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_update,
    webhook_secret_for,
    webhooks_emit,
)
from claims.workflow import (
    claim_add,
    claim_assign,
    claim_correct,
    claim_plan,
    claim_publish,
    claim_set_notes,
    claim_transition,
    comment_add,
    evidence_add,
)

__all__ = [
    "export_jobs_requeue_stale",
    "BatchInput",
    "ItemResult",
    "batch_create",
    "batch_finish",
    "batch_input_from_object",
    "batch_inputs_read",
    "batch_item_check",
    "batch_item_ingest",
    "batch_items_ingest",
    "BulkResult",
    "bulk_action_undo",
    "bulk_action_undoable",
    "bulk_describe",
    "bulk_head",
    "bulk_versions",
    "bulk_summary",
    "claims_bulk_plan",
    "claim_plan",
    "claim_publish",
    "SOURCING_FIELDS",
    "IngestError",
    "IngestResult",
    "StaleRun",
    "analysis_extract",
    "analysis_fail",
    "analysis_run",
    "analysis_score",
    "analysis_tag_hedging",
    "analysis_tag_sourcing",
    "articles_match",
    "article_enqueue",
    "article_ingest",
    "article_reanalyze",
    "articles_requeue_stale",
    "claim_add",
    "claim_assign",
    "claim_candidates",
    "claim_candidates_many",
    "claim_match_confirm",
    "claim_match_reject",
    "claim_matches_find",
    "claim_verdict_accept",
    "claim_confidence",
    "claim_correct",
    "claim_set_notes",
    "claim_transition",
    "claims_bulk_assign",
    "claims_bulk_transition",
    "comment_add",
    "content_hash",
    "evidence_add",
    "FeedError",
    "PollResult",
    "feed_poll",
    "feed_poll_soon",
    "feed_subscribe",
    "feed_unsubscribe",
    "feed_update",
    "feeds_poll_due",
    "fingerprint",
    "saved_view_create",
    "saved_view_delete",
    "saved_view_query",
    "seeds_load",
    "WebhookError",
    "WebhookNotPermitted",
    "webhook_delivery_resend",
    "webhook_endpoint_create",
    "webhook_endpoint_delete",
    "webhook_endpoint_update",
    "webhook_secret_for",
    "webhooks_emit",
]
