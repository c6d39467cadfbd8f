"""Errors of the API as RFC 9457 problem details: one JSON shape for every 4xx and 5xx.

Every error body is ``application/problem+json`` with ``type``, ``title``, ``status``
and ``detail``; a validation error adds ``errors``, the messages by field (``"non_field"``
for the rest). A service's ``django.core.exceptions.ValidationError`` is a 400 like a
serializer's, so endpoints call services and let their refusals through.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_TYPE = "application/problem+json"
# Where each kind of problem is explained (the README's API section); "about:blank"
# would do by the RFC, a page of our own says more.
TYPE_BASE = "https://caseload.invalid/problems/"

_TITLES = {
    400: "The request is not valid",
    401: "Sign-in needed",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    412: "Precondition failed",
    413: "Too large",
    415: "Unsupported media type",
    429: "Too many requests",
    500: "Caseload could not answer",
}
_SLUGS = {
    400: "invalid",
    401: "not-authenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    412: "precondition-failed",
    413: "too-large",
    415: "unsupported-media-type",
    429: "throttled",
    500: "server-error",
}


def problem(status_code: int, detail: str, **extra: Any) -> dict[str, Any]:
    """The body of a problem of ``status_code``."""
    return {
        "type": TYPE_BASE + _SLUGS.get(status_code, "error"),
        "title": _TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
        **extra,
    }


def _messages(detail: Any) -> Any:
    """DRF's error detail as plain strings, keeping its shape (lists and dicts)."""
    if isinstance(detail, dict):
        return {
            ("non_field" if key in ("non_field_errors", "__all__") else key): _messages(value)
            for key, value in detail.items()
        }
    if isinstance(detail, list):
        return [_messages(item) for item in detail]
    return str(detail)


def _from_django(exc: Exception) -> Exception:
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return exceptions.ValidationError(
                {
                    field: [m for e in errors for m in e.messages]
                    for field, errors in exc.error_dict.items()
                }
            )
        return exceptions.ValidationError({"non_field": exc.messages})
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied()
    return exc


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's exception handler, answering with problem details (``REST_FRAMEWORK``)."""
    exc = _from_django(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None  # not an API error: Django's 500 handling (caseload.errors) takes it
    if isinstance(exc, exceptions.ValidationError):
        errors = _messages(exc.detail)
        if not isinstance(errors, dict):
            errors = {"non_field": errors}
        body = problem(
            response.status_code, "Some values are not valid: see errors.", errors=errors
        )
    else:
        detail = getattr(exc, "detail", "")
        body = problem(
            response.status_code, str(_messages(detail)) or _TITLES.get(response.status_code, "")
        )
    response.data = body
    response.content_type = PROBLEM_TYPE
    return response


def problem_response(request: HttpRequest, status_code: int, detail: str) -> JsonResponse:
    """A problem answered outside DRF (a URL under /api/ that matched nothing, a 500)."""
    return JsonResponse(problem(status_code, detail), status=status_code, content_type=PROBLEM_TYPE)
