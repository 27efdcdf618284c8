"""The Django admin for editors: articles with their claims, claims with their
history and evidence, bulk actions. Every write goes through claims.workflow or
claims.services; history is read-only here for everyone."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import widgets as admin_widgets
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection, models
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html

from claims import services, workflow
from claims.domain import as_pk, validate_evidence_url
from claims.filters import assignable_users, claim_document_match
from claims.models import (
    Article,
    ArticleVersion,
    BulkAction,
    Claim,
    ClaimChange,
    ClaimStatus,
    ConfidenceLevel,
    DismissReason,
    Evidence,
    FactCheck,
    Feed,
    FeedItem,
    HedgeCategory,
    HedgeCue,
    ImportBatch,
    ImportBatchItem,
    Priority,
    Source,
    SourceAlias,
    SourceChange,
    StatusChange,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from claims.roles import ROLE_PERMISSIONS
from claims.selectors import claim_count_of, claim_history
from claims.services import feeds, sources, webhooks
from claims.tasks import start_feed_poll

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
    "text_version",
    "version_change",
    "change_version",
    "previous_text",
)


class RefusesNul:
    """PostgreSQL refuses a NUL character anywhere in a query, and no stored text
    holds one: a list filter given one (``?article=a%00b``, ``?status__exact=...``)
    is the admin's "invalid filter" (the list again, unfiltered: ``?e=1``), where
    the query it built answered 500; a search with one finds nothing (the list's
    search form says why, the autocomplete answers no match). Every ModelAdmin
    here has it first among its bases."""

    def get_changelist_instance(self, request):
        for name, values in request.GET.lists():
            if name != SEARCH_VAR and any("\x00" in value for value in values):
                raise IncorrectLookupParameters(f"{name}: a filter cannot contain a null character")
        return super().get_changelist_instance(request)

    def get_search_results(self, request, queryset, search_term):
        if "\x00" in search_term:
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)


class ModelAdmin(RefusesNul, admin.ModelAdmin):
    pass


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


class CappedInline(ReadOnlyInline):
    """A read-only inline that shows at most ``shown`` rows, the first in
    ``shown_order``, in the inline's own order, and links to the changelist that
    lists them all (``changelist_param``: the parent's id there). A claim with
    thousands of history rows, or an article with hundreds of claims, built one
    form per row: 39 s for a claim with 6,000 changes, past any worker timeout."""

    template = "admin/claims/edit_inline/capped_tabular.html"
    shown = 50
    shown_order: tuple[str, ...] = ("-created_at", "-id")
    changelist_param = ""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        inline = self

        class Capped(formset):
            def get_queryset(self):
                if not hasattr(self, "_capped"):
                    rows = super().get_queryset()
                    first = rows.order_by(*inline.shown_order).values("pk")[: inline.shown]
                    self._capped = rows.filter(pk__in=models.Subquery(first))
                    self.total = rows.count() if self.instance.pk else 0
                    self.all_url = inline.all_url(self.instance)
                return self._capped

        return Capped

    def all_url(self, parent) -> str:
        opts = self.model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        return f"{url}?{self.changelist_param}={parent.pk}"


class ClaimInline(CappedInline):
    model = Claim
    fields = ("position", "text", "source_text", "sourcing_strength", "level", "status", "assignee")
    readonly_fields = fields
    show_change_link = True
    ordering = ("position",)
    # The first claims in reading order; the claims changelist filtered by the
    # article (ArticleFilter) lists them all.
    shown = 100
    shown_order = ("position", "id")
    changelist_param = "article"

    @admin.display(description="confidence")
    def level(self, obj):
        return level_badge(obj.confidence_level)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("assignee")


class ArticleVersionInline(ReadOnlyInline):
    """An article's versions (issue 15), without their texts: the diff page shows them."""

    model = ArticleVersion
    fields = ("number", "title", "created_by", "created_at", "changes")
    readonly_fields = fields
    ordering = ("number",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by").defer("raw_text")


@admin.register(Article)
class ArticleAdmin(ModelAdmin):
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
        "version",
        "corrections",
        "every_claim",
        "raw_text",
    )
    exclude = ("analysis_data", "run_id")
    inlines = [ArticleVersionInline, ClaimInline]
    actions = ["reanalyze"]

    @admin.display(description="claims")
    def every_claim(self, obj):
        url = reverse("admin:claims_claim_changelist") + f"?article={obj.pk}"
        return format_html('<a href="{}">All {} claims</a>', url, obj.n_claims)

    def get_queryset(self, request):
        # The list never shows the text or the blob (the change form loads the text
        # when it shows it).
        qs = super().get_queryset(request).defer("raw_text", "analysis_data")
        # Counted per row shown (a subquery), not Count() over the join: that
        # grouped every claim for the page, for each of the list's two COUNTs and
        # for the publication filter's DISTINCT (3.3 s at a million claims).
        return qs.annotate(n_claims=claim_count_of("article"))

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
        pk = as_pk(value)
        if pk is not None:
            return queryset.filter(article_id=pk)
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


class HistoryInline(CappedInline):
    """The latest ``shown`` changes of a claim (oldest first among them), each with
    its user in the same query; the history changelist filtered by the claim has
    them all, as has the claim's History button."""

    changelist_param = "claim__id__exact"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class StatusChangeInline(HistoryInline):
    model = StatusChange
    fields = ("created_at", "user", "from_status", "to_status", "note")
    readonly_fields = fields
    verbose_name_plural = "status history"


class ClaimChangeInline(HistoryInline):
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Shown in a tabular inline, which names its columns in the table head with
        # no <label> for the inputs: each gets its column's name (axe-core: "label").
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("aria-label", str(field.label or name.capitalize()))


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


class TextareaField(forms.CharField):
    """A textarea's text with plain "\n" newlines. Browsers post a textarea's
    newlines as CRLF, so notes stored as "a\nb" come back as "a\r\nb" when nobody
    touched them: compared as posted, every save recorded a notes change (and
    added the notes to the discussion again)."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value

    def has_changed(self, initial, data):
        # The stored side normalised as the posted side is: CRLF from saves made
        # before this field, and the whitespace around that CharField strips.
        return super().has_changed(self.to_python(initial), data)


class ClaimForm(forms.ModelForm):
    """Editorial fields and corrections; the status moves through a transition."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    transition_to = forms.ChoiceField(required=False, label="Move to status")
    transition_note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Note (rationale)"
    )
    public_url = forms.URLField(
        required=False,
        max_length=2000,
        assume_scheme="https",
        validators=[validate_evidence_url],
        label="Published fact-check URL",
    )
    transition_dismiss_reason = forms.ChoiceField(
        required=False,
        choices=[("", "(only for a dismiss)"), *DismissReason.choices],
        label="Why dismiss it",
    )

    class Meta:
        model = Claim
        fields = (
            "assignee",
            "notes",
            "due_at",
            "priority",
            "public_url",
            "public_summary",
            "source_text",
            "source_type",
            "source_role",
            "sourcing_strength",
            "kind",
        )
        field_classes = {"notes": TextareaField, "public_summary": TextareaField}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # People who can work claims (a viewer given one would be refused), and
        # the claim's own assignee whatever their role now: saving its other
        # fields is no reassignment.
        self.fields["assignee"].queryset = (
            get_user_model()
            .objects.filter(
                Q(pk__in=assignable_users().values("pk")) | Q(pk=self.instance.assignee_id)
            )
            .order_by("username")
        )
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version
            targets = workflow.allowed_targets(self.instance, user) if user else []
            self.fields["transition_to"].choices = [("", "(keep)")] + [
                (t, ClaimStatus(t).label) for t in targets
            ]
        self.user = user

    def clean(self):
        """Refuse the whole save here, before anything is written (the admin then
        shows this form again, with what the user typed and why), if the workflow
        would refuse any part of it: a stale version first, then each rule."""
        data = super().clean()
        if not self.instance.pk or self.user is None:
            return data
        if "transition_to" in self.errors and "expected_version" in data:
            # A status the claim cannot move to (any longer): most likely someone
            # moved it since the page was loaded. Say so, rather than only
            # "not one of the available choices".
            try:
                workflow.claim_edit_check(
                    claim=self.instance,
                    user=self.user,
                    expected_version=data["expected_version"],
                    changes={},
                    transition={"to_status": self.data.get("transition_to", "")},
                )
            except workflow.StaleVersion as exc:
                del self.errors["transition_to"]
                raise self._stale(exc) from None
            except workflow.WorkflowError:
                pass  # not stale: the field's own error says it
        if self.errors:
            return data
        claim = self.instance  # as loaded: construct_instance() runs after clean()
        # What the user changed, as Django's changed_data sees it: each field's
        # posted value against its initial, taken from this same instance and
        # normalised as the widget shows it. Comparing cleaned values with the
        # model's instead finds changes nobody made: the split date and time
        # inputs show no microseconds, so a due time with them came back
        # "changed" (and truncated) on every save.
        self.edit_changes = {f: data[f] for f in workflow.EDITABLE if f in self.changed_data}
        self.edit_transition = None
        if data.get("transition_to"):
            self.edit_transition = {
                "to_status": data["transition_to"],
                "note": data["transition_note"],
                "dismiss_reason": data["transition_dismiss_reason"],
            }
        try:
            workflow.claim_edit_check(
                claim=claim,
                user=self.user,
                expected_version=data["expected_version"],
                changes=self.edit_changes,
                transition=self.edit_transition,
            )
        except workflow.StaleVersion as exc:
            raise self._stale(exc) from None
        except workflow.WorkflowError as exc:
            raise forms.ValidationError(
                f"{exc.message} Nothing was saved.", code=exc.code
            ) from None
        return data

    @staticmethod
    def _stale(exc: workflow.StaleVersion) -> forms.ValidationError:
        return forms.ValidationError(
            f"{exc.message} Nothing was saved; what you entered is still below (copy "
            "what you need before reloading).",
            code=exc.code,
        )


