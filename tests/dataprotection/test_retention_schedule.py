"""The retention schedule: who is due, the dry run, approval, crypto-shredding, resuming."""

from __future__ import annotations

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from caseload.crypto import ERASED
from caseload.models import DataKey, QueuedTask
from cases.models import (
    Case,
    CaseEvent,
    CaseType,
    Client,
    ConsentRecord,
)
from dataprotection import erasure_services as services
from dataprotection.erasure_selectors import add_months, clients_due_for_disposal, retention_of
from dataprotection.models import DisposalItem, DisposalRun, ErasureTombstone
from dataprotection.tasks import disposal_list_task, disposal_run_carry_out_task
from notes.integrity import chain_breaks
from notes.models import CaseNote
from tests.dataprotection.retention_world import close, closed_case, reopen, years_ago
from tests.factories import CaseFactory, CaseTypeFactory, ConsentFactory

pytestmark = pytest.mark.django_db


def _due_ids() -> set[int]:
    return {row.client_id for row in clients_due_for_disposal(today=date.today())}


def _approved_run(dina, *clients: Client) -> DisposalRun:
    run = services.disposal_run_prepare()
    assert run is not None
    chosen = run.items.filter(client__in=clients).values_list("pk", flat=True)
    return services.disposal_run_approve(
        run=run, item_ids=list(chosen), approved_by=dina, reason="Six years since closure"
    )


def test_add_months_keeps_the_day_or_takes_the_end_of_a_shorter_month():
    assert add_months(date(2020, 1, 31), 1) == date(2020, 2, 29)
    assert add_months(date(2019, 11, 15), 72) == date(2025, 11, 15)


def test_a_client_is_due_when_their_last_case_closed_longer_ago_than_its_retention(alice):
    case = closed_case(alice, closed_on=years_ago(6, days=1))

    assert _due_ids() == {case.client_id}


def test_a_client_is_not_due_before_the_retention_period_ends(alice):
    closed_case(alice, closed_on=years_ago(6, days=-1))

    assert _due_ids() == set()


def test_the_longest_retention_among_the_clients_case_types_counts(alice):
    long_kept = CaseTypeFactory(name="Safeguarding")
    CaseType.objects.filter(pk=long_kept.pk).update(retention_months=120)
    first = CaseFactory(assigned_to=alice, case_type=long_kept)
    second = CaseFactory(assigned_to=alice, client=first.client)
    close(first, alice, on=years_ago(9))
    close(second, alice, on=years_ago(7))

    retention = retention_of(first.client)

    assert retention.retention_months == 120
    assert retention.last_closed_on == years_ago(7)
    assert retention.ends_on == add_months(years_ago(7), 120)
    assert _due_ids() == set()


def test_a_client_with_any_open_case_is_never_due(alice):
    old = CaseFactory(assigned_to=alice)
    CaseFactory(assigned_to=alice, client=old.client)
    close(old, alice, on=years_ago(10))

    assert _due_ids() == set()


def test_a_client_on_legal_hold_is_not_due(alice, dina):
    case = closed_case(alice, closed_on=years_ago(7))
    services.legal_hold_place(client=case.client, reason="Claim issued", placed_by=dina)

    assert _due_ids() == set()


def test_a_lifted_hold_no_longer_keeps_the_client(alice, dina):
    case = closed_case(alice, closed_on=years_ago(7))
    hold = services.legal_hold_place(client=case.client, reason="Claim issued", placed_by=dina)
    services.legal_hold_lift(hold=hold, reason="Claim settled", lifted_by=dina)

    assert _due_ids() == {case.client_id}


def test_a_hold_and_its_lifting_need_a_reason(alice, dina):
    case = closed_case(alice, closed_on=years_ago(7))

    with pytest.raises(ValidationError) as refused:
        services.legal_hold_place(client=case.client, reason=" ", placed_by=dina)

    assert "reason" in refused.value.message_dict


def test_the_dry_run_lists_the_due_clients_and_changes_nothing_else(alice, dina):
    case = closed_case(alice, closed_on=years_ago(7))
    key_before = DataKey.objects.get(client=case.client).wrapped_key

    run = services.disposal_run_prepare()

    assert run is not None
    item = run.items.get()
    assert (item.client_id, item.state, item.case_count) == (
        case.client_id,
        DisposalItem.State.LISTED,
        1,
    )
    assert item.retention_months == 72
    assert item.last_closed_on == years_ago(7)
    assert DataKey.objects.get(client=case.client).wrapped_key == key_before
    assert Client.objects.get(pk=case.client_id).family_name_index != ""
    assert not ErasureTombstone.objects.exists()


