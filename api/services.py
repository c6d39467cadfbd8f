"""Every write of the api app: making and revoking tokens, noting their use, and taking
in a partner's referral once per idempotency key."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from api.models import ApiToken, IntakeSubmission
from caseload.audit import audit_actor
from caseload.roles import CLIENT_DATA_ROLES, Role, roles_of
from cases import people
from cases.models import CaseType, Referral, Team, User

TOKEN_PREFIX = "cl"  # noqa: S105 - the tokens' visible prefix, not a secret
PERSONAL_DEFAULT_DAYS = 90
PERSONAL_MAX_DAYS = 365
INTEGRATION_DEFAULT_DAYS = 365
INTEGRATION_MAX_DAYS = 730
# A token's last use is written at most this often, so a busy token costs no write per call.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# Roles that may hold a personal token: those that reach client data, and admins.
TOKEN_ROLES = CLIENT_DATA_ROLES | {Role.ADMIN}


@dataclass(frozen=True)
class NewToken:
    """A token just made, with its secret: the only moment the secret exists in clear."""

    token: ApiToken
    secret: str


def secret_hash(secret: str) -> str:
    """What is stored of a token's secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def token_split(raw: str) -> tuple[str, str] | None:
    """The prefix and secret of a token as given (``cl_<prefix>_<secret>``), or None."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def may_hold_personal_token(user: Any) -> bool:
    """Whether ``user`` may make a personal token at all (their roles, not their session)."""
    return bool(user.is_active and (user.is_superuser or roles_of(user) & TOKEN_ROLES))


def _expiry(days: int, maximum: int, now: datetime) -> datetime:
    if not 1 <= days <= maximum:
        raise ValidationError(
            {"expires_in_days": f"Choose between 1 and {maximum} days ({maximum} at most)."}
        )
    return now + timedelta(days=days)


def _name(name: str, field: str = "name") -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({field: "Give it a name you will recognise."})
    return name


def _new(
    *, kind: str, name: str, created_by: User, expires_at: datetime, now: datetime, **fields: Any
) -> NewToken:
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    with audit_actor(created_by):
        token = ApiToken.objects.create(
            kind=kind,
            name=name,
            prefix=prefix,
            secret_hash=secret_hash(secret),
            created_by=created_by,
            created_at=now,
            expires_at=expires_at,
            **fields,
        )
    return NewToken(token=token, secret=f"{TOKEN_PREFIX}_{prefix}_{secret}")


@transaction.atomic
def api_token_create(
    *,
    user: User,
    name: str,
    expires_in_days: int = PERSONAL_DEFAULT_DAYS,
    verified: bool,
    now: datetime | None = None,
) -> NewToken:
    """A personal token for ``user``, carrying their rights. ``verified``: whether the
    session asking has given its second factor, which a token needs, as it will count
    as verified itself."""
    now = now or timezone.now()
    if not may_hold_personal_token(user):
        raise PermissionDenied
    if not verified:
        raise ValidationError(
            "Set up and give your two-step sign-in code in this session before making a token."
        )
    return _new(
        kind=ApiToken.Kind.PERSONAL,
        name=_name(name),
        created_by=user,
        expires_at=_expiry(expires_in_days, PERSONAL_MAX_DAYS, now),
        now=now,
        user=user,
    )


@transaction.atomic
def integration_token_create(
    *,
    partner: str,
    team: Team,
    case_type: CaseType,
    created_by: User,
    expires_in_days: int = INTEGRATION_DEFAULT_DAYS,
    now: datetime | None = None,
) -> NewToken:
    """An integration token for a partner organisation: it may only send referrals into
    ``team``'s unallocated queue (as cases of ``case_type``) and read back their status.
    Its referrals are recorded as received by an account of its own that never signs in."""
    now = now or timezone.now()
    if not (created_by.is_superuser or Role.ADMIN in roles_of(created_by)):
        raise PermissionDenied
    partner = _name(partner, "partner")
    expires_at = _expiry(expires_in_days, INTEGRATION_MAX_DAYS, now)
    service_user = people.service_account_create(
        username=f"integration-{secrets.token_hex(6)}", name=partner
    )
    return _new(
        kind=ApiToken.Kind.INTEGRATION,
        name=partner,
        created_by=created_by,
        expires_at=expires_at,
        now=now,
        partner=partner,
        team=team,
        case_type=case_type,
        service_user=service_user,
    )


def api_token_revoke(*, token: ApiToken, revoked_by: User, now: datetime | None = None) -> ApiToken:
    """Stop a token working from now on: a personal token by its person, an integration
    token by an admin. Revoking a revoked token changes nothing."""
    if token.kind == ApiToken.Kind.PERSONAL:
        allowed = token.user_id == revoked_by.pk
    else:
        allowed = revoked_by.is_superuser or Role.ADMIN in roles_of(revoked_by)
    if not allowed:
        raise PermissionDenied
    if token.revoked_at is not None:
        return token
    token.revoked_at = now or timezone.now()
    token.revoked_by = revoked_by
    with audit_actor(revoked_by):
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token


def api_token_used(*, token: ApiToken, now: datetime | None = None) -> None:
    """Note that ``token`` was used, at most once a minute (one conditional UPDATE; the
    time of use is not audited)."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).exclude(
        last_used_at__gt=now - LAST_USED_RESOLUTION
    ).update(last_used_at=now)
    token.last_used_at = now