class LabelledSplitDateTime(admin_widgets.AdminSplitDateTime):
    """The admin's date and time inputs, each with its own accessible name: a
    MultiWidget's <label> points at neither input (axe-core: "label", critical)."""

    def __init__(self, attrs=None, *, label: str = ""):
        super().__init__(attrs)
        self.widgets[0].attrs["aria-label"] = f"{label}: date".strip(": ")
        self.widgets[1].attrs["aria-label"] = f"{label}: time".strip(": ")


@admin.register(Claim)
class ClaimAdmin(ModelAdmin):
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
    readonly_fields = ("article", "status", "dismiss_reason", "version", *MACHINE_FIELDS)
    inlines = [HedgeInline, EvidenceInline, StatusChangeInline, ClaimChangeInline]
    actions = ["bulk_assign", "bulk_start", "bulk_dismiss", "bulk_verdict", "bulk_plan"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.DateTimeField) and db_field.editable:
            kwargs["widget"] = LabelledSplitDateTime(label=str(db_field.verbose_name).capitalize())
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        # On PostgreSQL the stored full-text document of the text and the source
        # and its GIN index, as the API's ?q=: Django's search (an UPPER(...) LIKE
        # '%word%' per word and field) read every claim, 1.7-2.2 s at a million.
        # SQLite (the embedded mode) has no such document: Django's search there.
        term = search_term.strip()
        if connection.vendor != "postgresql" or not term or "\x00" in term:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(claim_document_match(term)), False

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

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except workflow.WorkflowError as exc:
            # Refused after the form's check (someone saved in between, or an
            # evidence row): the admin's transaction rolled all of it back.
            messages.error(request, exc.message)
            return HttpResponseRedirect(request.path)

    def save_model(self, request, obj, form, change):
        """The form's changes through the workflow in one go (claim_edit: all or
        nothing); ClaimForm.clean() checked them before anything was written."""
        workflow.claim_edit(
            claim=Claim.objects.select_related("assignee").get(pk=obj.pk),
            user=request.user,
            expected_version=form.cleaned_data["expected_version"],
            changes=form.edit_changes,
            transition=form.edit_transition,
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not Evidence:
            return super().save_formset(request, form, formset, change)
        # A refusal here propagates: changeform_view's transaction undoes the claim's
        # changes saved just before, and changeform_view above says why.
        for row in formset.save(commit=False):
            workflow.evidence_add(
                claim=form.instance, url=row.url, note=row.note, user=request.user
            )

    # --- bulk actions -------------------------------------------------------------
    # The same rules as the dashboard's: an intermediate page names the count, the
    # action and what will change before anything is written; a target is chosen,
    # never defaulted; each applied action is a BulkAction, undone from its page.

    @admin.action(description="Start (in progress) ...", permissions=["work"])
    def bulk_start(self, request, queryset):
        return self._bulk(
            request, queryset, "bulk_start", "Start", ConfirmForm, ClaimStatus.IN_PROGRESS
        )

    @admin.action(description="Dismiss (with a reason) ...", permissions=["work"])
    def bulk_dismiss(self, request, queryset):
        return self._bulk(
            request, queryset, "bulk_dismiss", "Dismiss", BulkDismissForm, ClaimStatus.DISMISSED
        )

    @admin.action(description="Assign to ...", permissions=["assign"])
    def bulk_assign(self, request, queryset):
        return self._bulk(request, queryset, "bulk_assign", "Assign", BulkAssignForm)

    @admin.action(description="Give a verdict ...", permissions=["verdict"])
    def bulk_verdict(self, request, queryset):
        return self._bulk(request, queryset, "bulk_verdict", "Give a verdict on", BulkVerdictForm)

    @admin.action(description="Set due date / priority ...", permissions=["assign"])
    def bulk_plan(self, request, queryset):
        return self._bulk(request, queryset, "bulk_plan", "Plan", BulkPlanForm)

    def _bulk(self, request, queryset, action, verb, form_class, to_status=None):
        claims = list(queryset.select_related("assignee").order_by("pk"))
        form = form_class(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            lines = form.describe(claims, to_status) if hasattr(form, "describe") else None
            lines = lines or services.bulk_describe(claims=claims, to_status=to_status)
            context = {"verb": verb, "lines": lines, "danger": action == "bulk_dismiss"}
            return self._intermediate(request, claims, form, action, context)
        data = form.cleaned_data
        to_status = data.get("verdict") or to_status
        if action in ("bulk_assign", "bulk_plan"):
            lines = form.describe(claims, to_status)
        else:
            lines = services.bulk_describe(claims=claims, to_status=to_status)
        summary = services.bulk_summary(verb, claims, lines)
        # As the intermediate page showed them: a claim changed since is refused.
        versions = services.bulk_versions(request.POST.getlist("versions"))
        if action == "bulk_assign":
            result = services.claims_bulk_assign(
                claims=claims,
                assignee=form.assignee_user(),
                user=request.user,
                note=data["note"],
                summary=summary,
                versions=versions,
            )
        elif action == "bulk_plan":
            result = services.claims_bulk_plan(
                claims=claims,
                user=request.user,
                note=data["note"],
                summary=summary,
                versions=versions,
                **form.plan(),
            )
        else:
            result = services.claims_bulk_transition(
                claims=claims,
                to_status=to_status,
                user=request.user,
                note=data.get("note", ""),
                dismiss_reason=data.get("dismiss_reason", ""),
                summary=summary,
                versions=versions,
            )
        self._report(request, result, summary)
        return None

    def _report(self, request, result, summary):
        if result.done:
            bulk = result.action
            link = reverse("admin:claims_bulkaction_change", args=[bulk.pk])
            self.message_user(
                request,
                format_html(
                    'Done: {} (bulk action <a href="{}">#{}</a>: it can be undone there for '
                    "{} minutes).",
                    summary,
                    link,
                    bulk.pk,
                    settings.BULK_UNDO_MINUTES,
                ),
            )
        for pk, why in result.refused.items():
            self.message_user(request, f"Claim {pk}: {why}", messages.WARNING)

    def _intermediate(self, request, claims, form, action, extra):
        context = {
            **self.admin_site.each_context(request),
            "title": f"{extra['verb']} {len(claims)} claim{'s' if len(claims) != 1 else ''}",
            "form": form,
            "claims": claims,
            "action": action,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "undo_minutes": settings.BULK_UNDO_MINUTES,
            **extra,
        }
        return TemplateResponse(request, "admin/claims/bulk_action.html", context)

    def has_work_permission(self, request):
        return request.user.has_perm("claims.work_claim")

    def has_assign_permission(self, request):
        return request.user.has_perm("claims.assign_any")

    def has_verdict_permission(self, request):
        return request.user.has_perm("claims.give_verdict")

    # --- our history behind the History button ---------------------------------------
    def history_view(self, request, object_id, extra_context=None):
        """The claim's own history (status changes and other changes), not the
        admin's LogEntry list: every change goes through the services, which
        record it there."""
        claim = self.get_object(request, object_id)
        if claim is None or not self.has_view_or_change_permission(request, claim):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": f"History: {claim}",
            "subtitle": None,
            "object": claim,
            "opts": self.model._meta,
            "events": claim_history(claim=claim),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/claims/claim/object_history.html", context)


class ConfirmForm(forms.Form):
    """Nothing to choose: the page itself is the confirmation."""

    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def is_valid(self):
        return self.is_bound and super().is_valid()


class BulkDismissForm(ConfirmForm):
    dismiss_reason = forms.ChoiceField(
        choices=[("", "Choose a reason"), *DismissReason.choices], label="Why dismiss them"
    )
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Note (required for “other”)",
    )

    def clean(self):
        data = super().clean()
        try:
            workflow.dismiss_check(
                ClaimStatus.DISMISSED, data.get("dismiss_reason"), data.get("note")
            )
        except workflow.WorkflowError as exc:
            raise forms.ValidationError(exc.message) from None
        return data


UNASSIGN = "none"


class BulkAssignForm(ConfirmForm):
    # A choice, never a default: "nobody" is an explicit option, not the empty one.
    assignee = forms.ChoiceField(label="Assign to")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(u.pk): u for u in assignable_users()}
        self.fields["assignee"].choices = [
            ("", "Choose a person"),
            *[(pk, u.get_username()) for pk, u in self.people.items()],
            (UNASSIGN, "Nobody: unassign them"),
        ]
        self.fields["assignee"].error_messages["required"] = (
            'Choose who gets the claims ("Nobody: unassign them" to unassign).'
        )

    def assignee_user(self):
        chosen = self.cleaned_data["assignee"]
        return None if chosen == UNASSIGN else self.people[chosen]

    def describe(self, claims, to_status=None):
        if not self.is_bound or not self.is_valid():
            return [f"{len(claims)}: assignee -> the person you choose below"]
        return services.bulk_describe(claims=claims, assignee=self.assignee_user())


