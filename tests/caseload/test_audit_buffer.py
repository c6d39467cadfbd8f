"""A request's access entries are written together, in one INSERT, before its response
leaves; a failure to write them fails the request instead of showing the page unaudited."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caseload.audit import access_buffered, access_record
from cases.models import Case, User
from notes import services as note_services
from tests.conftest import client_for
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _case_with_notes(adviser: User, count: int) -> Case:
    case = CaseFactory(assigned_to=adviser, opened_yesterday=True)
    start = timezone.now() - timedelta(minutes=count + 1)
    for i in range(count):
        note_services.note_append(
            case=case,
            author=adviser,
            contact_at=start + timedelta(minutes=i),
            channel="phone",
            facts=f"Contact {i}",
            next_steps="Call back",
        )
    return case


def _audit_inserts(captured: CaptureQueriesContext) -> list[str]:
    table = LogEntry._meta.db_table
    return [
        q["sql"] for q in captured.captured_queries if q["sql"].startswith(f'INSERT INTO "{table}"')
    ]


@pytest.mark.parametrize("notes", [2, 12])
def test_a_case_page_writes_one_access_entry_per_record_in_one_statement(
    alice: User, notes: int
) -> None:
    case = _case_with_notes(alice, notes)
    client = client_for(alice)
    before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("cases:case_detail", args=[case.pk]))
    assert response.status_code == 200
    assert len(_audit_inserts(captured)) == 1
    written = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() - before
    # The case, its client and each note shown: one entry per record, as before.
    assert written == 2 + notes


def test_access_recorded_outside_a_request_is_written_at_once(alice: User) -> None:
    case = CaseFactory(assigned_to=alice)
    access_record(request=None, actor=alice, objects=[case], via="a task")
    assert LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, object_pk=str(case.pk), actor=alice
    ).exists()


def test_entries_recorded_in_a_block_that_fails_are_still_written(alice: User) -> None:
    case = CaseFactory(assigned_to=alice)
    held_back: list[bool] = []

    def page_that_breaks() -> None:
        with access_buffered():
            access_record(request=None, actor=alice, objects=[case], via="a page that broke")
            held_back.append(
                not LogEntry.objects.filter(object_pk=str(case.pk), actor=alice).exists()
            )
            raise RuntimeError

    with pytest.raises(RuntimeError):
        page_that_breaks()
    assert held_back == [True]
    assert LogEntry.objects.filter(object_pk=str(case.pk), actor=alice).exists()


@contextmanager
def audit_refused() -> Iterator[None]:
    """The database refuses every new audit entry, as a full disk or a revoked grant would."""
    table = LogEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE OR REPLACE FUNCTION test_refuse_audit() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit refused'; END $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            f'CREATE TRIGGER test_refuse_audit BEFORE INSERT ON "{table}" '
            "FOR EACH STATEMENT EXECUTE FUNCTION test_refuse_audit()"
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP TRIGGER IF EXISTS test_refuse_audit ON "{table}"')
            cursor.execute("DROP FUNCTION IF EXISTS test_refuse_audit()")


@pytest.mark.django_db(transaction=True)
def test_a_page_whose_audit_cannot_be_written_is_an_error_not_the_page(
    alice: User,
) -> None:
    case = CaseFactory(assigned_to=alice)
    client = client_for(alice)
    client.raise_request_exception = False
    with audit_refused():
        response = client.get(reverse("cases:case_detail", args=[case.pk]))
    assert response.status_code == 500
    assert case.reference not in response.content.decode()
