"""Services for staff accounts and their access: invitations, password reset emails, and
every grant or revocation of a role or a team place.

Part of the cases app's services, kept in a module of its own because it is a
sub-domain of its own (people, not clients). Who may reach client data changes
only here: ``access_grant`` and ``access_revoke`` check who is asking, record the
change with its reason in the append-only ``AccessChange`` table (and so in the
audit trail), and tell the person and their supervisors.
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from caseload.audit import audit_actor
from caseload.links import absolute_reverse
from caseload.roles import CLIENT_DATA_ROLES, SUPERUSER_GRANTED_ROLES, Role, roles_of
from cases import selectors
from cases.models import AccessChange, Team, User
from notifications.models import Kind as NotificationKind
from notifications.models import OutboxEmail
from notifications.services import PASSWORD_LINK, notify, outbox_email_queue

logger = logging.getLogger(__name__)

# A reason must say something: at least this many letters or digits, in three words or more.
ACCESS_REASON_MIN_CHARACTERS = 20
ACCESS_REASON_MIN_WORDS = 3


def access_reason_clean(reason: str) -> str:
    """The reason with its spaces tidied; a ValidationError if it is too thin to mean anything."""
    text = " ".join(reason.split())
    characters = sum(ch.isalnum() for ch in text)
    words = [w for w in re.split(r"\W+", text) if w]
    if characters < ACCESS_REASON_MIN_CHARACTERS or len(words) < ACCESS_REASON_MIN_WORDS:
        raise ValidationError(
            {
                "reason": f"Say why, in at least {ACCESS_REASON_MIN_WORDS} words and "
                f"{ACCESS_REASON_MIN_CHARACTERS} letters: the reason is kept with the change."
            }
        )
    return text


def access_may_change(*, changed_by: User, user: User, role: Role | None = None) -> str | None:
    """Why ``changed_by`` may not change ``user``'s access (to ``role``, if given), or None.

    Adviser and Supervisor roles and team places are changed by an active Service
    manager, never for themselves; Service manager, Admin and Data protection by a
    superuser only. A superuser may do either (in the configuration pages).
    """
    if not changed_by.is_active:
        return "Your account is not active."
    if changed_by.is_superuser:
        return None
    if role is not None and role in SUPERUSER_GRANTED_ROLES:
        return f"Only a superuser can change who holds the {role.label} role."
    if Role.SERVICE_MANAGER not in roles_of(changed_by):
        return "Only a service manager can change who holds a role or a team place."
    if changed_by.pk == user.pk:
        return "You cannot change your own access: ask another service manager."
    return None


def _team_places(team: Team, place: str) -> Any:
    """The team's list of supervisors or of members, as the place asks."""
    return team.supervisors if place == AccessChange.Place.SUPERVISOR else team.members


def _describe(action: str, user: User, *, role: Role | None, team: Team | None, place: str) -> str:
    """The change in words: staff and team names only, never client data."""
    name = user.display_name
    granted = action == AccessChange.Action.GRANT
    if role is not None:
        if granted:
            return f"{name} was given the {role.label} role"
        return f"{name} no longer holds the {role.label} role"
    what = "a supervisor place in" if place == AccessChange.Place.SUPERVISOR else "membership of"
    team_name = team.name if team is not None else ""
    if granted:
        return f"{name} was given {what} {team_name}"
    return f"{name} no longer has {what} {team_name}"


@transaction.atomic
def _access_change(
    *,
    action: str,
    user: User,
    changed_by: User,
    reason: str,
    role: Role | None,
    team: Team | None,
    place: str,
    now: datetime | None,
) -> AccessChange:
    now = now or timezone.now()
    if (role is None) == (team is None):
        raise ValueError("Change either a role or a team place.")
    if team is not None and place not in AccessChange.Place.values:
        raise ValueError("A team place is a membership or a supervisor place.")
    if role is not None:
        role = Role(role)
        place = ""
    refusal = access_may_change(changed_by=changed_by, user=user, role=role)
    if refusal:
        raise ValidationError(refusal)
    reason = access_reason_clean(reason)
    granting = action == AccessChange.Action.GRANT
    if granting and not user.is_active:
        raise ValidationError(f"{user.display_name}'s account is not active.")
    if role is not None:
        holder = user.groups
        target: Any = Group.objects.get(name=role.value)
        holds = user.groups.filter(pk=target.pk).exists()
    else:
        # Checked above: a change names either a role or a team.
        holder = _team_places(cast(Team, team), place)
        target = user
        holds = holder.filter(pk=user.pk).exists()
    if holds == granting:
        raise ValidationError(
            f"{user.display_name} already has that."
            if granting
            else f"{user.display_name} does not have that."
        )
    # Supervisors to tell: of the teams the person is in before the change and after it.
    team_ids = set(user.teams.values_list("pk", flat=True))
    with audit_actor(changed_by):
        (holder.add if granting else holder.remove)(target)
        user.__dict__.pop("_caseload_roles", None)
        if team is not None:
            team_ids.add(team.pk)
        change = AccessChange(
            person=user,
            changed_by=changed_by,
            action=action,
            role=role.value if role is not None else "",
            team=team,
            place=place,
            reason=reason,
            at=now,
        )
        change.save()
    _access_notify(
        change,
        description=_describe(action, user, role=role, team=team, place=place),
        team_ids=team_ids,
        now=now,
    )
    return change


