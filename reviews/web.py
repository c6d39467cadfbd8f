"""The web side of carrying out a review decision, for the pages that make the change."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.forms import BaseForm
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from caseload.web import AuthenticatedRequest, carried_id, form_submitted
from cases.models import Case
from reviews.services import review_decision_link

T = TypeVar("T")


def change_submitted(
    request: AuthenticatedRequest,
    form: BaseForm,
    service: Callable[[], T],
    *,
    case: Case,
    success: str | Callable[[T], str],
    redirect_to: str | Callable[[T], str] | None = None,
) -> HttpResponse | None:
    """``form_submitted`` for a change to a case that may carry out a review decision.

    A page opened from a review carries the decision's id (``?decision=``, then a
    hidden field); once the change is made, the decision is linked to it, so the
    review knows it was carried out. Redirects to the case's page unless told.
    """
    decision_id = carried_id(request, "decision")
    started = timezone.now()

    def change() -> T:
        result = service()
        if decision_id is not None:
            review_decision_link(
                decision_id=decision_id, case=case, linked_by=request.user, since=started
            )
        return result

    return form_submitted(
        request,
        form,
        change,
        success=success,
        redirect_to=redirect_to or reverse("cases:case_detail", args=[case.pk]),
    )
