from collections.abc import Callable

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse


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
    whatever Host header they like; it says only whether the database answers.
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
            return JsonResponse({"status": "database unavailable"}, status=503)
        response = JsonResponse({"status": "ok"})
        response["Cache-Control"] = "no-store"
        return response
