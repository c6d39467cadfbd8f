"""Writes about accounts: sessions, second factors, clearing sign-in locks, deactivation."""

from __future__ import annotations

import hashlib
import secrets
import time
from base64 import b32encode
from binascii import unhexlify
from datetime import datetime
from importlib import import_module
from typing import Any

from auditlog.cid import get_cid
from auditlog.models import LogEntry
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import verify_token
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import UserSession

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


# --- the audit trail ------------------------------------------------------------


def _account_event(
    *, user: Any, actor: Any, event: str, request: HttpRequest | None = None, **details: Any
) -> None:
    """Record an account event about ``user`` in the audit trail (never a secret)."""
    LogEntry.objects.log_create(
        user,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        changes={},
        actor=actor,
        remote_addr=(request.META.get("REMOTE_ADDR") or None) if request else None,
        cid=get_cid(),
        additional_data={"event": event, **details},
    )


# --- sessions -------------------------------------------------------------------


def session_record(*, user: Any, session_key: str) -> None:
    """Remember that ``session_key`` belongs to ``user``."""
    UserSession.objects.get_or_create(session_key=session_key, defaults={"user": user})


def _session_store() -> Any:
    return import_module(settings.SESSION_ENGINE).SessionStore


def sessions_forget_ended(*, user: Any) -> int:
    """Drop the rows of ``user``'s sessions that have ended (expired or signed out)."""
    store = _session_store()
    keys = UserSession.objects.filter(user=user).values_list("session_key", flat=True)
    ended = [key for key in keys if not store().exists(key)]
    UserSession.objects.filter(user=user, session_key__in=ended).delete()
    return len(ended)


def session_record_at_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """``user_logged_in`` receiver: remember the new session's owner, forget ended ones."""
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        sessions_forget_ended(user=user)
        session_record(user=user, session_key=session.session_key)


def sessions_end(*, user: Any) -> int:
    """End every session ``user`` holds; return how many there were."""
    store = _session_store()
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    UserSession.objects.filter(user=user, session_key__in=keys).delete()
    return len(keys)


@transaction.atomic
def user_deactivate(*, user: Any, deactivated_by: Any, now: datetime | None = None) -> int:
    """Deactivate ``user`` and end all their sessions at once; return how many ended."""
    now = now or timezone.now()
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    ended = sessions_end(user=user)
    _account_event(
        user=user,
        actor=deactivated_by,
        event="deactivated",
        sessions_ended=ended,
        at=now.isoformat(),
    )
    return ended


# --- sign-in locks --------------------------------------------------------------


def sign_in_attempts_clear(*, username: str, cleared_by: Any, request: HttpRequest | None) -> int:
    """Clear the failed sign-ins counted against ``username`` from every address."""
    user = get_user_model().objects.get(username=username)
    cleared = axes_reset(username=username)
    _account_event(
        user=user,
        actor=cleared_by,
        event="sign-in lock cleared",
        request=request,
        attempts_cleared=cleared,
    )
    return cleared


# --- second factor --------------------------------------------------------------


def totp_key_new() -> str:
    """A new authenticator secret, as the hex django-otp stores."""
    return secrets.token_hex(20)


def totp_key_base32(key: str) -> str:
    """The secret as people type it into an authenticator app."""
    return b32encode(unhexlify(key)).decode("ascii").rstrip("=")


def totp_config_url(*, user: Any, key: str) -> str:
    """The ``otpauth://`` address the QR code carries."""
    return TOTPDevice(user=user, key=key).config_url


def _normalise_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def recovery_code_digest(code: str) -> str:
    """What is stored for a recovery code: never the code itself.

    Codes carry 80 random bits, so a plain hash (cut to fit django-otp's
    16-character token column) is enough to keep a database dump from yielding
    usable codes.
    """
    return hashlib.sha256(_normalise_code(code).encode()).hexdigest()[:16]


def _recovery_code_new() -> str:
    raw = b32encode(secrets.token_bytes(10)).decode("ascii").lower()
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


@transaction.atomic
def recovery_codes_issue(
    *, user: Any, actor: Any = None, request: HttpRequest | None = None
) -> list[str]:
    """Replace ``user``'s recovery codes with new ones; return them, to be shown once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [_recovery_code_new() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=recovery_code_digest(code)) for code in codes
    )
    _account_event(user=user, actor=actor or user, event="recovery codes issued", request=request)
    return codes


@transaction.atomic
def two_factor_enrol(
    *, user: Any, key: str, code: str, request: HttpRequest | None = None
) -> tuple[TOTPDevice, list[str]] | None:
    """Turn on the second factor with the app holding ``key``, if ``code`` proves it.

    Replaces any earlier authenticator and recovery codes; returns the device
    and the new recovery codes, or None when the code is wrong.
    """
    totp = TOTP(unhexlify(key))
    totp.time = time.time()
    digits = _normalise_code(code)
    if not digits.isdigit() or not totp.verify(int(digits), tolerance=1):
        return None
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(
        user=user, name=TOTP_DEVICE_NAME, key=key, confirmed=True, last_t=totp.t()
    )
    _account_event(user=user, actor=user, event="two-factor enrolled", request=request)
    codes = recovery_codes_issue(user=user, actor=user, request=request)
    return device, codes


@transaction.atomic
def two_factor_reset(*, user: Any, reset_by: Any, request: HttpRequest | None = None) -> None:
    """Remove ``user``'s authenticator app and recovery codes (a lost phone).

    They set up a new app at their next sign-in; their sessions end now.
    """
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    sessions_end(user=user)
    _account_event(user=user, actor=reset_by, event="two-factor reset", request=request)


def two_factor_check(*, user: Any, code: str) -> Device | None:
    """The device that accepts ``code`` for ``user``: their app's code or a recovery code.

    A recovery code works once. Each device throttles repeated wrong codes.
    """
    normalised = _normalise_code(code)
    if not normalised:
        return None
    for device in TOTPDevice.objects.devices_for_user(user, confirmed=True):
        if normalised.isdigit() and verify_token(user, device.persistent_id, normalised):
            return device
    digest = recovery_code_digest(normalised)
    for device in StaticDevice.objects.devices_for_user(user, confirmed=True):
        if verify_token(user, device.persistent_id, digest):
            return device
    return None
