"""The demo organisation a new user explores, loaded by ``manage.py demo``: people and teams
(demo.people), clients and cases (demo.clients_and_cases), notes (demo.case_notes),
priorities (demo.criteria_and_assessments) and caseload reviews (demo.caseload_reviews),
then what the worker would have added: flags, notifications, reports and a checkpoint.
Each case follows its story in demo.timeline, counted in working days before ``now``, so
that the week looks ordinary whatever day it is loaded.

Loading is idempotent: running it again brings the demo back to the same
state without duplicating anything.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from demo.case_notes import notes_load
from demo.caseload_reviews import reviews_load
from demo.clients_and_cases import caseloads_load, recent_activity_load
from demo.criteria_and_assessments import priorities_load
from demo.documents import documents_load
from demo.dp_erasure import dp_erasure_load
from demo.dp_sar import subject_access_load
from demo.partners import partners_load
from demo.people import PEOPLE, DemoPerson, people_load
from notes.anchors import checkpoint_write
from priorities.sweep import sweep_deadlines
from reviews.services import reports_generate_all


@transaction.atomic
def demo_load(*, now: datetime | None = None) -> list[DemoPerson]:
    """Create or refresh the demo organisation; return the people who can sign in."""
    people_load()
    now = now or timezone.now()
    caseloads_load(now=now)
    recent_activity_load(now=now)
    notes_load(now=now)
    priorities_load(now=now)
    documents_load(now=now)
    # A partner's referral, taken in through the API into North Team's queue.
    partners_load(now=now)
    subject_access_load(now=now)
    # Flags and in-app notifications as the worker would raise them (the daily
    # digest, not the demo, emails them).
    sweep_deadlines(now=now)
    # Last week's caseload review reports, as the worker makes them each Monday.
    reports_generate_all(now=now, email=False)
    reviews_load(now=now)
    dp_erasure_load(now=now)
    # The day's checkpoint of every note chain, as the worker writes it each night, so
    # that verify_notes has something outside the database to check against.
    checkpoint_write(now=now)
    return PEOPLE