def access_grant(
    *,
    user: User,
    granted_by: User,
    reason: str,
    role: Role | None = None,
    team: Team | None = None,
    place: str = AccessChange.Place.MEMBER,
    now: datetime | None = None,
) -> AccessChange:
    """Give ``user`` a role, or a place in a team (``place``: member or supervisor).

    Recorded with who and why, and the person and their supervisors are told.
    """
    return _access_change(
        action=AccessChange.Action.GRANT,
        user=user,
        changed_by=granted_by,
        reason=reason,
        role=role,
        team=team,
        place=place,
        now=now,
    )


def access_revoke(
    *,
    user: User,
    revoked_by: User,
    reason: str,
    role: Role | None = None,
    team: Team | None = None,
    place: str = AccessChange.Place.MEMBER,
    now: datetime | None = None,
) -> AccessChange:
    """Take a role or a team place away from ``user``; recorded and told like a grant."""
    return _access_change(
        action=AccessChange.Action.REVOKE,
        user=user,
        changed_by=revoked_by,
        reason=reason,
        role=role,
        team=team,
        place=place,
        now=now,
    )


def _access_notify(
    change: AccessChange, *, description: str, team_ids: set[int], now: datetime
) -> None:
    """Tell the person and the supervisors of their teams, in the app and by email.

    The message names staff and teams only; the reason stays on the access page.
    The emails are queued in the outbox in the change's transaction: they exist if
    and only if the change is committed, and are retried until they are sent.
    """
    recipients = {change.person_id: change.person}
    for team_id in team_ids:
        for supervisor in selectors.team_supervisors(team_id):
            recipients.setdefault(supervisor.pk, supervisor)
    by = change.changed_by.display_name
    message = f"Access changed: {description} (by {by})."
    notify(
        recipients=recipients.values(),
        kind=NotificationKind.ACCESS,
        message=message,
        now=now,
        emailed=True,
    )
    link = absolute_reverse("notifications:list")
    outbox_email_queue(
        recipients=recipients.values(),
        kind=OutboxEmail.Kind.ACCESS_CHANGE,
        key=f"access-change.{change.pk}",
        object_id=change.pk,
        subject="Caseload: a change of access",
        body=f"{message}\n\nIf you did not expect this, tell your supervisor.\n\n{link}\n",
        now=now,
    )


# --- accounts -------------------------------------------------------------------


