"""The team's pages: notifications, watchlist, email preference, the Follow button (a panel on the
pages of the apps below, core/web.py) and the signed one-click unsubscribe."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.web import TEAM_PERMISSION, paginate, safe_next, team_required
from push import selectors, services
from push.choices import FollowKind, FollowReason
from push.forms import FollowForm, PreferenceForm
from push.models import Notification

# The pages a Follow button is registered on, and what it follows there (PushConfig.ready).
FOLLOW_PAGES = {
    "tracker:claim-detail": FollowKind.CLAIM,
    "positions:actor-detail": FollowKind.ACTOR,
    "positions:topic-detail": FollowKind.TOPIC,
    "sources:source-detail": FollowKind.SOURCE,
}


def follow_panel(kind: str) -> Callable[[HttpRequest, Any], dict[str, Any] | None]:
    def context(request: HttpRequest, obj: Any) -> dict[str, Any] | None:
        if obj is None or not request.user.has_perm(TEAM_PERMISSION):
            return None
        follow = selectors.follow_of(request.user, kind, obj.pk)
        return {
            "kind": kind,
            "kind_label": FollowKind(kind).label.lower(),
            "object_id": obj.pk,
            "follow": follow,
            "own": follow is not None and follow.reason == FollowReason.OWN,
            "next": request.get_full_path(),
        }

    return context


def dashboard_panel(request: HttpRequest, _obj: Any) -> dict[str, Any] | None:
    if not request.user.is_authenticated:
        return None
    unread = list(selectors.notifications_for(request.user, unread_only=True)[:5])
    return {"unread": unread, "unread_total": selectors.unread_count(request.user) if unread else 0}


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    return redirect(safe_next(request, fallback))


@team_required
@require_POST
def follow(request: HttpRequest) -> HttpResponse:
    form = FollowForm(request.POST)
    if not form.is_valid() or not selectors.record_exists(form.cleaned_data["kind"], form.cleaned_data["object_id"]):
        raise Http404("Nothing to follow here.")
    services.follow_add(user=request.user, kind=form.cleaned_data["kind"], object_id=form.cleaned_data["object_id"])
    messages.success(request, f"You follow this {FollowKind(form.cleaned_data['kind']).label.lower()} now.")
    return _back(request, reverse("push:watchlist"))


@team_required
@require_POST
def unfollow(request: HttpRequest) -> HttpResponse:
    form = FollowForm(request.POST)
    if not form.is_valid():
        raise Http404("Nothing to unfollow here.")
    services.follow_remove(user=request.user, kind=form.cleaned_data["kind"], object_id=form.cleaned_data["object_id"])
    messages.success(request, "You no longer follow it.")
    return _back(request, reverse("push:watchlist"))


@team_required
def watchlist(request: HttpRequest) -> HttpResponse:
    return render(request, "push/watchlist.html", {"rows": selectors.watchlist(request.user)})


@team_required
def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    page = paginate(request, selectors.notifications_for(request.user, unread_only=unread_only))
    return render(request, "push/notification_list.html", {"page": page, "unread_only": unread_only})


@team_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    services.notification_mark_read(user=request.user, notification_id=notification.pk)
    if request.POST.get("open") and notification.url:
        return redirect(notification.url)
    return _back(request, reverse("push:notification-list"))


@team_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notification_mark_all_read(user=request.user)
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    return _back(request, reverse("push:notification-list"))


@team_required
def preferences(request: HttpRequest) -> HttpResponse:
    current = services.preference_for(request.user)
    form = PreferenceForm(request.POST or None, initial={"email_mode": current.email_mode})
    if request.method == "POST" and form.is_valid():
        try:
            services.preference_set(user=request.user, email_mode=form.cleaned_data["email_mode"])
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Saved.")
            return redirect("push:preferences")
    return render(request, "push/preferences.html", {"form": form, "email": request.user.email})


@csrf_exempt  # the signed token is the credential; mail clients POST here for one-click unsubscribe (RFC 8058)
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks for confirmation (link scanners follow links); POST unsubscribes, no login needed."""
    user = services.unsubscribe_user(token)
    if user is None:
        return render(request, "push/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        services.unsubscribe(token=token)
        return render(request, "push/unsubscribe.html", {"done": True, "person": user})
    return render(request, "push/unsubscribe.html", {"person": user})
