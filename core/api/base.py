"""What every API endpoint shares: visibility, writes through the services, ETag/If-Match, the edit
summary and RFC 9457 problem details. Who may call (keys, scopes, throttling, page sizes) is in
core/api/access.py.

Viewsets name their model, serializers and services; the rules live here once.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponseNotModified
from django.utils.http import parse_etags
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import exception_handler as drf_exception_handler

from core.api import problems
from core.api.access import (  # noqa: F401 (re-exported for the viewsets)
    MAX_PAGE_SIZE,
    RequestTooLarge,
    TrackerCursorPagination,
    api_key,
    is_partner,
)
from core.exceptions import ConflictError
from core.history import REASON_MAX_LENGTH
from core.visibility import visible

REASON_HEADER = "X-Change-Reason"
PROBLEM_JSON = "application/problem+json"


# --- Errors: RFC 9457 problem details ---------------------------------------------------------------


def _flatten(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    if isinstance(detail, dict):
        out = []
        for name, value in detail.items():
            if isinstance(name, int):  # DRF keys the errors of list items by their index
                out += _flatten(value, f"{prefix}[{name}]")
                continue
            field = name if name != "non_field_errors" else ""
            out += _flatten(value, f"{prefix}.{field}" if prefix and field else (field or prefix))
        return out
    if isinstance(detail, list):
        out = []
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                out += _flatten(value, f"{prefix}[{index}]")
            else:
                out += _flatten(value, prefix)
        return out
    return [{"field": prefix, "message": str(detail)}]


def _django_validation_detail(error: DjangoValidationError) -> Any:
    if hasattr(error, "error_dict"):
        return {"non_field_errors" if k == "__all__" else k: v for k, v in error.message_dict.items()}
    return {"non_field_errors": error.messages}


class PreconditionFailed(exceptions.APIException):
    """412: the record, or what it shows, changed since the client read it. Carries the record so the
    problem can give its current ETag and version."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record changed since you read it."
    default_code = "precondition_failed"

    def __init__(self, detail: str | None = None, *, instance: Any = None, etag: str | None = None) -> None:
        super().__init__(detail)
        self.instance, self.etag = instance, etag


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "Send If-Match with the ETag from a GET of this record, so no one's change is overwritten."
    default_code = "precondition_required"


def problem_body(slug: str, detail: str, **extra: Any) -> dict[str, Any]:
    """The body of a problem of a known kind, for an answer built outside the exception handler."""
    problem = problems.BY_SLUG[slug]
    body = {"type": problems.problem_type(slug), "title": problem.title, "status": problem.status, "detail": detail}
    return {**body, **extra}


