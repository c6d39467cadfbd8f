"""Shared pieces of the pages that show one form: errors, the form page, submitting.

Most pages of the apps follow one skeleton: validate a form, call one
service, and either put the service's refusal beside the fields or say what
was done and redirect. The helpers here are that skeleton, public so that
every app uses the same one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from caseload.audit import access_record
from caseload.models import FormSubmission
from caseload.params import parse_id
from caseload.services import (
    form_submission_claim,
    form_submission_done,
    form_submission_release,
)

if TYPE_CHECKING:
    from cases.models import User

T = TypeVar("T")


class AuthenticatedRequest(HttpRequest):
    """The request of a page behind sign-in, for annotating views.

    LoginRequiredMiddleware turns away anyone not signed in before such a view
    runs, so there ``request.user`` is a real user, never ``AnonymousUser``.
    Django still builds plain ``HttpRequest`` objects: this class only tells the
    type checker so (the pattern django-stubs' documentation recommends). Views
    marked ``@login_not_required`` take ``HttpRequest``.
    """

    user: User


def signed_in_user(request: HttpRequest) -> User:
    """Who is signed in, for code behind sign-in that is handed a plain ``HttpRequest``
    (the admin site's hooks, which let in only signed-in staff): refused, not a crash,
    should an anonymous request ever get there."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    return request.user


def carried_id(request: HttpRequest, name: str) -> int | None:
    """An id carried through a form page: in the query string when the page is first shown,
    then in a hidden field of the same name when the form is submitted."""
    params = request.POST if request.method == "POST" else request.GET
    return parse_id(params.get(name))


def safe_next_url(request: HttpRequest) -> str | None:
    """Where a form page opened from another is to send the user back (``next``, in the
    query string and then a hidden field): only an address on this site, else None."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def apply_service_errors(
    form: BaseForm, error: ValidationError, renamed: dict[str, str] | None = None
) -> None:
    """Put a service's validation errors beside the fields they name (``renamed`` maps a
    service's field name to the form's, where they differ); the rest go at the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            name = (renamed or {}).get(field, field)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def form_submitted(
    request: HttpRequest,
    form: BaseForm,
    service: Callable[[], T],
    *,
    success: str | Callable[[T], str],
    redirect_to: str | Callable[[T], str],
    renamed: dict[str, str] | None = None,
) -> HttpResponse | None:
    """Run ``service`` if the form was posted and is valid.

    Returns the redirect to show once it succeeded (after a success message),
    or None when the page is to be shown (again): first view, invalid form, or
    the service refused, in which case its errors are now on the form.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = service()
    except ValidationError as error:
        apply_service_errors(form, error, renamed)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return redirect(redirect_to(result) if callable(redirect_to) else redirect_to)


def form_page(
    request: HttpRequest,
    form: BaseForm,
    *,
    title: str,
    submit: str,
    back_url: str | None = None,
    case: Any = None,
    shown: Sequence[models.Model] = (),
    via: str = "",
    intro: str = "",
    status: int | None = None,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """A page with one form, first shown or re-rendered with its errors.

    With a ``case`` the page heads itself with the case's reference and its
    client's name; that, and every record in ``shown`` (the note being
    corrected, the outcome whose progress is recorded, the consents offered),
    is client data read, so it goes into the audit trail here, GET or POST.
    The status is 400 when the form has errors, unless given; Cancel goes back
    to ``back_url``, or to the case's page.
    """
    if back_url is None:
        back_url = reverse("cases:case_detail", args=[case.pk]) if case is not None else "/"
    objects = [*((case, case.client) if case is not None else ()), *shown]
    if objects:
        match = request.resolver_match
        # Pages that show client data are behind sign-in (LoginRequiredMiddleware).
        user = request.user if request.user.is_authenticated else None
        access_record(
            request=request,
            actor=user,
            objects=objects,
            via=via or (match.url_name if match and match.url_name else "form page"),
        )
    if status is None:
        status = 400 if form.errors else 200
    return render(
        request,
        "cases/form_page.html",
        {
            "form": form,
            "title": title,
            "submit": submit,
            "back_url": back_url,
            "case": case,
            "intro": intro,
            **(extra or {}),
        },
        status=status,
    )


# --- a form posted twice does its work once ---------------------------------------------

# The name of the hidden field that carries a form's token ({% form_token %} renders it).
# The attribute that marks a view as background work (see ``not_activity``).
NOT_ACTIVITY_ATTRIBUTE = "caseload_not_activity"


def not_activity(view: View) -> View:
    """Mark a view that a page calls by itself (an autosave), not one a person asks for.

    Such a request never keeps a session alive: the idle timeout
    (``accounts.middleware.IdleTimeoutMiddleware``) does not count it as
    activity, though it still ends an idle session and the request is then
    refused like any other. Otherwise a page left open would never time out.
    """
    setattr(view, NOT_ACTIVITY_ATTRIBUTE, True)
    return view


FORM_TOKEN = "form_token"  # noqa: S105 - a field name, not a secret

View = Callable[..., HttpResponse]


def posted_form_token(request: HttpRequest) -> uuid.UUID | None:
    """The token the posted form carried, if it is one."""
    try:
        return uuid.UUID(request.POST.get(FORM_TOKEN, ""))
    except ValueError:
        return None


def form_token_for(request: HttpRequest) -> uuid.UUID:
    """The token for a form being shown: the one it was posted with when it comes back with
    errors (sending it again is still the same attempt), a new one otherwise."""
    if request.method == "POST":
        token = posted_form_token(request)
        if token is not None:
            return token
    return uuid.uuid4()


def submit_once(view: View) -> View:
    """For a view whose POST creates something or tells people: the same form posted again
    (a retry after an error, a double click, a resend) does nothing the second time and
    answers with the first post's redirect.

    The POST runs in one transaction with the claim of the form's token
    (``caseload.services.form_submission_claim``), so the work and the claim
    commit together. A redirect is recorded as the answer; any other response
    (the form back with its errors) gives the token back, so correcting the
    form and sending it again works. A post without a token is handled as
    before, without the guarantee: every form of such a view renders one.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = posted_form_token(request) if request.method == "POST" else None
        user_id = request.user.pk if request.user.is_authenticated else None
        if token is None or user_id is None:
            return view(request, *args, **kwargs)
        with transaction.atomic():
            submission = form_submission_claim(token=token, user_id=user_id)
            if submission is None:
                return _answered_before(request, token, user_id=user_id)
            response = view(request, *args, **kwargs)
            if response.status_code in (301, 302, 303) and response.has_header("Location"):
                form_submission_done(submission=submission, redirect_to=response["Location"])
            else:
                form_submission_release(submission=submission)
        return response

    return wrapped


def _answered_before(request: HttpRequest, token: uuid.UUID, *, user_id: int) -> HttpResponse:
    earlier = FormSubmission.objects.filter(token=token, user_id=user_id).first()
    if earlier is None or not earlier.redirect_to:
        # Someone else's token: nothing of theirs is shown, and nothing is done.
        messages.error(request, "This form could not be sent. Open it again and resend it.")
        return redirect("home")
    messages.info(request, "That form had already been sent, so nothing was done again.")
    return redirect(earlier.redirect_to)
