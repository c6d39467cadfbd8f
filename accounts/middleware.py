"""Session rules: the idle timeout, and no page without the second factor where one is due."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.middleware import is_verified

from accounts.selectors import two_factor_enrolled, two_factor_required
from accounts.services import session_record
from caseload.web import NOT_ACTIVITY_ATTRIBUTE

LAST_ACTIVITY_SESSION_KEY = "caseload_last_activity"
_TRACKED_SESSION_KEY = "caseload_tracked_session"
# Writing the time on every request would save the session every time; a
# minute's precision is plenty for a timeout counted in tens of minutes.
_ACTIVITY_RESOLUTION_SECONDS = 60

IDLE_TIMEOUT_MESSAGE = (
    "You were signed out because your session was idle for {minutes} minutes. "
    "Sign in again to carry on."
)


class IdleTimeoutMiddleware:
    """End a signed-in session that has had no request for the organisation's idle limit
    (``Organisation.idle_minutes``: its setting, else ``CASELOAD_SESSION_IDLE_MINUTES``).

    The absolute limit (``SESSION_COOKIE_AGE``) still applies on top. The next
    request after the idle window finds itself signed out and is sent to the
    sign-in page with a message saying why. Also records which user a session
    belongs to whenever its key changes (sign-in, password change), so that
    deactivating the user can end it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        now = int(time.time())
        refresh = False
        if user.is_authenticated:
            last = request.session.get(LAST_ACTIVITY_SESSION_KEY)
            # Imported here: priorities imports cases, which imports accounts.
            from priorities.models import Organisation

            idle_minutes = Organisation.cached().idle_minutes
            if isinstance(last, int) and now - last > idle_minutes * 60:
                logout(request)
                messages.info(request, IDLE_TIMEOUT_MESSAGE.format(minutes=idle_minutes))
            elif not isinstance(last, int) or now - last >= _ACTIVITY_RESOLUTION_SECONDS:
                refresh = True
        response = self.get_response(request)
        # Written once the view is known (the session is saved after this), so that a
        # page's own background requests (caseload.web.not_activity) keep nothing alive.
        if refresh and request.user.is_authenticated and not _background(request):
            request.session[LAST_ACTIVITY_SESSION_KEY] = now
        self._track(request)
        return response

    @staticmethod
    def _track(request: HttpRequest) -> None:
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is None or session is None or not user.is_authenticated:
            return
        key = session.session_key
        if key and session.get(_TRACKED_SESSION_KEY) != key:
            session_record(user=user, session_key=key)
            session[_TRACKED_SESSION_KEY] = key
            if LAST_ACTIVITY_SESSION_KEY not in session:
                session[LAST_ACTIVITY_SESSION_KEY] = int(time.time())


def _background(request: HttpRequest) -> bool:
    """Whether the request went to a view marked ``caseload.web.not_activity``."""
    match = getattr(request, "resolver_match", None)
    return match is not None and getattr(match.func, NOT_ACTIVITY_ATTRIBUTE, False)


# Pages a signed-in person may open before giving their second factor.
_OPEN_BEFORE_SECOND_FACTOR = {
    "accounts:two_factor_verify",
    "accounts:two_factor_setup",
    "logout",
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}


class TwoFactorMiddleware:
    """Keep a session signed in with a password only away from every page.

    Someone with an authenticator app gives a code first; someone who must
    have one and has none sets it up first. Advisers of an organisation that
    does not require it, and who have not set one up, pass.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or is_verified(user):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in _OPEN_BEFORE_SECOND_FACTOR:
            return None
        if _is_api_endpoint(view_func):
            # An API call is never sent to a page: its session authentication refuses
            # the call itself (403 problem, api.authentication).
            return None
        if two_factor_enrolled(user):
            target = "accounts:two_factor_verify"
        elif two_factor_required(user):
            target = "accounts:two_factor_setup"
        else:
            return None
        next_path = request.get_full_path() if request.method == "GET" else ""
        url = reverse(target)
        if next_path and next_path != "/":
            url += "?" + urlencode({"next": next_path})
        return redirect(url)


def _is_api_endpoint(view_func: Callable[..., Any]) -> bool:
    """Whether the view is a Django REST framework endpoint (answers in JSON, not pages)."""
    from rest_framework.views import APIView

    cls = getattr(view_func, "cls", None)
    return isinstance(cls, type) and issubclass(cls, APIView)