def password_reset_link(user: User) -> str:
    """A one-use link with which ``user`` sets their own password (Django's reset flow)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return absolute_reverse("password_reset_confirm", uidb64=uid, token=token)


def password_reset_send(*, user: User, invite: bool = False) -> bool:
    """Queue an email to ``user`` with a link to set their own password.

    Nobody types a password for someone else: an admin invites a new person, or
    sends an existing one a reset link. The link is a credential: it is never
    stored, but made when the outbox sends the email (in place of
    ``PASSWORD_LINK``), so it is fresh at every attempt. False if the person has
    no email address or is not active.
    """
    if not user.email or not user.is_active:
        return False
    if invite:
        kind = OutboxEmail.Kind.PASSWORD_INVITE
        subject = "Your Caseload account"
        opening = f"A Caseload account has been made for you, with the user name {user.username}."
    else:
        kind = OutboxEmail.Kind.PASSWORD_RESET
        subject = "Reset your Caseload password"
        opening = f"An administrator sent you a link to set a new password for {user.username}."
    body = (
        f"{opening}\n\nTo set your password, open this link (it works once):\n\n"
        f"{PASSWORD_LINK}\n\n"
        "If you did not expect this email, tell your supervisor or administrator.\n"
    )
    outbox_email_queue(
        recipients=[user],
        kind=kind,
        # Each request is an email of its own.
        key=f"password.{uuid.uuid4().hex}",
        subject=subject,
        body=body,
    )
    return True


def user_invite(*, user: User) -> User:
    """Save a new account with no usable password and email the person a link to set one."""
    user.set_unusable_password()
    user.save()
    password_reset_send(user=user, invite=True)
    return user


def service_account_create(*, username: str, name: str) -> User:
    """An account that never signs in (inactive, no password, no role, no team), for
    recording who made what a system sent: the referrals of one integration token
    (``api.services.api_token_create``). It reaches nothing: inactive users are refused
    everywhere, and it holds no role."""
    user = User(username=username, first_name=name[:150], last_name="(integration)")
    user.is_active = False
    user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def person_deactivate(
    *, user: User, deactivated_by: User, handover_note: str, now: datetime | None = None
) -> list[int]:
    """Deactivate a person: every session they hold ends at once, and each of their open
    cases goes back to its team's unallocated queue with the handover note; the
    supervisors of those teams are told. Returns the ids of the cases handed back."""
    from accounts.services import user_deactivate
    from cases.models import Case
    from cases.services import case_return_to_queue

    now = now or timezone.now()
    if user.pk == deactivated_by.pk:
        raise ValidationError("You cannot deactivate your own account; ask another admin.")
    if user.is_superuser and not deactivated_by.is_superuser:
        raise ValidationError("Only a superuser can deactivate a superuser.")
    cases = list(Case.objects.open().filter(assigned_to=user).select_related("team", "assigned_to"))
    if cases and not handover_note.strip():
        raise ValidationError(
            {"handover_note": "Write a handover note: it goes with each of their open cases."}
        )
    with audit_actor(deactivated_by):
        for case in cases:
            case_return_to_queue(
                case=case,
                returned_by=deactivated_by,
                handover_note=handover_note,
                reason=f"{user.display_name}'s account was deactivated",
                now=now,
            )
        user_deactivate(user=user, deactivated_by=deactivated_by, now=now)
    per_team: dict[int, int] = {}
    for case in cases:
        if case.team_id is not None:
            per_team[case.team_id] = per_team.get(case.team_id, 0) + 1
    for team_id, count in per_team.items():
        team = Team.objects.get(pk=team_id)
        notify(
            recipients=selectors.team_supervisors(team_id),
            kind=NotificationKind.OTHER,
            message=(
                f"{user.display_name} was deactivated: {count} open "
                f"case{'s' if count != 1 else ''} returned to the {team.name} queue to allocate."
            ),
            subject=f"handback:{user.pk}",
            now=now,
        )
    return [case.pk for case in cases]


@transaction.atomic
def person_reactivate(*, user: User, reactivated_by: User) -> User:
    """Let a deactivated person sign in again. Someone still holding a role that reaches
    client data or one only a superuser gives is reactivated by a superuser only, so that
    no role comes back without a recorded grant."""
    if user.is_active:
        return user
    if not reactivated_by.is_superuser and roles_of(user) & (
        CLIENT_DATA_ROLES | SUPERUSER_GRANTED_ROLES
    ):
        raise ValidationError(
            "This person still holds roles; ask a service manager to remove them first, "
            "or a superuser to reactivate the account."
        )
    with audit_actor(reactivated_by):
        user.is_active = True
        user.save(update_fields=["is_active"])
    return user


# --- details and teams (the configuration pages) -----------------------------------


def email_change_allowed(*, user: User, changed_by: User) -> bool:
    """Whoever controls the address controls the password link, and so the account: only
    a superuser changes the email of someone who holds a role or is a superuser."""
    return changed_by.is_superuser or not (
        user.is_superuser or roles_of(user) & (CLIENT_DATA_ROLES | SUPERUSER_GRANTED_ROLES)
    )


EMAIL_LOCKED = (
    "Only a superuser can change the email of someone who holds a role: whoever controls "
    "the address controls the link that sets their password."
)


@transaction.atomic
def person_details_save(
    *,
    user: User,
    changed_by: User,
    first_name: str,
    last_name: str,
    email: str,
    fte: Decimal | None = None,
    capacity_points: int | None = None,
) -> User:
    """Save a person's name, email and, for an adviser, FTE and capacity, all or nothing."""
    from cases.models import AdviserProfile

    if email != user.email and not email_change_allowed(user=user, changed_by=changed_by):
        raise ValidationError({"email": EMAIL_LOCKED})

    with audit_actor(changed_by):
        user.first_name, user.last_name, user.email = first_name, last_name, email
        user.save(update_fields=["first_name", "last_name", "email"])
        if fte is not None or capacity_points is not None:
            profile, _ = AdviserProfile.objects.get_or_create(user=user)
            if fte is not None:
                profile.fte = fte
            if capacity_points is not None:
                profile.capacity_points = capacity_points
            profile.save()
    return user


@transaction.atomic
def team_save(*, team: Team, name: str, changed_by: User) -> Team:
    """Create or rename a team. Who leads it and who is in it are access changes, made on
    the access page by a service manager (``access_grant``), never here."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Give the team a name."})
    if Team.objects.filter(name__iexact=name).exclude(pk=team.pk).exists():
        raise ValidationError({"name": "There is already a team with this name."})
    with audit_actor(changed_by):
        team.name = name
        team.save()
    return team
