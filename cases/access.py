"""The one access helper for each object type a page opens: the record, or a refusal.

Views fetch clients and cases only through these. Anyone who may not see the
record gets 404, so that a refusal never confirms that it exists; someone who
may see it but not do what the page does gets 403. Who may see what is decided
in ``cases.selectors`` (``visible_cases``, ``Client.objects.visible_to``); this
module only applies it to one id.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from cases import selectors
from cases.models import Case, Client, User


def case_for_user(user: User, pk: int) -> Case:
    """The case with this id if ``user`` may see it; 404 for missing and forbidden alike."""
    case = (
        selectors.visible_cases(user)
        .select_related(
            "client__data_key", "case_type", "assigned_to", "team", "assessment_version"
        )
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404("No such case.")
    return case


def case_for_contributor(user: User, pk: int) -> Case:
    """A case the user may add to (notes, actions, deadlines); 404 if unseen, 403 if view only."""
    case = case_for_user(user, pk)
    if not selectors.case_can_contribute(user, case):
        raise PermissionDenied
    return case


def case_for_manager(user: User, pk: int) -> Case:
    """A case the user may change itself (its adviser or a supervisor of its team)."""
    case = case_for_user(user, pk)
    if not selectors.case_can_manage(user, case):
        raise PermissionDenied
    return case


def case_for_supervisor(user: User, pk: int) -> Case:
    """A case of a team the user supervises (reassign, override); 403 for anyone else who
    may see it."""
    case = case_for_user(user, pk)
    if not selectors.case_is_supervised_by(case, user):
        raise PermissionDenied
    return case


def client_for_user(user: User, pk: int) -> Client:
    """The client with this id if ``user`` may see them; 404 for missing and forbidden alike."""
    client = Client.objects.visible_to(user).select_related("data_key").filter(pk=pk).first()
    if client is None:
        raise Http404("No such client.")
    return client


def client_for_manager(user: User, pk: int) -> Client:
    """A client whose details and consents the user may change; 403 if they may only see."""
    client = client_for_user(user, pk)
    if not selectors.client_can_change(user, client):
        raise PermissionDenied
    return client
