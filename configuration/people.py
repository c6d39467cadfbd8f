"""People and teams: who works here, their roles, teams, hours and capacity.

Admins invite people (who set their own password from an emailed link), edit
their details, deactivate and reactivate them, and name teams. Roles that
reach client data and team places are given on the access page by a service
manager (``cases.people.access_grant``); these pages show them and link there.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.selectors import two_factor_set_up_condition
from caseload.roles import CLIENT_DATA_ROLES, Role, role_required, roles_of
from caseload.web import AuthenticatedRequest, apply_service_errors, signed_in_user
from cases import people
from cases.models import AdviserProfile, Case, Team, User
from configuration.concurrency import STALE_MESSAGE, StaleEdit, edit_token, require_unchanged
from configuration.forms import PersonDeactivateForm, PersonDetailsForm, PersonInviteForm, TeamForm
from configuration.views import config_page

PER_PAGE = 50
PERSON_FIELDS = ["first_name", "last_name", "email"]
PROFILE_FIELDS = ["fte", "capacity_points"]
TEAM_FIELDS = ["name"]

STATUSES = [("active", "Active"), ("inactive", "Deactivated"), ("all", "Everyone")]


def _people(status: str, role: str, team: str) -> QuerySet[User]:
    people_shown = (
        User.objects.annotate(two_factor=two_factor_set_up_condition())
        .select_related("adviser_profile")
        .prefetch_related(
            "groups",
            Prefetch("teams", queryset=Team.objects.order_by("name")),
            Prefetch("supervised_teams", queryset=Team.objects.order_by("name")),
        )
        .order_by("last_name", "first_name", "username")
    )
    if status == "active":
        people_shown = people_shown.filter(is_active=True)
    elif status == "inactive":
        people_shown = people_shown.filter(is_active=False)
    if role in Role.values:
        people_shown = people_shown.filter(groups__name=role)
    if team.isdigit():
        people_shown = people_shown.filter(teams=int(team)) | people_shown.filter(
            supervised_teams=int(team)
        )
    return people_shown.distinct()


@require_GET
@role_required(Role.ADMIN)
def people_list(request: AuthenticatedRequest) -> HttpResponse:
    status = request.GET.get("status", "active")
    status = status if status in dict(STATUSES) else "active"
    role = request.GET.get("role", "")
    team = request.GET.get("team", "")
    page = Paginator(_people(status, role, team), PER_PAGE).get_page(request.GET.get("page"))
    for person in page:
        # From the prefetched groups: roles_of would ask the database once per person.
        held = {group.name for group in person.groups.all()}
        person.role_labels = [role.label for role in Role if role.value in held]  # type: ignore[attr-defined]
    return config_page(
        request,
        "configuration/people.html",
        section="people",
        context={
            "page": page,
            "statuses": STATUSES,
            "status": status,
            "roles": Role.choices,
            "role": role,
            "teams": Team.objects.order_by("name"),
            "team": team,
            "query": urlencode({"status": status, "role": role, "team": team}),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def person_invite(request: AuthenticatedRequest) -> HttpResponse:
    form = PersonInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = people.user_invite(user=form.save(commit=False))
        messages.success(
            request,
            f"{person.display_name} has been invited: an email with a link to set their "
            "password is on its way. A service manager gives them roles and team places.",
        )
        return redirect("configuration:person", pk=person.pk)
    return config_page(
        request,
        "configuration/form_page.html",
        section="people",
        context={
            "form": form,
            "title": "Invite someone",
            "intro": "They get an email with a link to set their own password. Nobody else "
            "ever types it.",
            "submit": "Send the invitation",
            "back_url": reverse("configuration:people"),
            "parent_url": reverse("configuration:people"),
            "parent_title": "People",
        },
    )


def _is_adviser(person: User) -> bool:
    return Role.ADVISER in roles_of(person) or hasattr(person, "adviser_profile")


def _details_initial(person: User) -> dict[str, Any]:
    profile = AdviserProfile.objects.filter(user=person).first()
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "fte": profile.fte if profile else "1.00",
        "capacity_points": profile.capacity_points if profile else 40,
        "edit_token": details_token(person),
    }


def details_token(person: User) -> str:
    """The edit token of a person's details: their account fields and adviser profile."""
    profile = AdviserProfile.objects.filter(user=person).first()
    return edit_token([person], PERSON_FIELDS) + (
        edit_token([profile], PROFILE_FIELDS) if profile else ""
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def person_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    adviser = _is_adviser(person)
    email_locked = not people.email_change_allowed(user=person, changed_by=signed_in_user(request))
    typed: list[tuple[str, Any]] = []
    stale = ""
    if request.method == "POST":
        form = PersonDetailsForm(
            request.POST,
            initial=_details_initial(person),
            person=person,
            adviser=adviser,
            email_locked=email_locked,
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    locked = User.objects.select_for_update().get(pk=person.pk)
                    AdviserProfile.objects.select_for_update().filter(user=locked).first()
                    if data["edit_token"] != details_token(locked):
                        raise StaleEdit(STALE_MESSAGE)
                    people.person_details_save(
                        user=locked,
                        changed_by=signed_in_user(request),
                        first_name=data["first_name"],
                        last_name=data["last_name"],
                        email=data["email"],
                        fte=data.get("fte"),
                        capacity_points=data.get("capacity_points"),
                    )
            except StaleEdit as error:
                typed = [
                    (str(form.fields[n].label or n), v)
                    for n, v in data.items()
                    if n != "edit_token"
                ]
                person.refresh_from_db()
                form = PersonDetailsForm(
                    initial=_details_initial(person),
                    person=person,
                    adviser=adviser,
                    email_locked=email_locked,
                )
                stale = str(error)
            except ValidationError as invalid:
                apply_service_errors(form, invalid)
            else:
                messages.success(request, f"{data['first_name']} {data['last_name']}: saved.")
                return redirect("configuration:person", pk=person.pk)
    else:
        form = PersonDetailsForm(
            initial=_details_initial(person),
            person=person,
            adviser=adviser,
            email_locked=email_locked,
        )
    return config_page(
        request,
        "configuration/person.html",
        section="people",
        context={
            "person": person,
            "form": form,
            "typed": typed,
            "stale": stale,
            "roles": sorted(r.label for r in roles_of(person)),
            "reaches_client_data": bool(roles_of(person) & CLIENT_DATA_ROLES),
            "member_of": person.teams.order_by("name"),
            "supervises": person.supervised_teams.order_by("name"),
            "open_cases": Case.objects.open().filter(assigned_to=person).count(),
            "two_factor": User.objects.filter(pk=person.pk)
            .annotate(two_factor=two_factor_set_up_condition())
            .values_list("two_factor", flat=True)[0],
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def person_deactivate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk, is_active=True)
    form = PersonDeactivateForm(request.POST or None)
    open_cases = Case.objects.open().filter(assigned_to=person).count()
    if request.method == "POST" and form.is_valid():
        try:
            handed_back = people.person_deactivate(
                user=person,
                deactivated_by=signed_in_user(request),
                handover_note=form.cleaned_data["handover_note"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            moved = len(handed_back)
            messages.success(
                request,
                f"{person.display_name} is deactivated and signed out everywhere."
                + (
                    f" {moved} open case{'s' if moved != 1 else ''} went back to the team "
                    "queue, and the supervisors were told."
                    if moved
                    else ""
                ),
            )
            return redirect("configuration:person", pk=person.pk)
    return config_page(
        request,
        "configuration/form_page.html",
        section="people",
        context={
            "form": form,
            "title": f"Deactivate {person.display_name}",
            "intro": (
                f"They will be signed out at once and cannot sign in again. "
                f"Their {open_cases} open case{'s' if open_cases != 1 else ''} go back to "
                "their teams' unallocated queues with your handover note, and the "
                "supervisors are told. Their records and notes stay."
                if open_cases
                else "They will be signed out at once and cannot sign in again. They have "
                "no open cases. Their records and notes stay."
            ),
            "submit": "Deactivate",
            "danger": True,
            "back_url": reverse("configuration:person", args=[person.pk]),
            "parent_url": reverse("configuration:person", args=[person.pk]),
            "parent_title": person.display_name,
        },
    )


@require_POST
@role_required(Role.ADMIN)
def person_reactivate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    try:
        people.person_reactivate(user=person, reactivated_by=signed_in_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{person.display_name} can sign in again.")
    return redirect("configuration:person", pk=person.pk)


@require_POST
@role_required(Role.ADMIN)
def person_password_link(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    if people.password_reset_send(user=person):
        messages.success(request, f"A link to set a new password is on its way to {person.email}.")
    else:
        messages.error(request, "No link was sent: they have no email address or are deactivated.")
    return redirect("configuration:person", pk=person.pk)


# --- teams ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def teams(request: AuthenticatedRequest) -> HttpResponse:
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = people.team_save(
                team=Team(), name=form.cleaned_data["name"], changed_by=signed_in_user(request)
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Team {team.name} added. A service manager gives it supervisors and advisers.",
            )
            return redirect("configuration:teams")
    shown = Team.objects.order_by("name").prefetch_related(
        Prefetch("supervisors", queryset=User.objects.order_by("last_name", "first_name")),
        Prefetch("members", queryset=User.objects.order_by("last_name", "first_name")),
    )
    return config_page(
        request,
        "configuration/teams.html",
        section="people",
        context={"teams": shown, "form": form},
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def team_rename(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    team = get_object_or_404(Team, pk=pk)
    typed: list[tuple[str, Any]] = []
    stale = ""
    form = TeamForm(request.POST or None, instance=team, initial={"edit_token": _team_token(team)})
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["name"]
        try:
            with transaction.atomic():
                locked = Team.objects.select_for_update().get(pk=team.pk)
                require_unchanged(form.cleaned_data["edit_token"], [locked], TEAM_FIELDS)
                people.team_save(team=locked, name=name, changed_by=signed_in_user(request))
        except StaleEdit as error:
            typed = [("Team name", name)]
            team.refresh_from_db()
            form = TeamForm(instance=team, initial={"edit_token": _team_token(team)})
            stale = str(error)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"The team is now called {name}.")
            return redirect("configuration:teams")
    return config_page(
        request,
        "configuration/form_page.html",
        section="people",
        context={
            "form": form,
            "typed": typed,
            "stale": stale,
            "title": f"Rename {team.name}",
            "submit": "Save",
            "back_url": reverse("configuration:teams"),
            "parent_url": reverse("configuration:teams"),
            "parent_title": "Teams",
        },
    )


def _team_token(team: Team) -> str:
    return edit_token([team], TEAM_FIELDS)