def test_listing_twice_lists_nobody_twice(alice):
    closed_case(alice, closed_on=years_ago(7))
    services.disposal_run_prepare()

    assert services.disposal_run_prepare() is None
    assert DisposalItem.objects.count() == 1


def test_approval_needs_a_reason_and_at_least_one_client(alice, dina):
    closed_case(alice, closed_on=years_ago(7))
    run = services.disposal_run_prepare()
    assert run is not None

    with pytest.raises(ValidationError) as refused:
        services.disposal_run_approve(run=run, item_ids=[], approved_by=dina, reason="")

    assert set(refused.value.message_dict) == {"items", "reason"}
    assert DisposalRun.objects.get(pk=run.pk).status == DisposalRun.Status.AWAITING_REVIEW


def test_approval_queues_the_work_for_the_worker_by_id(alice, dina):
    case = closed_case(alice, closed_on=years_ago(7))

    run = _approved_run(dina, case.client)

    queued = QueuedTask.objects.get(task="dataprotection.tasks.disposal_run_carry_out_task")
    assert queued.args == [run.pk]


def test_carrying_out_erases_every_personal_field_and_keeps_counts_and_the_note_chain(alice, dina):
    case = closed_case(alice, closed_on=years_ago(7))
    ConsentFactory(client=case.client, recorded_by=alice)
    counts_before = [m.objects.count() for m in (Client, Case, CaseNote, CaseEvent, ConsentRecord)]
    run = _approved_run(dina, case.client)

    assert services.disposal_run_carry_out(run_id=run.pk) == 1

    client = Client.objects.get(pk=case.client_id)
    assert client.given_name == ERASED
    assert client.family_name == ERASED
    assert client.date_of_birth == ERASED
    assert client.postcode == ERASED
    assert (client.family_name_index, client.date_of_birth_index, client.postcode_index) == (
        "",
        "",
        "",
    )
    erased_case = Case.objects.get(pk=case.pk)
    assert erased_case.presenting_issue == ERASED
    assert erased_case.closure_outcome == ERASED
    assert erased_case.closed_on == years_ago(7)
    assert CaseNote.objects.get(case=case).facts == ERASED
    assert ConsentRecord.objects.get(client=client).shared_with == ERASED
    assert [
        m.objects.count() for m in (Client, Case, CaseNote, CaseEvent, ConsentRecord)
    ] == counts_before
    assert [r.problem for r in chain_breaks()] == [None]


def test_verify_notes_still_reports_an_intact_record_after_erasure(alice, dina, capsys):
    case = closed_case(alice, closed_on=years_ago(7))
    services.disposal_run_carry_out(run_id=_approved_run(dina, case.client).pk)

    call_command("verify_notes")

    assert "every chain is intact" in capsys.readouterr().out


def test_the_tombstone_records_who_approved_when_why_and_counts(alice, dina):
    case = closed_case(alice, closed_on=years_ago(7))
    run = _approved_run(dina, case.client)

    services.disposal_run_carry_out(run_id=run.pk)

    tombstone = ErasureTombstone.objects.get()
    assert tombstone.client_reference == case.client.reference
    assert tombstone.approved_by == dina
    assert tombstone.reason == "Six years since closure"
    assert (tombstone.case_count, tombstone.note_count) == (1, 1)
    assert tombstone.last_closed_on == years_ago(7)
    assert DisposalRun.objects.get(pk=run.pk).status == DisposalRun.Status.DONE


def test_no_personal_value_reaches_the_audit_log_during_erasure(alice, dina):
    case = closed_case(alice, closed_on=years_ago(7))
    family_name = case.client.family_name
    services.disposal_run_carry_out(run_id=_approved_run(dina, case.client).pk)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM auditlog_logentry WHERE changes_text LIKE %s "
            "OR changes::text LIKE %s",
            [f"%{family_name}%", f"%{family_name}%"],
        )
        assert cursor.fetchone()[0] == 0
    assert LogEntry.objects.filter(actor=dina).exists()


