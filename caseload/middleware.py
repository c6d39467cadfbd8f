from collections.abc import Callable

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse

from caseload.audit import access_buffered
from caseload.keycheck import key_check_status


class AccessAuditMiddleware:
    """Write the request's access entries (caseload.audit) in one INSERT before the
    response leaves.

    If the write fails the exception propagates and Django answers 500 instead of the
    page: a page is never shown without its audit. Placed outside the view's
    transaction and every middleware that may read client data.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with access_buffered():
            return self.get_response(request)


class PrivacyHeadersMiddleware:
    """Headers that keep client data off shared machines and away from browser features.

    Pages shown to a signed-in user may hold personal data, so browsers and
    proxies must not store them; the Permissions-Policy turns off device
    features Caseload never uses.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault(
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        )
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/static/"):
            response.setdefault("Cache-Control", "no-store, private")
        return response


class HealthCheckMiddleware:
    """Answer ``/healthz`` before host checks and HTTPS redirects.

    Load balancers and container health checks call it over plain HTTP with
    whatever Host header they like. It says whether the database answers and
    how this process's master key check went (caseload.keycheck): the newest
    key's id when it passed, the id of the key at fault when it failed; ids only.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info != "/healthz":
            return self.get_response(request)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError:
            response = JsonResponse({"status": "database unavailable"}, status=503)
        else:
            keys = key_check_status()
            body = {
                "status": "ok" if keys.ok else f"master keys {keys.status}",
                "master_keys": {"status": keys.status, "key_id": keys.key_id},
            }
            response = JsonResponse(body, status=200 if keys.ok else 503)
        response["Cache-Control"] = "no-store"
        return response