class BulkVerdictForm(ConfirmForm):
    verdict = forms.ChoiceField(choices=[(v, ClaimStatus(v).label) for v in workflow.VERDICTS])
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Note (rationale)")

    def describe(self, claims, to_status=None):
        return [f"{len(claims)}: status -> the verdict you choose below"]


class BulkPlanForm(ConfirmForm):
    due_at = forms.SplitDateTimeField(
        required=False, label="Due", widget=admin.widgets.AdminSplitDateTime
    )
    priority = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Keep"), *Priority.choices],
        label="Priority",
    )

    def clean(self):
        data = super().clean()
        if data.get("due_at") is None and data.get("priority") is None:
            raise forms.ValidationError("Give a due date or a priority to set.")
        return data

    def plan(self) -> dict:
        return {k: v for k in ("due_at", "priority") if (v := self.cleaned_data.get(k)) is not None}

    def describe(self, claims, to_status=None):
        if not self.is_bound or not self.is_valid():
            return [f"{len(claims)}: due date and/or priority -> what you choose below"]
        return services.bulk_describe(claims=claims, **self.plan())


class ReadOnlyAdmin(ModelAdmin):
    """Rows for reading: nobody adds, changes or deletes them in the admin (they
    change through the services: history, bulk actions, the library, sources)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HistoryAdmin(ReadOnlyAdmin):
    """History is for reading: nobody adds, changes or deletes it here.

    Hundreds of thousands of rows at a million claims: no COUNT(*) of the whole
    table beside the filtered one, and the filtered count estimated past
    EstimatedCountPaginator.EXACT_UP_TO (each COUNT read the table: 20-60 ms,
    growing with the history)."""

    list_select_related = ("claim", "user")
    show_full_result_count = False
    paginator = EstimatedCountPaginator


@admin.register(StatusChange)
class StatusChangeAdmin(HistoryAdmin):
    list_display = ("created_at", "claim", "user", "from_status", "to_status", "note")
    list_filter = ("to_status",)


@admin.register(ClaimChange)
class ClaimChangeAdmin(HistoryAdmin):
    list_display = ("created_at", "claim", "user", "action", "note")
    list_filter = ("action",)


@admin.register(BulkAction)
class BulkActionAdmin(ReadOnlyAdmin):
    """Bulk actions as applied, for reading, and their undo (for BULK_UNDO_MINUTES):
    the undo writes the inverse as new changes through the same service as the
    dashboard's."""

    list_display = ("id", "created_at", "user", "summary", "claim_count", "undone_at")
    list_select_related = ("user", "undone_by")
    readonly_fields = ("user", "action", "summary", "created_at", "undone_at", "undone_by")
    exclude = ("items",)
    actions = ["undo"]
    change_form_template = "admin/claims/bulkaction/change_form.html"

    @admin.display(description="claims")
    def claim_count(self, obj):
        return len(obj.items)

    def has_undo_permission(self, request):
        return request.user.has_perm("claims.assign_any")

    @admin.action(description="Undo (write the inverse as new changes) ...", permissions=["undo"])
    def undo(self, request, queryset):
        actions = list(queryset.select_related("user"))
        if "apply" not in request.POST:
            context = {
                **self.admin_site.each_context(request),
                "title": f"Undo {len(actions)} bulk action{'s' if len(actions) != 1 else ''}",
                "actions": actions,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "undo_minutes": settings.BULK_UNDO_MINUTES,
            }
            return TemplateResponse(request, "admin/claims/bulkaction/undo.html", context)
        for bulk in actions:
            try:
                result = services.bulk_action_undo(bulk_action=bulk, user=request.user)
            except workflow.WorkflowError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                continue
            self.message_user(request, f"Undone for {len(result.done)} claim(s): {bulk.summary}")
            for pk, why in result.refused.items():
                self.message_user(request, f"Claim {pk}: {why}", messages.WARNING)
        return None

    def change_view(self, request, object_id, form_url="", extra_context=None):
        bulk = self.get_object(request, object_id)
        extra = {
            "undoable": bulk is not None and services.bulk_action_undoable(bulk_action=bulk),
            "may_undo": self.has_undo_permission(request),
            "undo_minutes": settings.BULK_UNDO_MINUTES,
            "items": bulk.items if bulk else [],
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra)


