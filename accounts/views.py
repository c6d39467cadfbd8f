"""The second-factor pages and the page that clears a sign-in lock."""

from __future__ import annotations

from base64 import b64encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.middleware import is_verified
from django_otp.plugins.otp_static.models import StaticToken

from accounts import services
from accounts.forms import CodeForm, EnrolForm, UnlockForm
from accounts.selectors import two_factor_enrolled, two_factor_required
from caseload.roles import Role, role_required, roles_of
from caseload.web import AuthenticatedRequest, safe_next_url

_PENDING_KEY_SESSION_KEY = "caseload_pending_totp_key"


def _next_url(request: HttpRequest) -> str:
    return safe_next_url(request) or resolve_url(settings.LOGIN_REDIRECT_URL)


def _verified(request: HttpRequest, device: object) -> None:
    """Mark the session as having passed the second factor, under a new session key."""
    request.session.cycle_key()
    otp_login(request, device)


@require_http_methods(["GET", "POST"])
def two_factor_verify(request: AuthenticatedRequest) -> HttpResponse:
    if is_verified(request.user) or not two_factor_enrolled(request.user):
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.two_factor_check(user=request.user, code=form.cleaned_data["code"])
        if device is not None:
            _verified(request, device)
            return redirect(_next_url(request))
        form.add_error(
            "code",
            "That code did not work. Type the code your app shows now; after several wrong "
            "codes you wait a little longer before each try.",
        )
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
    )


def _qr_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10)
    return "data:image/svg+xml;base64," + b64encode(image.to_string()).decode("ascii")


@require_http_methods(["GET", "POST"])
def two_factor_setup(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    # Replacing an app needs the current one: a password alone never sets one up
    # over another.
    if two_factor_enrolled(user) and not is_verified(user):
        return redirect("accounts:two_factor_verify")
    key = request.session.get(_PENDING_KEY_SESSION_KEY)
    if not isinstance(key, str) or len(key) != 40:
        key = services.totp_key_new()
        request.session[_PENDING_KEY_SESSION_KEY] = key
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        enrolled = services.two_factor_enrol(
            user=user, key=key, code=form.cleaned_data["code"], request=request
        )
        if enrolled is not None:
            device, codes = enrolled
            del request.session[_PENDING_KEY_SESSION_KEY]
            _verified(request, device)
            return render(
                request,
                "registration/recovery_codes.html",
                {"codes": codes, "next": _next_url(request), "first_time": True},
            )
        form.add_error(
            "code", "That code did not match. Check the app shows Caseload and try its new code."
        )
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr_code": _qr_data_uri(services.totp_config_url(user=user, key=key)),
            "secret": services.totp_key_base32(key),
            "required": two_factor_required(user),
            "replacing": two_factor_enrolled(user),
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
    )


def two_factor_manage(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "registration/two_factor.html",
        {
            "enrolled": two_factor_enrolled(user),
            "required": two_factor_required(user),
            "codes_left": StaticToken.objects.filter(device__user=user).count(),
            "can_unlock": bool({Role.SUPERVISOR, Role.ADMIN} & roles_of(user)),
        },
    )


@require_POST
def recovery_codes_regenerate(request: AuthenticatedRequest) -> HttpResponse:
    if not two_factor_enrolled(request.user):
        return redirect("accounts:two_factor_setup")
    codes = services.recovery_codes_issue(user=request.user, request=request)
    return render(
        request,
        "registration/recovery_codes.html",
        {"codes": codes, "next": resolve_url("accounts:two_factor"), "first_time": False},
    )


@role_required(Role.SUPERVISOR, Role.ADMIN)
@require_http_methods(["GET", "POST"])
def sign_in_unlock(request: AuthenticatedRequest) -> HttpResponse:
    form = UnlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        if request.POST.get("action") == "reset_two_factor":
            services.two_factor_reset(
                user=get_user_model().objects.get(username=username),
                reset_by=request.user,
                request=request,
            )
            messages.success(
                request,
                f"Two-step sign-in for {username} is reset: they set up a new app when they "
                "next sign in.",
            )
        else:
            services.sign_in_attempts_clear(
                username=username, cleared_by=request.user, request=request
            )
            messages.success(request, f"Failed sign-ins for {username} are cleared.")
        return redirect("accounts:unlock")
    return render(request, "registration/unlock.html", {"form": form})
