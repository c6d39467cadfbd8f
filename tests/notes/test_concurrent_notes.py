"""Fault test: many notes appended at once on one case, each from its own connection.

Each note is written from a copy of the case read before any of them was
committed, as a page reads the case and then calls the service. Each thread
writes its notes newest contact first, so the note it commits last holds its
oldest contact: an append that trusted its copy of the case (``last_contact_at``
still empty there) would leave some thread's oldest contact behind, not the newest.
"""

from __future__ import annotations

import random
import threading
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from cases.models import Case
from notes.integrity import chain_breaks
from notes.models import CaseNote
from notes.services import note_append
from priorities.models import Timescale
from priorities.services import organisation_calendar
from tests.factories import CaseFactory, CaseTypeFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.fault]

NOTES = 64
THREADS = 8
CONTACT_INTERVAL_DAYS = 10


def _append_all(batch: list[tuple[Case, datetime]], *, author, now, start, errors) -> None:
    try:
        start.wait(timeout=60)
        for copy, contact_at in batch:
            note_append(
                case=copy,
                author=author,
                contact_at=contact_at,
                channel="phone",
                facts="Spoke to the client about the arrears",
                next_steps="Call the landlord",
                now=now,
            )
    except BaseException as error:  # reported by the test, in its own thread
        errors.append(error)
    finally:
        connection.close()


def test_notes_appended_at_once_leave_the_newest_contact_and_the_due_date_that_follows_it(
    alice,
):
    housing = CaseTypeFactory(name="Housing")
    Timescale.objects.create(
        case_type=housing,
        level="green",
        first_contact_days=5,
        contact_interval_days=CONTACT_INTERVAL_DAYS,
        review_days=20,
        close_days=60,
    )
    now = timezone.now()
    case = CaseFactory(assigned_to=alice, case_type=housing, now=now - timedelta(days=30))
    rng = random.Random()  # noqa: S311 - contact times, not secrets
    contacts = [now - timedelta(seconds=rng.uniform(0, 29 * 24 * 3600)) for _ in range(NOTES)]
    copies = [Case.objects.get(pk=case.pk) for _ in contacts]
    batches = [
        sorted(
            zip(copies[i::THREADS], contacts[i::THREADS], strict=True),
            key=lambda p: -p[1].timestamp(),
        )
        for i in range(THREADS)
    ]
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    threads = [
        threading.Thread(
            target=_append_all,
            args=(batch,),
            kwargs={"author": alice, "now": now, "start": start, "errors": errors},
        )
        for batch in batches
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    case = Case.objects.get(pk=case.pk)
    newest = max(contacts)
    assert CaseNote.objects.filter(case=case).count() == NOTES
    assert case.last_contact_at == newest
    assert case.next_contact_due_on == organisation_calendar().add_working_days(
        timezone.localdate(newest), CONTACT_INTERVAL_DAYS
    )
    assert [r.problem for r in chain_breaks(case_id=case.pk)] == [None] * NOTES


def _add_all(work: list, *, author, start, errors) -> None:
    try:
        start.wait(timeout=60)
        for step in work:
            step(author)
    except BaseException as error:  # reported by the test, in its own thread
        errors.append(error)
    finally:
        connection.close()


def test_actions_and_notes_added_at_once_leave_the_due_dates_a_quiet_recompute_gives(alice):
    """Each action's service recomputes the due dates without holding the case's lock
    beforehand: the lock is taken by a statement of its own, so the inputs read after
    it include every action committed while it waited (the earliest one sets next_due_on).
    """
    from notes.services import action_create
    from priorities.services import case_refresh_due_dates

    housing = CaseTypeFactory(name="Housing")
    Timescale.objects.create(
        case_type=housing, level="green", first_contact_days=5, contact_interval_days=30
    )
    now = timezone.now()
    case = CaseFactory(assigned_to=alice, case_type=housing, now=now - timedelta(days=3))
    rng = random.Random()  # noqa: S311 - due dates, not secrets
    today = timezone.localdate()

    def action(due_on):
        return lambda author: action_create(
            case=Case.objects.get(pk=case.pk),
            description="Chase the landlord",
            owner="adviser",
            due_on=due_on,
            created_by=author,
        )

    def note(contact_at):
        return lambda author: note_append(
            case=Case.objects.get(pk=case.pk),
            author=author,
            contact_at=contact_at,
            channel="phone",
            facts="Spoke to the client",
            next_steps="Call again",
            now=now,
        )

    work = [action(today + timedelta(days=rng.randint(1, 40))) for _ in range(24)] + [
        note(now - timedelta(hours=rng.uniform(1, 48))) for _ in range(24)
    ]
    rng.shuffle(work)
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    threads = [
        threading.Thread(
            target=_add_all,
            args=(work[i::THREADS],),
            kwargs={"author": alice, "start": start, "errors": errors},
        )
        for i in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    due_dates = ["next_contact_due_on", "first_contact_due_on", "next_due_on"]
    stored = Case.objects.values(*due_dates).get(pk=case.pk)
    recomputed = case_refresh_due_dates(Case.objects.get(pk=case.pk))
    assert stored == {name: getattr(recomputed, name) for name in due_dates}
    assert [r.problem for r in chain_breaks(case_id=case.pk)] == [None] * 24