def test_a_client_left_out_of_the_approval_is_not_erased_and_is_listed_again(alice, dina):
    erased = closed_case(alice, closed_on=years_ago(7))
    kept = closed_case(alice, closed_on=years_ago(8))
    run = _approved_run(dina, erased.client)

    services.disposal_run_carry_out(run_id=run.pk)

    assert Client.objects.get(pk=kept.client_id).family_name != ERASED
    assert run.items.get(client=kept.client).state == DisposalItem.State.NOT_APPROVED
    assert _due_ids() == {kept.client_id}


def test_an_interrupted_run_resumes_and_erases_each_approved_client_once(alice, dina, monkeypatch):
    first = closed_case(alice, closed_on=years_ago(7))
    second = closed_case(alice, closed_on=years_ago(8))
    run = _approved_run(dina, first.client, second.client)
    real = services.disposal_item_carry_out
    calls: list[int] = []

    def fail_after_the_first(*, item_id: int, now=None) -> str:
        if calls:
            raise ConnectionError("worker lost")
        calls.append(item_id)
        return real(item_id=item_id, now=now)

    monkeypatch.setattr(services, "disposal_item_carry_out", fail_after_the_first)
    with pytest.raises(ConnectionError):
        services.disposal_run_carry_out(run_id=run.pk)
    assert ErasureTombstone.objects.count() == 1
    assert DisposalRun.objects.get(pk=run.pk).status == DisposalRun.Status.APPROVED
    monkeypatch.setattr(services, "disposal_item_carry_out", real)

    assert services.disposal_run_carry_out(run_id=run.pk) == 1

    assert ErasureTombstone.objects.count() == 2
    assert {i.state for i in run.items.all()} == {DisposalItem.State.ERASED}
    assert DisposalRun.objects.get(pk=run.pk).status == DisposalRun.Status.DONE


def test_a_client_put_on_hold_after_approval_is_not_erased(alice, dina):
    case = closed_case(alice, closed_on=years_ago(7))
    run = _approved_run(dina, case.client)
    services.legal_hold_place(client=case.client, reason="Claim issued", placed_by=dina)

    assert services.disposal_run_carry_out(run_id=run.pk) == 0

    assert Client.objects.get(pk=case.client_id).family_name != ERASED
    assert run.items.get().state == DisposalItem.State.SKIPPED_HOLD
    assert not ErasureTombstone.objects.exists()


def test_a_client_who_gained_an_open_case_since_approval_is_not_erased(alice, dina):
    case = closed_case(alice, closed_on=years_ago(7))
    run = _approved_run(dina, case.client)
    reopen(case, alice)

    services.disposal_run_carry_out(run_id=run.pk)

    assert Client.objects.get(pk=case.client_id).family_name != ERASED
    assert run.items.get().state == DisposalItem.State.SKIPPED_OPEN


def test_a_client_erased_through_a_request_meanwhile_is_not_erased_twice(alice, dina):
    case = closed_case(alice, closed_on=years_ago(7))
    run = services.disposal_run_prepare()
    assert run is not None
    request = services.erasure_request_record(
        client=case.client, received_on=date.today(), recorded_by=dina
    )
    decided = services.erasure_request_decide(
        request=request, decision="erase", reason="Asked", decided_by=dina
    )
    assert decided.run is not None
    services.disposal_run_carry_out(run_id=decided.run.pk)
    services.disposal_run_approve(
        run=run, item_ids=[run.items.get().pk], approved_by=dina, reason="Retention ended"
    )

    assert services.disposal_run_carry_out(run_id=run.pk) == 0

    assert run.items.get().state == DisposalItem.State.ALREADY_ERASED
    assert ErasureTombstone.objects.count() == 1


def test_an_item_not_approved_is_never_erased_even_when_asked_directly(alice, dina):
    case = closed_case(alice, closed_on=years_ago(7))
    run = services.disposal_run_prepare()
    assert run is not None

    assert services.disposal_item_carry_out(item_id=run.items.get().pk) == "listed"
    assert Client.objects.get(pk=case.client_id).family_name != ERASED


def test_the_task_wrappers_list_and_erase_by_id(alice, dina):
    case = closed_case(alice, closed_on=years_ago(7))

    assert disposal_list_task.apply().get() == 1
    run = DisposalRun.objects.get()
    services.disposal_run_approve(
        run=run, item_ids=[run.items.get().pk], approved_by=dina, reason="Retention ended"
    )

    assert disposal_run_carry_out_task.apply(args=[run.pk]).get() == 1
    assert Client.objects.get(pk=case.client_id).given_name == ERASED
