"""Webhooks, for editors: the endpoints, a form to add one (its secret shown once),
each endpoint's delivery log with every attempt and a Resend button, and delete
with a confirmation. Writes go through claims.services.webhooks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from claims.forms import WebhookEndpointForm
from claims.models import WebhookDelivery, WebhookEndpoint
from claims.services import webhooks

from ._common import embedded_mode, only_once, reader

DELIVERIES_SHOWN = 50
ADDED_KEY = "webhook-added"  # the session's note of an endpoint whose secret is due


def webhooks_reader(view):
    return reader(permission_required("claims.view_webhookendpoint", raise_exception=True)(view))


def _endpoint(pk: int) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.select_related("owner").filter(pk=pk).first()
    if endpoint is None:
        raise Http404("No such webhook endpoint.")
    return endpoint


def _list(request, form, status: int = 200):
    endpoints = WebhookEndpoint.objects.select_related("owner").order_by("-id")
    context = {
        "endpoints": endpoints,
        "form": form,
        "can_add": request.user.has_perm("claims.add_webhookendpoint"),
    }
    return render(request, "claims/webhook_list.html", context, status=status)


@webhooks_reader
def webhook_list_page(request):
    if request.method != "POST":
        return _list(request, WebhookEndpointForm())
    if not request.user.has_perm("claims.add_webhookendpoint"):
        raise PermissionDenied("Only editors add webhook endpoints.")
    form = WebhookEndpointForm(request.POST)
    if form.is_valid():
        try:
            endpoint = webhooks.webhook_endpoint_create(owner=request.user, **form.cleaned_data)
        except webhooks.WebhookError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            # POST/redirect/GET, so that a refresh sends nothing again. The session
            # holds the new endpoint's id (never its secret), taken by the first GET.
            request.session[ADDED_KEY] = endpoint.pk
            return redirect("dashboard:webhook-added", pk=endpoint.pk)
    return _list(request, form, status=400)


@webhooks_reader
def webhook_added_page(request, pk: int):
    """The secret of the endpoint just added, once: the page after the add's
    redirect. Again (a refresh, a link) it leads to the endpoint's page, where its
    owner can ask for the secret (Show the secret)."""
    endpoint = _endpoint(pk)
    if request.session.get(ADDED_KEY) != endpoint.pk or endpoint.owner_id != request.user.pk:
        return redirect("dashboard:webhook", pk=endpoint.pk)
    del request.session[ADDED_KEY]
    context = {"endpoint": endpoint, "secret": endpoint.secret, "created": True}
    response = render(request, "claims/webhook_secret.html", context)
    response["Cache-Control"] = "no-store"  # not from the browser's cache either
    return response


@webhooks_reader
def webhook_page(request, pk: int):
    endpoint = _endpoint(pk)
    deliveries = (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .prefetch_related("tries")
        .order_by("-created_at", "-id")[:DELIVERIES_SHOWN]
    )
    context = {
        "endpoint": endpoint,
        "deliveries": deliveries,
        "is_owner": endpoint.owner_id == request.user.pk,
        "can_change": request.user.has_perm(webhooks.MANAGE),
        "can_delete": request.user.has_perm("claims.delete_webhookendpoint"),
        "shown": DELIVERIES_SHOWN,
        "embedded": embedded_mode(),
    }
    return render(request, "claims/webhook_detail.html", context)


@webhooks_reader
@require_POST
@only_once
def webhook_secret_view(request, pk: int):
    endpoint = _endpoint(pk)
    try:
        secret = webhooks.webhook_secret_for(endpoint=endpoint, user=request.user)
    except webhooks.WebhookNotPermitted as exc:
        raise PermissionDenied(str(exc)) from None
    return render(request, "claims/webhook_secret.html", {"endpoint": endpoint, "secret": secret})


@webhooks_reader
@require_POST
def webhook_active_view(request, pk: int):
    endpoint = _endpoint(pk)
    active = request.POST.get("active") == "1"
    try:
        webhooks.webhook_endpoint_update(endpoint=endpoint, user=request.user, active=active)
    except webhooks.WebhookNotPermitted as exc:
        raise PermissionDenied(str(exc)) from None
    messages.success(request, f"Deliveries to {endpoint.url} {'resume' if active else 'stop'}.")
    return redirect("dashboard:webhook", pk=endpoint.pk)


@webhooks_reader
def webhook_delete_view(request, pk: int):
    """GET: the confirmation; POST: delete the endpoint and its log."""
    if not request.user.has_perm("claims.delete_webhookendpoint"):
        raise PermissionDenied("Only editors delete webhook endpoints.")
    endpoint = _endpoint(pk)
    if request.method != "POST":
        count = endpoint.deliveries.count()
        return render(request, "claims/webhook_delete.html", {"endpoint": endpoint, "count": count})
    webhooks.webhook_endpoint_delete(endpoint=endpoint, user=request.user)
    messages.success(request, f"The endpoint {endpoint.url} was deleted.")
    return redirect("dashboard:webhooks")


@webhooks_reader
@require_POST
def webhook_resend_view(request, pk: int, delivery_id: int):
    endpoint = _endpoint(pk)
    delivery = WebhookDelivery.objects.filter(endpoint=endpoint, pk=delivery_id).first()
    if delivery is None:
        raise Http404("No such delivery.")
    try:
        webhooks.webhook_delivery_resend(delivery=delivery, user=request.user)
    except webhooks.WebhookNotPermitted as exc:
        raise PermissionDenied(str(exc)) from None
    messages.success(request, f"Delivery {delivery.pk} ({delivery.event}) is sent again.")
    return redirect("dashboard:webhook", pk=endpoint.pk)