# --- referral intake ---------------------------------------------------------------


def _json_default(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def body_digest(body: dict[str, Any]) -> str:
    """A keyed hash of a request body, to recognise the same body again without keeping
    it (a plain hash of a name and date of birth could be guessed back)."""
    canonical = json.dumps(body, sort_keys=True, default=_json_default, separators=(",", ":"))
    return hmac.new(
        settings.CASELOAD_BLIND_INDEX_KEY,
        b"api-intake-body\x00" + canonical.encode(),
        hashlib.sha256,
    ).hexdigest()


class IdempotencyConflict(Exception):
    """The key was used before, by this token, with a different body."""


@transaction.atomic
def intake_referral_receive(
    *,
    token: ApiToken,
    idempotency_key: str,
    client_fields: dict[str, Any],
    reason: str,
    consent_reference: str,
    urgency: str = "",
    contact: str = "",
    presenting_issue: str = "",
    now: datetime | None = None,
) -> tuple[Referral, bool]:
    """Take in a partner's referral: a referred case waiting in the token's team's
    unallocated queue, its supervisors told. Returns the referral and whether it is new:
    under a key this token used before, the first referral, and nothing is made.
    Raises ``IdempotencyConflict`` when the key came before with another body."""
    # Imported here: notifications and cases import each other's models at module level.
    from cases import selectors as case_selectors
    from cases import services as case_services
    from notifications.models import Kind
    from notifications.services import notify

    now = now or timezone.now()
    if token.kind != ApiToken.Kind.INTEGRATION:
        raise PermissionDenied
    digest = body_digest(
        {
            "client": client_fields,
            "reason": reason,
            "consent_reference": consent_reference,
            "urgency": urgency,
            "contact": contact,
            "presenting_issue": presenting_issue,
        }
    )
    if connection.vendor == "postgresql":
        # Two requests with one key at once: the second waits here for the first to commit.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                [f"api-intake:{token.pk}:{idempotency_key}"],
            )
    earlier = (
        IntakeSubmission.objects.filter(token=token, idempotency_key=idempotency_key)
        .select_related("referral")
        .first()
    )
    if earlier is not None:
        if not hmac.compare_digest(earlier.body_digest, digest):
            raise IdempotencyConflict
        return earlier.referral, False
    if token.team is None or token.case_type is None or token.service_user is None:
        raise PermissionDenied  # not an integration token (the kind's constraint holds)
    agency = token.partner
    with audit_actor(token.service_user):
        case = case_services.referral_in(
            team=token.team,
            case_type=token.case_type,
            agency=agency,
            contact=contact,
            # The consent stays with the partner; its reference travels with the reason,
            # where the receiving team reads it.
            reason=f"{reason}\n\nConsent reference held by {agency}: {consent_reference}",
            presenting_issue=presenting_issue or reason,
            received_by=token.service_user,
            client_fields=client_fields,
            urgency=urgency,
            now=now,
        )
        referral = case.referrals.get(direction=Referral.Direction.IN)
        IntakeSubmission.objects.create(
            token=token,
            idempotency_key=idempotency_key,
            body_digest=digest,
            referral=referral,
            created_at=now,
        )
    supervisors = list(case_selectors.team_supervisors(token.team.pk))
    notify(
        recipients=supervisors,
        kind=Kind.PRIORITY if urgency == "red" else Kind.OTHER,
        case=case,
        subject=f"New referral {case.reference}",
        message=(
            f"{case.reference} was referred by {agency} through the API and waits in "
            f"{token.team.name}'s unallocated queue."
        ),
        now=now,
    )
    return referral, True
