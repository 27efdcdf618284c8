"""The dashboard's URLs (namespace "dashboard") and the login pages.

The auth views keep Django's plain names ("login", "logout", ...) because
settings.LOGIN_URL and the auth views' own redirects use them. There is no
password reset by e-mail: an editor resets passwords in the admin.
"""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from claims import views

dashboard = [
    path("", views.queue, name="queue"),
    path("bulk/", views.bulk, name="bulk"),
    path("queue.csv", views.queue_csv, name="queue-csv"),
    path("views/", views.saved_view_create_view, name="saved-view-create"),
    path("views/<int:pk>/delete/", views.saved_view_delete_view, name="saved-view-delete"),
    path("bulk/<int:pk>/undo/", views.bulk_undo, name="bulk-undo"),
    path("suggest/articles/", views.article_suggest, name="article-suggest"),
    path("suggest/users/", views.user_suggest, name="user-suggest"),
    path("overview/", views.overview, name="overview"),
    path("articles/", views.article_list_page, name="articles"),
    path("articles/new/", views.ingest, name="ingest"),
    path("articles/<int:pk>/", views.article_page, name="article"),
    path("articles/<int:pk>/state/", views.article_state, name="article-state"),
    path("articles/<int:pk>/text/", views.article_body, name="article-text"),
    path("articles/<int:pk>/more/", views.article_more, name="article-more"),
    path("articles/<int:pk>/reanalyze/", views.article_reanalyze_view, name="article-reanalyze"),
    path(
        "articles/<int:pk>/versions/<int:number>/diff/",
        views.article_version_diff,
        name="article-version-diff",
    ),
    path("claims/<int:pk>/", views.claim_page, name="claim"),
    path("claims/<int:pk>/panel/", views.claim_panel, name="claim-panel"),
    path("claims/<int:pk>/transition/", views.claim_transition_view, name="claim-transition"),
    path("claims/<int:pk>/assign/", views.claim_assign_view, name="claim-assign"),
    path("claims/<int:pk>/notes/", views.claim_notes_view, name="claim-notes"),
    path("claims/<int:pk>/evidence/", views.claim_evidence_view, name="claim-evidence"),
    path("claims/<int:pk>/comments/", views.claim_comment_view, name="claim-comment"),
    path("claims/<int:pk>/plan/", views.claim_plan_view, name="claim-plan"),
    path("claims/<int:pk>/publish/", views.claim_publish_view, name="claim-publish"),
    path(
        "claims/<int:pk>/matches/<int:match_id>/<str:decision>/",
        views.claim_match_decide_view,
        name="claim-match-decide",
    ),
    path(
        "claims/<int:pk>/accept-verdict/",
        views.claim_verdict_accept_view,
        name="claim-accept-verdict",
    ),
    path("claims/<int:pk>/claimreview.json", views.claim_review_download, name="claim-review"),
    path("sources/", views.source_list_page, name="sources"),
    path("sources/<int:pk>/", views.source_page, name="source"),
    path("sources/<int:pk>/merge/", views.source_merge_view, name="source-merge"),
    path("sources/<int:pk>/split/", views.source_split_view, name="source-split"),
    path("feeds/", views.feed_list_page, name="feeds"),
    path("feeds/<int:pk>/", views.feed_page, name="feed"),
    path("feeds/<int:pk>/poll/", views.feed_poll_view, name="feed-poll"),
    path("feeds/<int:pk>/delete/", views.feed_delete_view, name="feed-delete"),
    path("webhooks/", views.webhook_list_page, name="webhooks"),
    path("webhooks/<int:pk>/", views.webhook_page, name="webhook"),
    path("webhooks/<int:pk>/added/", views.webhook_added_page, name="webhook-added"),
    path("webhooks/<int:pk>/secret/", views.webhook_secret_view, name="webhook-secret"),
    path("webhooks/<int:pk>/active/", views.webhook_active_view, name="webhook-active"),
    path("webhooks/<int:pk>/delete/", views.webhook_delete_view, name="webhook-delete"),
    path(
        "webhooks/<int:pk>/deliveries/<int:delivery_id>/resend/",
        views.webhook_resend_view,
        name="webhook-resend",
    ),
    path("account/", views.account, name="account"),
    path(
        "account/notifications/",
        views.notification_preferences_view,
        name="notification-preferences",
    ),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_read, name="inbox-read"),
    path("inbox/<int:pk>/", views.notification_open, name="notification-open"),
    path("account/tokens/", views.token_create_view, name="token-create"),
    path("account/tokens/revoke/", views.token_revoke_view, name="token-revoke"),
]

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("", include((dashboard, "dashboard"))),
]
