"""ETags on the API's reads (not on pages): a strong validator of each response body."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag


class ApiConditionalGetMiddleware:
    """A strong ``ETag`` (the body's SHA-256) on every successful GET or HEAD of an API
    endpoint, and 304 Not Modified when ``If-None-Match`` names it; ``Cache-Control:
    no-store, private`` on everything under the ``api`` namespace.

    Only the ``api`` URL namespace's non-HTML answers: pages (the token pages, the docs
    page) and streaming responses (downloads, exports) pass untouched. The body is still
    computed, with the caller's rights and its access audit, before it is compared: a
    304 saves bandwidth, not the read.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is None or "api" not in match.namespaces:
            return response
        # Kept by no cache on the way, whoever calls: an integration token's call is no
        # signed-in user's, which is what the site-wide header goes by.
        response.setdefault("Cache-Control", "no-store, private")
        if (
            request.method not in ("GET", "HEAD")
            or response.status_code != 200
            or response.streaming
            or response.get("Content-Type", "").startswith("text/html")
        ):
            return response
        if not response.has_header("ETag"):
            response["ETag"] = quote_etag(hashlib.sha256(response.content).hexdigest())
        conditional = get_conditional_response(request, etag=response["ETag"], response=response)
        return conditional if conditional is not None else response
