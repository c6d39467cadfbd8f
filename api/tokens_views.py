"""The token pages: a person's own personal tokens (from their account menu), and the
partners' integration tokens (an admin's, in the configuration area's layout).

A new token's secret is shown once, in the answer to the form that made it: never
stored, never redirected through, never in a URL.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.middleware import is_verified

from accounts.selectors import two_factor_enrolled
from api import selectors, services
from api.forms import IntegrationTokenForm, PersonalTokenForm
from caseload.roles import Role, role_required
from caseload.web import AuthenticatedRequest, apply_service_errors
from configuration.views import config_page

_TOKEN_ROLES = tuple(sorted(services.TOKEN_ROLES))


@require_http_methods(["GET", "POST"])
@role_required(*_TOKEN_ROLES)
def tokens(request: AuthenticatedRequest) -> HttpResponse:
    """One's own personal tokens: list, make one (shown once), revoke."""
    verified = is_verified(request.user)
    form = PersonalTokenForm(request.POST or None)
    new = None
    if request.method == "POST" and form.is_valid():
        try:
            new = services.api_token_create(
                user=request.user, verified=verified, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            form = PersonalTokenForm()
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "new": new,
            "verified": verified,
            "enrolled": two_factor_enrolled(request.user),
            "tokens": selectors.personal_tokens_of(request.user),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@role_required(*_TOKEN_ROLES)
def token_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(selectors.personal_tokens_of(request.user), pk=pk)
    services.api_token_revoke(token=token, revoked_by=request.user)
    messages.success(request, f"The token “{token.name}” no longer works.")
    return redirect("api:tokens")


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def integrations(request: AuthenticatedRequest) -> HttpResponse:
    """Partners' integration tokens: list, make one for a partner and a team, revoke."""
    form = IntegrationTokenForm(request.POST or None)
    new = None
    if request.method == "POST" and form.is_valid():
        try:
            new = services.integration_token_create(created_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            form = IntegrationTokenForm()
    return config_page(
        request,
        "api/integrations.html",
        section="integrations",
        context={"form": form, "new": new, "tokens": selectors.integration_tokens()},
    )


@require_POST
@role_required(Role.ADMIN)
def integration_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(selectors.integration_tokens(), pk=pk)
    services.api_token_revoke(token=token, revoked_by=request.user)
    messages.success(request, f"The integration token of {token.partner} no longer works.")
    return redirect("api:integrations")