# --- Bulk import (issue 15) ---------------------------------------------------------------


class ImportBatchItemInline(admin.TabularInline):
    """A batch's inputs and what became of each, for reading. Shown to whoever
    may see the batch (the items have no permission of their own)."""

    model = ImportBatchItem
    fields = ("position", "name", "outcome", "error", "article")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("claims.view_importbatch")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    """Bulk imports (manage.py ingest and POST /api/v1/articles/batch/) as they ran."""

    list_display = (
        "id", "created_at", "created_by", "kind", "source", "state", "total", "created",
        "duplicates", "versions", "failed",
    )  # fmt: skip
    list_filter = ("kind", "state")
    list_select_related = ("created_by",)
    readonly_fields = (
        "created_by", "kind", "source", "state", "total", "created", "duplicates", "versions",
        "failed",
        "created_at", "finished_at",
    )  # fmt: skip
    inlines = [ImportBatchItemInline]


# --- People and their roles, for editors ------------------------------------------------

User = get_user_model()


admin.site.unregister(Group)


@admin.register(Group)
class RoleGroupAdmin(RefusesNul, GroupAdmin):
    """Editors see the roles; only superusers change what a role may do (changing
    a group's permissions would be an escalation)."""

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


admin.site.unregister(User)


@admin.register(User)
class PeopleAdmin(RefusesNul, UserAdmin):
    """Editors manage people and their roles (group membership) and reset
    passwords; they never see, change or create superusers, and never grant
    superuser, staff or single permissions (escalations only a superuser makes)."""

    ESCALATIONS = ("is_superuser", "is_staff", "user_permissions")

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(is_superuser=False)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in self.ESCALATIONS]})
            for name, opts in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return readonly
        return (*readonly, "last_login", "date_joined")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            # Three roles: checkboxes, not the two-list filter widget (whose icon
            # carries an ARIA attribute its role does not allow, per axe-core).
            kwargs["widget"] = forms.CheckboxSelectMultiple
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.filter(name__in=ROLE_PERMISSIONS).order_by("name")
            kwargs["help_text"] = "The person's role: Viewer, Fact-checker or Editor."
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        """An editor's form offers the roles only, and saving it sets the person's
        groups to what was ticked: any other group (one a superuser gave) would go
        with it. Those the form does not offer stay as they are."""
        if change and "groups" in form.cleaned_data:
            offered = form.fields["groups"].queryset
            # Read before the save below: the person's groups as they still are.
            kept = list(form.instance.groups.exclude(pk__in=offered.values("pk")))
            if kept:
                form.cleaned_data["groups"] = [*form.cleaned_data["groups"], *kept]
        super().save_related(request, form, formsets, change)

    def _out_of_reach(self, request, obj) -> bool:
        """A person who may do more than the editor: a superuser, or anyone a
        superuser gave a permission (single, or through a group other than the
        roles) that the editor lacks. Changing them or their password would hand
        the editor those permissions."""
        if obj is None or request.user.is_superuser:
            return False
        if obj.is_superuser:
            return True
        if obj.pk == request.user.pk:
            return False
        # Read from the tables: get_all_permissions() is empty for an inactive
        # account, which the editor could reactivate after taking it over.
        granted = Permission.objects.filter(Q(user=obj) | Q(group__user=obj))
        names = {
            f"{app}.{code}"
            for app, code in granted.values_list("content_type__app_label", "codename")
        }
        return not names <= request.user.get_all_permissions()

    def has_change_permission(self, request, obj=None):
        if self._out_of_reach(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_view_permission(self, request, obj=None):
        if self._out_of_reach(request, obj):
            return False
        return super().has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser  # deactivate people: history keeps who did what

    def user_change_password(self, request, id, form_url=""):
        target = self.get_object(request, id)
        if self._out_of_reach(request, target):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)


