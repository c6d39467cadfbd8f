"""Writes of the caseload app's own tables that views reach: form submissions."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from caseload.models import FormSubmission

# How long a form's token is remembered: far longer than anyone retries a post.
FORM_TOKEN_KEPT = timedelta(days=7)


def form_submission_claim(
    *, token: uuid.UUID, user_id: int, now: datetime | None = None
) -> FormSubmission | None:
    """Claim ``token`` for a post now being handled; None if a post with it was handled.

    Call inside the transaction that does the post's work, so the claim
    commits with it or not at all. A twin post handled at the same moment
    waits here on the unique token until the first commits, then finds it
    done; if the first rolled back, the twin claims the token and goes on.
    The same person's tokens older than ``FORM_TOKEN_KEPT`` are forgotten.
    """
    now = now or timezone.now()
    FormSubmission.objects.filter(user_id=user_id, created_at__lt=now - FORM_TOKEN_KEPT).delete()
    try:
        with transaction.atomic():
            return FormSubmission.objects.create(token=token, user_id=user_id, created_at=now)
    except IntegrityError:
        return None


def form_submission_done(*, submission: FormSubmission, redirect_to: str) -> None:
    """Record where the post that claimed the token sent the user."""
    submission.redirect_to = redirect_to
    submission.save(update_fields=["redirect_to"])


def form_submission_release(*, submission: FormSubmission) -> None:
    """Give the token back: the post was refused (errors beside the fields), so the form
    comes back with the same token and sending it again is a new attempt."""
    submission.delete()