def problem_exception_handler(exc: Exception, context: dict) -> Response | None:
    """Every error as `application/problem+json`: type, title, status, detail, and `errors` by field."""
    current, etag = None, None
    if isinstance(exc, ConflictError):  # the service saw a newer version than If-Match (a write in between)
        current = exc.instance
        view = context.get("view")
        if isinstance(view, TrackedReadViewSet):
            current = view.reread(current)
            etag = view.etag_of(current)
        exc = PreconditionFailed(str(exc))
    elif isinstance(exc, PreconditionFailed):
        current, etag = exc.instance, exc.etag
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_validation_detail(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, RequestDataTooBig):  # Django's own guard, hit when something reads request.POST
        exc = RequestTooLarge(f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.")
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = response.status_code
    problem = problems.problem_for_status(code)
    body: dict[str, Any] = {"type": problems.problem_type(problem.slug), "title": problem.title, "status": code}
    if isinstance(exc, exceptions.ValidationError):
        body["detail"] = "The request has invalid fields; nothing was changed."
        body["errors"] = _flatten(exc.detail)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        body["detail"] = str(detail if not isinstance(detail, list | dict) else _flatten(detail)[0]["message"])
    if current is not None:
        body["current_version"] = current.version
    if etag:
        response["ETag"] = etag
    response.data = body
    response.content_type = PROBLEM_JSON
    return response


# --- ETags, If-Match and the edit summary -----------------------------------------------------------------


def representation_etag(data: Any, instance: Any = None) -> str:
    """A strong ETag of a representation: a digest of its JSON, so it changes whenever what is shown
    changes (a record's version, or evidence published elsewhere). A tracked record's ETag also names
    it and its version (`"claim-12-v3-…"`), so a 412 can say which version the client had."""
    encoded = json.dumps(data, cls=JSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(encoded.encode()).hexdigest()[:24]
    if instance is not None and hasattr(instance, "version"):
        return f'"{instance._meta.model_name}-{instance.pk}-v{instance.version}-{digest}"'
    return f'"{digest}"'


def content_etag(content: bytes) -> str:
    """A strong ETag of a body the view rendered itself."""
    return f'"{hashlib.sha256(content).hexdigest()[:24]}"'


_ETAG_VERSION = re.compile(r'^(?:W/)?"[a-z]+-[^"-]+-v(\d+)(?:-[0-9a-f]+)?"$')


def expected_version_from(request, instance: Any, current_etag: str) -> int:
    """The version the client last read, from If-Match; 428 when absent, 412 when the ETag is not the
    current one (the record or what it shows changed) or is malformed."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired()
    if header == current_etag:
        return instance.version
    if header == "*":
        detail = "`If-Match: *` would overwrite changes you have not seen; send the record's ETag."
    else:
        match = _ETAG_VERSION.match(header)
        sent = int(match.group(1)) if match else None
        if sent == instance.version:
            detail = (
                f"The record is still version {instance.version}, but what it shows changed since you read it "
                "(e.g. its evidence). Read it again. Nothing was changed."
            )
        else:
            detail = (
                f"The record is now version {instance.version}; you sent "
                f"{'version ' + str(sent) if sent is not None else 'an ETag of another record'}. Nothing was changed."
            )
    raise PreconditionFailed(detail, instance=instance, etag=current_etag)


def reason_from(request) -> str:
    data = request.data if isinstance(request.data, dict) else {}
    reason = data.get("reason") or request.headers.get(REASON_HEADER, "")
    if not isinstance(reason, str) or not reason.strip():
        raise exceptions.ValidationError(
            {"reason": f"Say why you are making this change (a `reason` field or an {REASON_HEADER} header)."}
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise exceptions.ValidationError({"reason": f"Keep the reason under {REASON_MAX_LENGTH} characters."})
    return reason.strip()


IF_MATCH_PARAMETER = OpenApiParameter(
    "If-Match",
    type=str,
    location=OpenApiParameter.HEADER,
    required=True,
    description="The ETag from a GET of this record. Missing: 428. Stale: 412.",
)
REASON_PARAMETER = OpenApiParameter(
    REASON_HEADER,
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Why you make this change (alternatively a `reason` field in the body). Required for writes.",
)


# --- Base viewsets ----------------------------------------------------------------------------------


class RejectNulMixin:
    """PostgreSQL cannot hold NUL in text; refuse it in the URL and query with a 400 naming the parameter
    instead of letting the database driver fail with a server error."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        bad = [name for name, value in kwargs.items() if "\x00" in str(value)]
        bad += [name for name, values in request.query_params.lists() if any("\x00" in v for v in values)]
        bad += [name for name in request.query_params if "\x00" in name]
        if bad:
            raise exceptions.ValidationError({name: "NUL characters are not allowed." for name in bad})


class ConditionalGetMixin:
    """Every successful GET answer carries an ETag of its representation (a record's own, set by the
    view, or a digest of the page), and `If-None-Match` with it answers 304 without a body."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        if response.streaming:
            return response  # an export or a JSON-LD graph (`streamed`): its body is not known yet
        if not response.has_header("ETag"):
            # A document rendered by the view itself (a JSON-LD ClaimReview) is digested as sent.
            is_data = isinstance(response, Response) and response.data is not None
            response["ETag"] = representation_etag(response.data) if is_data else content_etag(response.content)
        if if_none_match(request, response["ETag"]):
            not_modified = HttpResponseNotModified()
            for header in ("ETag", "Vary", "Cache-Control"):
                if response.has_header(header):
                    not_modified[header] = response[header]
            return not_modified
        return response


def streamed(view_method: Any) -> Any:
    """Mark a GET action whose answer is streamed as it is read (an export, a JSON-LD graph): its body is
    not known before it is sent, so it carries no ETag and the schema promises none (core.api.schema)."""
    view_method.streamed = True
    return view_method


IF_NONE_MATCH_PARAMETER = OpenApiParameter(
    "If-None-Match",
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description="The `ETag` of an earlier answer: 304 without a body while the representation is unchanged.",
)
ETAG_HEADER = OpenApiParameter(
    "ETag",
    type=str,
    location=OpenApiParameter.HEADER,
    response=[200],
    required=True,
    description="A strong validator of this representation: send it back in `If-None-Match`.",
)
NOT_MODIFIED_DESCRIPTION = "Not modified: the representation has this ETag."


def if_none_match(request, etag: str) -> bool:
    """Whether `If-None-Match` names `etag` (weak comparison, as RFC 9110 asks for it)."""
    header = request.headers.get("If-None-Match", "")
    if not header:
        return False
    sent = parse_etags(header)
    return "*" in sent or any(tag.removeprefix("W/") == etag.removeprefix("W/") for tag in sent)


class VisibleViewSet(ConditionalGetMixin, RejectNulMixin, viewsets.GenericViewSet):
    """A viewset over the rows of `model` the caller may see (core.visibility: the published view for
    partners). It routes nothing by itself, so an app above can add actions on another app's records
    (the positions app's `/actors/<slug>/timeline/`)."""

    model: Any = None
    # Ids beyond 64 bits would reach the database driver as an overflow; they fall through to a 404.
    lookup_value_regex = r"[0-9]{1,18}"
    select: tuple[str, ...] = ()
    prefetch: tuple[Any, ...] = ()

    def partner_view(self) -> bool:
        return is_partner(self.request)

    def visible_queryset(self) -> QuerySet:
        return visible(self.model, partner=self.partner_view())

    def get_queryset(self):
        queryset = self.visible_queryset()
        if self.select:
            queryset = queryset.select_related(*self.select)
        for prefetch in self.get_prefetches():
            queryset = queryset.prefetch_related(prefetch)
        return queryset

    def get_prefetches(self) -> tuple[Any, ...]:
        return self.prefetch


class TrackedReadViewSet(VisibleViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Read-only endpoints over the visible rows of `model`."""

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        data = self.get_serializer(instance).data
        return Response(data, headers={"ETag": representation_etag(data, instance)})

    def etag_of(self, instance: Any) -> str:
        """The ETag a GET of `instance` gives this caller (`instance` read through `get_queryset`)."""
        data = self.serializer_class(instance, context=self.get_serializer_context()).data
        return representation_etag(data, instance)

    def reread(self, instance: Any) -> Any:
        """`instance` as this caller's queryset reads it now (what a GET would show)."""
        return self.get_queryset().filter(pk=instance.pk).first() or instance


class TrackedViewSet(TrackedReadViewSet, mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin):
    """Writes through the services: create_service(user, reason, data, **extra), update_service(...).
    Updates, deletes and workflow actions need If-Match with the ETag of the record as the caller sees it."""

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    write_serializer_class: Any = None
    # What a change may send, where it differs from what a creation may (claims: no nested citations).
    update_serializer_class: Any = None
    service_object_name: str = ""

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if self.action in ("create", "partial_update", "update"):
            # What a read of the record shows: sent back in a write, it is not an unknown field
            # (core.api.serializers.ServiceArgumentsMixin).
            context["shown_fields"] = frozenset(self.serializer_class(context=context).fields)
        return context

    def get_serializer_class(self):
        if self.action in ("partial_update", "update") and self.update_serializer_class:
            return self.update_serializer_class
        if self.action in ("create", "partial_update", "update") and self.write_serializer_class:
            return self.write_serializer_class
        return self.serializer_class

    def create(self, request, *args, **kwargs):
        reason = reason_from(request)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, extra = serializer.service_arguments()
        instance = self.create_service(user=request.user, reason=reason, data=data, **extra)
        return self.respond_with(instance, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        instance = self.get_object()
        # A malformed body is a 400 whatever the If-Match: it would be refused on a fresh ETag too.
        reason = reason_from(request)
        serializer = self.get_serializer(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        expected = self.expected_version(request, instance)
        data, extra = serializer.service_arguments()
        instance = self.update_service(
            **{self.service_object_name: instance},
            user=request.user,
            reason=reason,
            data=data,
            expected_version=expected,
            **extra,
        )
        return self.respond_with(instance, status.HTTP_200_OK)

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        reason = reason_from(request)
        expected = self.expected_version(request, instance)
        self.delete_service(
            **{self.service_object_name: instance}, user=request.user, reason=reason, expected_version=expected
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    def expected_version(self, request, instance: Any) -> int:
        return expected_version_from(request, instance, self.etag_of(instance))

    def respond_with(self, instance, code: int) -> Response:
        # Re-read through the viewset's queryset so the body (and its ETag) match a GET exactly.
        fresh = self.reread(instance)
        data = self.serializer_class(fresh, context=self.get_serializer_context()).data
        return Response(data, status=code, headers={"ETag": representation_etag(data, fresh)})