# --- The fact-check library and sources ----------------------------------------------


@admin.register(FactCheck)
class FactCheckAdmin(ReadOnlyAdmin):
    """Read-only: the library changes by import (import_claimreviews, the API) and
    by our own verdicts (the workflow), never by hand."""

    list_display = (
        "short_claim", "publisher", "rating", "origin", "reviewed_at", "claimant", "withdrawn_at",
    )  # fmt: skip
    list_filter = ("origin", "publisher", "rating")
    search_fields = ("claim_text", "claimant", "publisher", "url")
    list_select_related = ("imported_by",)
    # A library of imported feeds grows to hundreds of thousands of reviews: as
    # the claims' list, no COUNT of the whole table, the filtered one capped.
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def get_queryset(self, request):
        # The ClaimReview document as imported (kilobytes each) is shown on the
        # review's own page only, which loads it when it shows it.
        return super().get_queryset(request).defer("document")

    exclude = ("document",)
    readonly_fields = (
        "key", "origin", "claim_text", "claimant", "rating", "rating_value", "rating_best",
        "rating_worst", "publisher", "publisher_url", "url", "language", "reviewed_at", "claim",
        "imported_by", "created_at", "updated_at", "withdrawn_at", "document_json",
    )  # fmt: skip

    @admin.display(description="claim")
    def short_claim(self, obj):
        return obj.claim_text[:100]

    @admin.display(description="ClaimReview document")
    def document_json(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.document, indent=2, ensure_ascii=False))


