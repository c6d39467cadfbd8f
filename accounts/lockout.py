"""How Caseload counts failed sign-ins with django-axes, and what a lock looks like.

Failures are counted per user name and address together (``AXES_LOCKOUT_PARAMETERS``),
so someone guessing passwords from one address locks that name from that address
only; the person signing in from their own machine is not locked out. An address
as a whole is also stopped once it has failed ``AXES_ADDRESS_FAILURE_LIMIT``
times within the cool-off, whatever names it tried, so one address cannot try
a few passwords on every account.
"""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, HttpResponseBase


class CaseloadAxesHandler(AxesDatabaseHandler):
    """axes' database handler, with a second, higher limit for an address as a whole."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        failures = super().get_failures(request, credentials)
        address = getattr(request, "axes_ip_address", None)
        if address is None:
            return failures
        from_address = (
            AccessAttempt.objects.filter(
                ip_address=address, attempt_time__gte=get_cool_off_threshold(request)
            ).aggregate(total=Sum("failures_since_start"))["total"]
            or 0
        )
        if from_address >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            # Report the address as over the limit whatever name it tries now.
            return max(failures, get_failure_limit(request, credentials))
        return failures


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponseBase:
    """Answer a locked-out sign-in exactly like a wrong password.

    The sign-in page has already been drawn with its usual "correct username and
    password" error (axes refused the attempt before the password was checked),
    so a guesser learns neither that the name exists nor that it is locked.
    """
    if original_response is not None:
        return original_response
    from django.contrib.auth.views import LoginView

    return LoginView.as_view()(request)


def client_address(request: HttpRequest) -> str | None:
    """The address a sign-in came from.

    Behind the TLS proxy (``CASELOAD_BEHIND_PROXY``) the connection comes from
    the proxy, so the address is the last one the proxy appended to
    ``X-Forwarded-For``; anything before it was written by the client and
    could be forged.
    """
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR") or None
