"""The Django admin for editors: articles with their claims, claims with their
history and evidence, bulk actions. Every write goes through claims.workflow or
claims.services; history is read-only here for everyone."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import connection, models
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.utils.html import format_html

from claims import services, workflow
from claims.domain import validate_evidence_url
from claims.models import (
    Article,
    Claim,
    ClaimChange,
    ClaimStatus,
    ConfidenceLevel,
    Evidence,
    FactCheck,
    HedgeCategory,
    HedgeCue,
    Source,
    SourceAlias,
    SourceChange,
    StatusChange,
)
from claims.services import sources

ARTICLE_BLOBS = ("article__raw_text", "article__analysis_data")
MACHINE_FIELDS = (
    "text",
    "start",
    "end",
    "sentence_start",
    "sentence_end",
    "origin",
    "source_start",
    "source_end",
    "source_mention",
    "source_verb",
    "source_via",
    "source_relayed",
    "confidence_score",
    "confidence_level",
    "confidence_reasons",
    "checkworthiness",
    "fingerprint",
    "missing_from_analysis",
    "human_edited",
    "human_added",
)


def level_badge(level: str) -> str:
    if not level:
        return "-"
    # A class, not a style attribute: the Content-Security-Policy forbids inline
    # styles. The colours are in claims/static/claims/admin.css.
    return format_html(
        '<strong class="level level-{}">{}</strong>', level, ConfidenceLevel(level).label
    )


class LevelColours:
    css = {"all": ["claims/admin.css"]}


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ClaimInline(ReadOnlyInline):
    model = Claim
    fields = ("position", "text", "source_text", "sourcing_strength", "level", "status", "assignee")
    readonly_fields = fields
    show_change_link = True
    ordering = ("position",)

    @admin.display(description="confidence")
    def level(self, obj):
        return level_badge(obj.confidence_level)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("assignee")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    Media = LevelColours
    list_display = ("title", "publication", "published_at", "state", "claim_count", "created_at")
    list_filter = ("state", "publication")
    search_fields = ("title", "author", "publication")
    readonly_fields = (
        "title",
        "author",
        "publication",
        "published_at",
        "dateline",
        "source_url",
        "body_offset",
        "content_hash",
        "state",
        "error",
        "attempts",
        "times_analyzed",
        "queued_at",
        "started_at",
        "finished_at",
        "created_by",
        "created_at",
        "raw_text",
    )
    exclude = ("analysis_data", "run_id")
    inlines = [ClaimInline]
    actions = ["reanalyze"]

    def get_queryset(self, request):
        # The list never shows the text or the blob (the change form loads the text
        # when it shows it).
        qs = super().get_queryset(request).defer("raw_text", "analysis_data")
        return qs.annotate(n_claims=Count("claims"))

    @admin.display(description="claims", ordering="n_claims")
    def claim_count(self, obj):
        return obj.n_claims

    def has_add_permission(self, request):
        return False  # articles come in through the dashboard, the API or load_seeds

    def has_delete_permission(self, request, obj=None):
        return False  # their claims carry history

    @admin.action(
        description="Re-analyse (keeps claims people worked on)", permissions=["reanalyze"]
    )
    def reanalyze(self, request, queryset):
        for article in queryset:
            services.article_reanalyze(article=article)
        self.message_user(request, f"Re-analysis queued for {queryset.count()} article(s).")

    def has_reanalyze_permission(self, request):
        return request.user.has_perm("claims.reanalyze_article")


class HedgeCategoryFilter(admin.SimpleListFilter):
    title = "hedge category"
    parameter_name = "hedge"

    def lookups(self, request, model_admin):
        return HedgeCategory.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(hedges__category=self.value()).distinct()
        return queryset


class TextInputFilter(admin.SimpleListFilter):
    """A filter typed into a box, for columns with too many values to list: the
    stock filter of a foreign key renders one link per row of the other table
    (50k articles at a million claims). Its HTML does not grow with the table."""

    template = "admin/claims/input_filter.html"
    placeholder = ""

    def lookups(self, request, model_admin):
        return ()

    def has_output(self):
        return True

    def choices(self, changelist):
        # The other filters' and the search's parameters, kept by the form as hidden
        # inputs; the template reads the first (and only) "choice".
        others = changelist.get_filters_params()
        others.pop(self.parameter_name, None)
        if changelist.query:
            others["q"] = [changelist.query]
        yield {
            "value": self.value() or "",
            "hidden": [(k, v) for k, values in others.items() for v in values],
            "clear_url": changelist.get_query_string(remove=[self.parameter_name]),
            "placeholder": self.placeholder,
            "parameter_name": self.parameter_name,
        }


class ArticleFilter(TextInputFilter):
    """An article by id, or by words of its title."""

    title = "article"
    parameter_name = "article"
    placeholder = "id or title"

    def queryset(self, request, queryset):
        value = (self.value() or "").strip()
        if not value:
            return queryset
        if value.isdigit():
            return queryset.filter(article_id=int(value))
        return queryset.filter(article__title__icontains=value)


class AssigneeFilter(TextInputFilter):
    """An assignee by username, or "none" for unassigned claims."""

    title = "assignee"
    parameter_name = "assignee"
    placeholder = 'username or "none"'

    def queryset(self, request, queryset):
        value = (self.value() or "").strip()
        if not value:
            return queryset
        if value.lower() == "none":
            return queryset.filter(assignee__isnull=True)
        field = get_user_model().USERNAME_FIELD
        return queryset.filter(**{f"assignee__{field}__iexact": value})


class EstimatedCountPaginator(Paginator):
    """A paginator that counts exactly only up to ``EXACT_UP_TO`` rows. Past that,
    on PostgreSQL, the planner's estimate of the filtered query's rows (an
    EXPLAIN: milliseconds, where COUNT(*) over a million claims takes a second or
    more on every page); elsewhere (SQLite, the embedded mode) the exact count."""

    EXACT_UP_TO = 10_000

    @cached_property
    def count(self) -> int:
        qs = self.object_list
        capped = qs.order_by().values("pk")[: self.EXACT_UP_TO + 1].count()
        if capped <= self.EXACT_UP_TO or connection.vendor != "postgresql":
            return capped if capped <= self.EXACT_UP_TO else qs.count()
        return max(self.EXACT_UP_TO + 1, _planner_rows(qs.order_by()))


def _planner_rows(qs) -> int:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


class HedgeInline(ReadOnlyInline):
    model = HedgeCue
    fields = ("text", "category", "start", "end")
    readonly_fields = fields


class StatusChangeInline(ReadOnlyInline):
    model = StatusChange
    fields = ("created_at", "user", "from_status", "to_status", "note")
    readonly_fields = fields
    verbose_name_plural = "status history"


class ClaimChangeInline(ReadOnlyInline):
    model = ClaimChange
    fields = ("created_at", "user", "action", "changes", "note")
    readonly_fields = fields
    verbose_name_plural = "other changes"


class EvidenceForm(forms.ModelForm):
    url = forms.URLField(
        max_length=2000, assume_scheme="https", validators=[validate_evidence_url], label="URL"
    )

    class Meta:
        model = Evidence
        fields = ("url", "note")


class EvidenceInline(admin.TabularInline):
    model = Evidence
    form = EvidenceForm
    extra = 1
    # A link typed without a scheme is https (Django 6's default, asked for here).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = ("url", "note", "added_by", "created_at")
    readonly_fields = ("added_by", "created_at")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm("claims.add_evidence")

    def has_change_permission(self, request, obj=None):
        return False


class ClaimForm(forms.ModelForm):
    """Editorial fields and corrections; the status moves through a transition."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    transition_to = forms.ChoiceField(required=False, label="Move to status")
    transition_note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Note (rationale)"
    )

    class Meta:
        model = Claim
        fields = (
            "assignee",
            "notes",
            "source_text",
            "source_type",
            "source_role",
            "sourcing_strength",
            "kind",
        )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version
            targets = workflow.allowed_targets(self.instance, user) if user else []
            self.fields["transition_to"].choices = [("", "(keep)")] + [
                (t, ClaimStatus(t).label) for t in targets
            ]


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    Media = LevelColours
    form = ClaimForm
    list_display = (
        "short_text",
        "article_title",
        "source_text",
        "sourcing_strength",
        "level",
        "status",
        "assignee",
    )
    list_filter = (
        "status",
        "confidence_level",
        "source_type",
        "sourcing_strength",
        HedgeCategoryFilter,
        ArticleFilter,
        AssigneeFilter,
        "missing_from_analysis",
    )
    search_fields = ("text", "source_text")
    list_select_related = ("article", "assignee")
    list_per_page = 50
    # At a million claims: no COUNT(*) of the whole table on every page, and the
    # filtered count estimated past EstimatedCountPaginator.EXACT_UP_TO rows.
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    readonly_fields = ("article", "status", "version", *MACHINE_FIELDS)
    inlines = [HedgeInline, EvidenceInline, StatusChangeInline, ClaimChangeInline]
    actions = ["bulk_assign", "bulk_start", "bulk_dismiss", "bulk_verdict"]

    def get_queryset(self, request):
        # The joined article's text and analysis blob (megabytes each) are never
        # shown in a claim's row or form.
        return super().get_queryset(request).defer(*ARTICLE_BLOBS)

    @admin.display(description="claim")
    def short_text(self, obj):
        return obj.text if len(obj.text) <= 90 else obj.text[:87] + "..."

    @admin.display(description="article", ordering="article__title")
    def article_title(self, obj):
        return (obj.article.title or f"Article {obj.article_id}")[:40]

    @admin.display(description="confidence", ordering="confidence_score")
    def level(self, obj):
        return level_badge(obj.confidence_level)

    def has_add_permission(self, request):
        return False  # claims come from analysis; editors add missed ones by offsets

    def has_delete_permission(self, request, obj=None):
        return False  # dismiss instead: the history stays

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class Bound(form):
            def __init__(self, *a, **kw):
                super().__init__(*a, user=request.user, **kw)

        return Bound

    def save_model(self, request, obj, form, change):
        """Route the form's changes through the workflow services (in order:
        corrections, assignment, notes, transition), each checking the version."""
        claim = Claim.objects.select_related("assignee").get(pk=obj.pk)
        version = form.cleaned_data["expected_version"]
        data = form.cleaned_data
        try:
            corrections = {f: data[f] for f in workflow.CORRECTABLE if data[f] != getattr(claim, f)}
            if corrections:
                workflow.claim_correct(
                    claim=claim, user=request.user, expected_version=version, **corrections
                )
                version = claim.version
            if data["assignee"] != claim.assignee:
                workflow.claim_assign(
                    claim=claim,
                    assignee=data["assignee"],
                    user=request.user,
                    expected_version=version,
                )
                version = claim.version
            if data["notes"] != claim.notes:
                workflow.claim_set_notes(
                    claim=claim, notes=data["notes"], user=request.user, expected_version=version
                )
                version = claim.version
            if data["transition_to"]:
                workflow.claim_transition(
                    claim=claim,
                    to_status=data["transition_to"],
                    user=request.user,
                    note=data["transition_note"],
                    expected_version=version,
                )
        except workflow.WorkflowError as exc:
            request.claim_refused = exc.message  # per request: ModelAdmin is shared
            messages.error(request, exc.message)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Evidence:
            return super().save_formset(request, form, formset, change)
        for row in formset.save(commit=False):
            try:
                workflow.evidence_add(
                    claim=form.instance, url=row.url, note=row.note, user=request.user
                )
            except workflow.WorkflowError as exc:
                messages.error(request, exc.message)

    def response_change(self, request, obj):
        if getattr(request, "claim_refused", None):
            return HttpResponseRedirect(request.path)  # back to the form, with the reason
        return super().response_change(request, obj)

    # --- bulk actions -----------------------------------------------------------
    def _report(self, request, result, verb):
        if result.done:
            self.message_user(request, f"{verb} {len(result.done)} claim(s).")
        for pk, why in result.refused.items():
            self.message_user(request, f"Claim {pk}: {why}", messages.WARNING)

    @admin.action(description="Start (in progress)", permissions=["work"])
    def bulk_start(self, request, queryset):
        result = workflow.claims_bulk_transition(
            claims=queryset, to_status=ClaimStatus.IN_PROGRESS, user=request.user
        )
        self._report(request, result, "Started")

    @admin.action(description="Dismiss (not a checkable claim)", permissions=["work"])
    def bulk_dismiss(self, request, queryset):
        result = workflow.claims_bulk_transition(
            claims=queryset, to_status=ClaimStatus.DISMISSED, user=request.user
        )
        self._report(request, result, "Dismissed")

    @admin.action(description="Assign to ...", permissions=["work"])
    def bulk_assign(self, request, queryset):
        form = BulkAssignForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            result = workflow.claims_bulk_assign(
                claims=queryset,
                assignee=form.cleaned_data["assignee"],
                user=request.user,
                note=form.cleaned_data["note"],
            )
            self._report(request, result, "Assigned")
            return None
        return self._intermediate(request, queryset, form, "Assign claims", "bulk_assign")

    @admin.action(description="Give a verdict ...", permissions=["verdict"])
    def bulk_verdict(self, request, queryset):
        form = BulkVerdictForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            result = workflow.claims_bulk_transition(
                claims=queryset,
                to_status=form.cleaned_data["verdict"],
                user=request.user,
                note=form.cleaned_data["note"],
            )
            self._report(request, result, "Gave a verdict on")
            return None
        return self._intermediate(request, queryset, form, "Give a verdict", "bulk_verdict")

    def _intermediate(self, request, queryset, form, title, action):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "claims": queryset,
            "action": action,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/claims/bulk_action.html", context)

    def has_work_permission(self, request):
        return request.user.has_perm("claims.work_claim")

    def has_verdict_permission(self, request):
        return request.user.has_perm("claims.give_verdict")


class BulkAssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        required=False,
        empty_label="(nobody: unassign)",
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class BulkVerdictForm(forms.Form):
    verdict = forms.ChoiceField(choices=[(v, ClaimStatus(v).label) for v in workflow.VERDICTS])
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Note (rationale)")


class HistoryAdmin(admin.ModelAdmin):
    """History is for reading: nobody adds, changes or deletes it here."""

    list_select_related = ("claim", "user")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StatusChange)
class StatusChangeAdmin(HistoryAdmin):
    list_display = ("created_at", "claim", "user", "from_status", "to_status", "note")
    list_filter = ("to_status",)


@admin.register(ClaimChange)
class ClaimChangeAdmin(HistoryAdmin):
    list_display = ("created_at", "claim", "user", "action", "note")
    list_filter = ("action",)


# --- The fact-check library and sources ----------------------------------------------


@admin.register(FactCheck)
class FactCheckAdmin(admin.ModelAdmin):
    """Read-only: the library changes by import (import_claimreviews, the API) and
    by our own verdicts (the workflow), never by hand."""

    list_display = ("short_claim", "publisher", "rating", "origin", "reviewed_at", "claimant")
    list_filter = ("origin", "publisher", "rating")
    search_fields = ("claim_text", "claimant", "publisher", "url")
    list_select_related = ("imported_by",)
    exclude = ("document",)
    readonly_fields = (
        "key", "origin", "claim_text", "claimant", "rating", "rating_value", "rating_best",
        "rating_worst", "publisher", "publisher_url", "url", "language", "reviewed_at", "claim",
        "imported_by", "created_at", "updated_at", "document_json",
    )  # fmt: skip

    @admin.display(description="claim")
    def short_claim(self, obj):
        return obj.claim_text[:100]

    @admin.display(description="ClaimReview document")
    def document_json(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.document, indent=2, ensure_ascii=False))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SourceAliasInline(ReadOnlyInline):
    model = SourceAlias
    fields = ("name", "key")
    readonly_fields = fields


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    """Sources are made by resolution; editors merge them here (the selected ones
    into the one with the most claims) and split them on the source's page."""

    list_display = ("name", "type", "claim_count", "merged_into")
    list_filter = ("type", ("merged_into", admin.EmptyFieldListFilter))
    search_fields = ("name", "aliases__name")
    readonly_fields = ("key", "name", "type", "merged_into", "created_at", "dashboard_page")
    inlines = [SourceAliasInline]
    actions = ["merge_sources"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_claims=Count("claims"))

    @admin.display(description="claims", ordering="n_claims")
    def claim_count(self, obj):
        return obj.n_claims

    @admin.display(description="record, merge and split")
    def dashboard_page(self, obj):
        return format_html('<a href="/sources/{}/">the source\'s page</a>', obj.pk)

    @admin.action(
        description="Merge the selected sources into the one with the most claims",
        permissions=["manage"],
    )
    def merge_sources(self, request, queryset):
        chosen = sorted(
            queryset.filter(merged_into__isnull=True), key=lambda s: (-s.n_claims, s.pk)
        )
        if len(chosen) < 2:
            self.message_user(request, "Select two or more sources to merge.", messages.WARNING)
            return
        into, others = chosen[0], chosen[1:]
        for source in others:
            try:
                sources.source_merge(source=source, into=into, user=request.user)
            except sources.SourceError as exc:
                self.message_user(request, f"{source.name}: {exc.message}", messages.WARNING)
        self.message_user(request, f"Merged {len(others)} source(s) into {into.name}.")

    def has_manage_permission(self, request):
        return request.user.has_perm(sources.MANAGE)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SourceChange)
class SourceChangeAdmin(HistoryAdmin):
    list_display = ("created_at", "source", "action", "other", "user", "claims")
    list_filter = ("action",)
    list_select_related = ("source", "other", "user")