class SourceAliasInline(ReadOnlyInline):
    model = SourceAlias
    fields = ("name", "key")
    readonly_fields = fields


@admin.register(Source)
class SourceAdmin(ReadOnlyAdmin):
    """Sources are made by resolution; editors merge them here (the selected ones
    into the one with the most claims) and split them on the source's page."""

    list_display = ("name", "type", "claim_count", "merged_into")
    list_filter = ("type", ("merged_into", admin.EmptyFieldListFilter))
    search_fields = ("name", "aliases__name")
    readonly_fields = ("key", "name", "type", "merged_into", "created_at", "dashboard_page")
    inlines = [SourceAliasInline]
    actions = ["merge_sources"]

    def get_queryset(self, request):
        # Per source shown, on the claims' source index (as the sources page).
        return super().get_queryset(request).annotate(n_claims=claim_count_of("source"))

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
        into, merged, failed = chosen[0], [], []
        for source in chosen[1:]:
            # Each merge is its own transaction: one refused (merged elsewhere
            # meanwhile, gone) leaves the others done, and the message says which.
            try:
                sources.source_merge(source=source, into=into, user=request.user)
            except sources.SourceError as exc:
                failed.append(f"{source.name} ({str(exc).rstrip('.')})")
            else:
                merged.append(source.name)
        if merged:
            names = ", ".join(merged)
            self.message_user(request, f"Merged {len(merged)} source(s) into {into.name}: {names}.")
        if failed:
            self.message_user(request, f"Not merged: {'; '.join(failed)}.", messages.ERROR)

    def has_manage_permission(self, request):
        return request.user.has_perm(sources.MANAGE)


