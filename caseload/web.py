"""Shared pieces of the pages that show one form: errors, the form page, submitting.

Most pages of the apps follow one skeleton: validate a form, call one
service, and either put the service's refusal beside the fields or say what
was done and redirect. The helpers here are that skeleton, public so that
every app uses the same one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from caseload.audit import access_record
from caseload.params import parse_id

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