@admin.register(SourceChange)
class SourceChangeAdmin(HistoryAdmin):
    list_display = ("created_at", "source", "action", "other", "user", "claims")
    list_filter = ("action",)
    list_select_related = ("source", "other", "user")


# --- Feeds ------------------------------------------------------------------------------


class FeedAdminForm(forms.ModelForm):
    """The admin's own checks are the service's (the address as URL ingest checks
    it, the interval's bounds), so an editor sees them as form errors."""

    url = forms.URLField(max_length=2000, assume_scheme="https", label="Feed address")

    class Meta:
        model = Feed
        fields = ("url", "title", "poll_interval_minutes", "active")

    def clean_url(self):
        try:
            return feeds.feed_url_check(self.cleaned_data["url"])
        except feeds.FeedError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_poll_interval_minutes(self):
        minutes = self.cleaned_data["poll_interval_minutes"]
        if not feeds.MIN_INTERVAL <= minutes <= feeds.MAX_INTERVAL:
            raise forms.ValidationError(
                f"Poll every {feeds.MIN_INTERVAL} to {feeds.MAX_INTERVAL} minutes."
            )
        return minutes


@admin.register(Feed)
class FeedAdmin(ModelAdmin):
    """Editors subscribe, edit and unsubscribe here as on /feeds/ (through the same
    service), and see each feed's error state and last poll; "Poll now" queues a poll."""

    form = FeedAdminForm
    list_display = (
        "__str__", "active", "state_words", "last_polled_at", "next_poll_at", "item_count",
    )  # fmt: skip
    list_filter = ("active", ("error_since", admin.EmptyFieldListFilter))
    search_fields = ("url", "title")
    list_select_related = ("created_by",)
    readonly_fields = (
        "state_words", "last_polled_at", "last_success_at", "next_poll_at",
        "consecutive_errors", "error_since", "error", "etag", "last_modified", "created_by",
        "created_at",
    )  # fmt: skip
    actions = ["poll_now"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_items=Count("items"))

    @admin.display(description="items", ordering="n_items")
    def item_count(self, obj):
        return obj.n_items

    @admin.display(description="state")
    def state_words(self, obj):
        if obj.state == "error":
            return (
                f"Error since {obj.error_since:%Y-%m-%d %H:%M}: {obj.error} "
                f"Retrying at {obj.next_poll_at:%Y-%m-%d %H:%M} "
                f"({obj.consecutive_errors} failed in a row)."
            )
        if obj.state == "ok":
            return f"OK, last polled {obj.last_polled_at:%Y-%m-%d %H:%M}."
        return {"paused": "Paused.", "new": "Not polled yet."}.get(obj.state, obj.state)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in FeedAdminForm.Meta.fields}
        try:
            if change:
                feeds.feed_update(feed=Feed.objects.get(pk=obj.pk), **data)
            else:
                obj.pk = feeds.feed_subscribe(**data, user=request.user).pk
        except feeds.FeedError as exc:  # a race the form could not see (a duplicate)
            self.message_user(request, str(exc), messages.ERROR)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # A feed's items go with it (the record of what it brought, not history):
        # whoever may delete the feed may delete them. Its articles stay.
        perms_needed.discard(FeedItem._meta.verbose_name)
        return deleted, counts, perms_needed, protected

    def delete_model(self, request, obj):
        feeds.feed_unsubscribe(feed=obj)

    def delete_queryset(self, request, queryset):
        for feed in queryset:
            feeds.feed_unsubscribe(feed=feed)

    @admin.action(description="Poll now (a task fetches the feed)", permissions=["change"])
    def poll_now(self, request, queryset):
        paused = [str(f) for f in queryset if not f.active]
        if paused:
            self.message_user(
                request, f"Paused, not polled: {', '.join(paused)}.", messages.WARNING
            )
        active = [f for f in queryset if f.active]
        refused = [
            f for f in active if feeds.feed_poll_soon(feed=f, publish=start_feed_poll) is False
        ]
        if refused:
            self.message_user(
                request,
                "The task queue is unreachable: the feeds are polled when it is back.",
                messages.WARNING,
            )
        elif active:
            self.message_user(request, f"Poll queued for {len(active)} feed(s).")


@admin.register(FeedItem)
class FeedItemAdmin(ReadOnlyAdmin):
    """What each feed brought: written by the polls only."""

    list_display = ("__str__", "feed", "feed_published_at", "article", "first_seen_at")
    list_filter = ("feed",)
    search_fields = ("title", "link", "guid")
    list_select_related = ("feed", "article")

    def get_queryset(self, request):
        return super().get_queryset(request).defer(*ARTICLE_BLOBS)


# --- Webhooks --------------------------------------------------------------------------


class WebhookEndpointForm(forms.ModelForm):
    # A plain field: the service checks the URL (scheme, host, addresses).
    url = forms.CharField(max_length=2000)
    events = forms.MultipleChoiceField(
        choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("url", "description", "events", "active")

    current_user = None  # set by WebhookEndpointAdmin.get_form: the owner of a new endpoint

    def clean_url(self):
        # The service's check (https, a host that resolves to public addresses),
        # here so that a refusal is shown on the field.
        try:
            return webhooks.webhook_url_check(self.cleaned_data["url"])
        except webhooks.WebhookError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self):
        # One active endpoint per URL and owner (the service refuses a second).
        data = super().clean()
        owner = self.instance.owner if self.instance.pk else self.current_user
        if data.get("url") and data.get("active") and owner is not None:
            try:
                webhooks.webhook_url_unique_check(
                    url=data["url"], owner=owner, exclude=self.instance.pk
                )
            except webhooks.WebhookError as exc:
                self.add_error("url", str(exc))
        return data


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ModelAdmin):
    """Endpoints, written through claims.services.webhooks. The secret is shown
    once, as the endpoint is added; later its owner sees it on /webhooks/."""

    form = WebhookEndpointForm
    list_display = ("url", "description", "events", "active", "owner", "failing_since")
    list_select_related = ("owner",)
    readonly_fields = ("owner", "failing_since", "last_error", "created_at", "deliveries_page")

    @admin.display(description="deliveries")
    def deliveries_page(self, obj):
        if obj.pk is None:
            return "-"
        link = reverse("admin:claims_webhookdelivery_changelist") + f"?endpoint__id__exact={obj.pk}"
        return format_html('<a href="{}">the delivery log</a>', link)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.current_user = request.user
        return form

    def save_model(self, request, obj, form, change):
        data = {k: form.cleaned_data[k] for k in ("url", "description", "events")}
        if change:
            webhooks.webhook_endpoint_update(
                endpoint=obj, user=request.user, active=form.cleaned_data["active"], **data
            )
            return
        created = webhooks.webhook_endpoint_create(owner=request.user, **data)
        if not form.cleaned_data["active"]:
            webhooks.webhook_endpoint_update(endpoint=created, user=request.user, active=False)
        obj.pk = created.pk
        self.message_user(
            request,
            f"The endpoint's secret (shown only now; its owner can see it again on "
            f"/webhooks/): {created.secret}",
            messages.WARNING,
        )

    def delete_model(self, request, obj):
        webhooks.webhook_endpoint_delete(endpoint=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for endpoint in queryset:
            webhooks.webhook_endpoint_delete(endpoint=endpoint, user=request.user)


class WebhookAttemptInline(ReadOnlyInline):
    model = WebhookAttempt
    fields = ("number", "at", "status", "duration_ms", "error", "response_excerpt")
    readonly_fields = fields


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """The delivery log, with every attempt; "Resend" tries again now (same event id)."""

    list_display = ("created_at", "event", "endpoint", "state", "attempts", "response_status")
    list_filter = ("state", "event")
    list_select_related = ("endpoint",)
    readonly_fields = (
        "endpoint", "event", "event_id", "state", "attempts", "next_attempt_at",
        "response_status", "error", "response_excerpt", "created_at", "delivered_at",
        "payload_json",
    )  # fmt: skip
    exclude = ("payload",)
    inlines = [WebhookAttemptInline]
    actions = ["resend"]

    @admin.display(description="payload")
    def payload_json(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.payload, indent=2, ensure_ascii=False))

    def has_resend_permission(self, request):
        return request.user.has_perm(webhooks.MANAGE)

    @admin.action(description="Resend (a new attempt, same event id)", permissions=["resend"])
    def resend(self, request, queryset):
        for delivery in queryset:
            webhooks.webhook_delivery_resend(delivery=delivery, user=request.user)
        self.message_user(request, f"{queryset.count()} delivery(ies) queued again.")
