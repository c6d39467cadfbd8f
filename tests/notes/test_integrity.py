"""The keyed, anchored note chain against someone who can rewrite the database.

Each tampering test acts as the database's owner would: with the append-only
triggers switched off for the statement (the suite connects as a superuser).
"""

import base64
import json
import os
from contextlib import contextmanager
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from caseload import crypto
from cases.models import Case
from notes import services
from notes.anchors import CheckpointInvalid, checkpoint_files, checkpoint_read, checkpoint_write
from notes.models import CaseNote
from notes.tasks import anchor_notes_task
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

OTHER_KEY = base64.urlsafe_b64decode(base64.urlsafe_b64encode(b"x" * 32))


def _note(case, author, *, hours_ago, facts="Client called about the rent"):
    now = timezone.now()
    return services.note_append(
        case=case,
        author=author,
        contact_at=now - timedelta(hours=hours_ago),
        channel="phone",
        facts=facts,
        next_steps="Call the landlord on Monday",
        now=now,
    )


@pytest.fixture
def case(alice):
    """Opened the day before, so that notes of contacts hours ago come after its opening
    whatever the hour the test runs (a contact cannot precede the case)."""
    return CaseFactory(assigned_to=alice, opened_yesterday=True)


@pytest.fixture
def three_notes(case, alice):
    return [_note(case, alice, hours_ago=h) for h in (3, 2, 1)]


@contextmanager
def _triggers_off():
    """As the owner could: no trigger fires (append-only, foreign keys) until the end."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        try:
            yield cursor
        finally:
            cursor.execute("SET LOCAL session_replication_role = origin")


def _stored(note_id: int, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM notes_casenote WHERE id = %s", [note_id])  # noqa: S608
        return cursor.fetchone()[0]


def _rechain(case: Case) -> None:
    """Recompute every link of the case's chain with whatever chain keys are configured."""
    previous = services.GENESIS_HASH
    with _triggers_off() as cursor:
        for note in CaseNote.objects.filter(case=case).order_by("sequence"):
            note.previous_hash = previous
            link = note.compute_hash()
            cursor.execute(
                "UPDATE notes_casenote SET previous_hash = %s, content_hash = %s WHERE id = %s",
                [previous, link, note.pk],
            )
            previous = link


def _verify(capsys) -> tuple[bool, str]:
    try:
        call_command("verify_notes")
    except CommandError:
        return False, capsys.readouterr().out
    return True, capsys.readouterr().out


def test_a_clean_database_verifies_against_its_checkpoint(three_notes, capsys):
    checkpoint_write()

    ok, out = _verify(capsys)

    assert ok, out
    assert "Checking against checkpoint notes-" in out
    assert "3 note(s) checked; every chain is intact." in out


def test_each_note_records_the_newest_chain_key(three_notes, settings):
    assert {note.chain_key_id for note in three_notes} == {settings.CASELOAD_CHAIN_KEYS[0][0]}


def test_an_altered_ciphertext_is_reported_naming_the_case(case, three_notes, capsys):
    victim = three_notes[1]
    token = _stored(victim.pk, "facts")
    altered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    with _triggers_off() as cursor:
        cursor.execute("UPDATE notes_casenote SET facts = %s WHERE id = %s", [altered, victim.pk])

    ok, out = _verify(capsys)

    assert not ok
    assert f"BREAK case {case.pk} note {victim.pk} (sequence 2): its stored content" in out


def test_an_altered_field_is_reported(case, three_notes, capsys):
    victim = three_notes[0]
    with _triggers_off() as cursor:
        cursor.execute("UPDATE notes_casenote SET channel = 'letter' WHERE id = %s", [victim.pk])

    ok, out = _verify(capsys)

    assert not ok
    assert f"BREAK case {case.pk} note {victim.pk} (sequence 1)" in out


def test_two_notes_whose_ciphertexts_were_swapped_are_both_reported(case, three_notes, capsys):
    first, second = three_notes[0], three_notes[2]
    first_facts, second_facts = _stored(first.pk, "facts"), _stored(second.pk, "facts")
    with _triggers_off() as cursor:
        cursor.execute(
            "UPDATE notes_casenote SET facts = %s WHERE id = %s", [second_facts, first.pk]
        )
        cursor.execute(
            "UPDATE notes_casenote SET facts = %s WHERE id = %s", [first_facts, second.pk]
        )

    ok, out = _verify(capsys)

    assert not ok
    assert f"BREAK case {case.pk} note {first.pk} (sequence 1)" in out
    assert f"BREAK case {case.pk} note {second.pk} (sequence 3)" in out


def test_a_note_deleted_from_the_middle_is_reported(case, three_notes, capsys):
    with _triggers_off() as cursor:
        cursor.execute("DELETE FROM notes_casenote WHERE id = %s", [three_notes[1].pk])

    ok, out = _verify(capsys)

    assert not ok
    assert f"BREAK case {case.pk} note {three_notes[2].pk} (sequence 3): expected sequence 2" in out


def test_the_last_note_deleted_after_a_checkpoint_is_reported(case, three_notes, capsys):
    checkpoint_write()
    with _triggers_off() as cursor:
        cursor.execute("DELETE FROM notes_casenote WHERE id = %s", [three_notes[2].pk])

    ok, out = _verify(capsys)

    assert not ok
    assert f"BREAK case {case.pk} (sequence 3): checkpoint notes-" in out
    assert "the chain ends at sequence 2: the last note(s) were deleted" in out


def test_every_note_of_a_case_deleted_after_a_checkpoint_is_reported(case, three_notes, capsys):
    checkpoint_write()
    with _triggers_off() as cursor:
        cursor.execute("DELETE FROM notes_casenote WHERE case_id = %s", [case.pk])

    ok, out = _verify(capsys)

    assert not ok
    assert f"BREAK case {case.pk} (sequence 3)" in out
    assert "the case has no notes left" in out


def test_a_chain_recomputed_without_the_key_is_reported(case, three_notes, settings, capsys):
    victim = three_notes[1]
    with _triggers_off() as cursor:
        cursor.execute("UPDATE notes_casenote SET channel = 'letter' WHERE id = %s", [victim.pk])
    real_keys = settings.CASELOAD_CHAIN_KEYS
    # The forger knows the key's id (it is stored) but not the key.
    settings.CASELOAD_CHAIN_KEYS = [(real_keys[0][0], OTHER_KEY)]
    _rechain(case)
    settings.CASELOAD_CHAIN_KEYS = real_keys

    ok, out = _verify(capsys)

    assert not ok
    for note in three_notes:
        assert f"BREAK case {case.pk} note {note.pk} (sequence {note.sequence})" in out


def test_a_chain_recomputed_as_unkeyed_links_is_reported(case, three_notes, capsys):
    checkpoint_write()
    with _triggers_off() as cursor:
        cursor.execute(
            "UPDATE notes_casenote SET chain_key_id = NULL WHERE case_id = %s", [case.pk]
        )
    _rechain(case)

    ok, out = _verify(capsys)

    assert not ok
    assert f"BREAK case {case.pk} note {three_notes[2].pk} (sequence 3)" in out


def test_a_chain_recomputed_with_the_key_after_a_checkpoint_is_reported(case, three_notes, capsys):
    checkpoint_write()
    with _triggers_off() as cursor:
        cursor.execute(
            "UPDATE notes_casenote SET channel = 'letter' WHERE id = %s", [three_notes[1].pk]
        )
    _rechain(case)

    ok, out = _verify(capsys)

    assert not ok
    assert (
        f"BREAK case {case.pk} note {three_notes[2].pk} (sequence 3): its link differs from the "
        "one anchored in checkpoint notes-"
    ) in out


def test_notes_added_after_a_checkpoint_still_verify(case, three_notes, alice, capsys):
    checkpoint_write()
    _note(case, alice, hours_ago=0)
    CaseFactory(assigned_to=alice)

    ok, out = _verify(capsys)

    assert ok, out


def test_the_anchor_command_writes_a_checkpoint_whose_signature_verifies(
    case, three_notes, settings, capsys
):
    other = CaseFactory(assigned_to=case.assigned_to, opened_yesterday=True)
    _note(other, case.assigned_to, hours_ago=1)

    call_command("anchor_notes")

    (path,) = checkpoint_files()
    assert path.parent == settings.CASELOAD_ANCHOR_DIR
    checkpoint = checkpoint_read(path)
    assert checkpoint.key_id == settings.CASELOAD_CHAIN_KEYS[0][0]
    assert checkpoint.heads[case.pk] == (3, three_notes[2].content_hash)
    assert checkpoint.heads[other.pk][0] == 1
    assert checkpoint.digest in capsys.readouterr().out


def test_a_checkpoint_logs_its_digest(three_notes, caplog):
    with caplog.at_level("INFO", logger="caseload.anchors"):
        written = checkpoint_write()

    assert written.digest in caplog.text


def test_a_checkpoint_is_never_overwritten(three_notes):
    now = timezone.now()
    checkpoint_write(now=now)

    with pytest.raises(FileExistsError):
        checkpoint_write(now=now)
    assert len(checkpoint_files()) == 1
    assert not [p for p in checkpoint_files()[0].parent.iterdir() if p.name.startswith(".")]


def test_a_tampered_checkpoint_is_reported(case, three_notes, capsys):
    path = checkpoint_write().path
    lines = path.read_text().splitlines(keepends=True)
    lines[1] = json.dumps([case.pk, 2, three_notes[1].content_hash]) + "\n"
    path.write_text("".join(lines))

    ok, out = _verify(capsys)

    assert not ok
    assert f"BAD CHECKPOINT {path.name}: signature does not verify" in out


def test_a_truncated_checkpoint_is_reported(three_notes):
    path = checkpoint_write().path
    path.write_text(path.read_text().splitlines(keepends=True)[0])

    with pytest.raises(CheckpointInvalid, match="not a well-formed checkpoint"):
        checkpoint_read(path)


def test_an_older_checkpoint_given_by_name_is_checked_too(case, three_notes, alice, capsys):
    older = checkpoint_write(now=timezone.now() - timedelta(days=1)).path
    _note(case, alice, hours_ago=0)
    checkpoint_write()
    _rechain_after_altering = three_notes[0]
    with _triggers_off() as cursor:
        cursor.execute(
            "UPDATE notes_casenote SET channel = 'letter' WHERE id = %s",
            [_rechain_after_altering.pk],
        )
    _rechain(case)

    with pytest.raises(CommandError):
        call_command("verify_notes", checkpoint=older)

    assert f"one anchored in checkpoint {older.name}" in capsys.readouterr().out


def test_after_rotating_the_chain_key_old_links_and_checkpoints_still_verify(
    case, alice, settings, capsys
):
    _note(case, alice, hours_ago=2)
    checkpoint_write(now=timezone.now() - timedelta(minutes=1))
    settings.CASELOAD_CHAIN_KEYS = [("chain2", b"n" * 32), *settings.CASELOAD_CHAIN_KEYS]
    newer = _note(case, alice, hours_ago=1)

    ok, out = _verify(capsys)

    assert ok, out
    assert newer.chain_key_id == "chain2"


def test_a_retired_key_that_was_dropped_is_named(case, alice, settings, capsys):
    note = _note(case, alice, hours_ago=1)
    settings.CASELOAD_CHAIN_KEYS = [("chain2", b"n" * 32)]

    ok, out = _verify(capsys)

    assert not ok
    assert f"note {note.pk} (sequence 1): cannot be checked: chain key {note.chain_key_id!r}" in out


def test_the_daily_task_writes_a_checkpoint(three_notes):
    name = anchor_notes_task.apply().get()

    assert [p.name for p in checkpoint_files()] == [name]


def test_notes_linked_before_the_chain_was_keyed_still_verify(case, three_notes, capsys):
    with _triggers_off() as cursor:
        cursor.execute(
            "UPDATE notes_casenote SET chain_key_id = NULL WHERE case_id = %s", [case.pk]
        )
    _rechain(case)  # as the unkeyed SHA-256 links of the time were made

    ok, out = _verify(capsys)

    assert ok, out
    assert "3 note(s) were linked before the chain was keyed" in out


def test_an_unkeyed_link_after_keyed_ones_is_reported(case, three_notes, capsys):
    with _triggers_off() as cursor:
        cursor.execute(
            "UPDATE notes_casenote SET chain_key_id = NULL WHERE id = %s", [three_notes[2].pk]
        )
    _rechain(case)

    ok, out = _verify(capsys)

    assert not ok
    assert f"note {three_notes[2].pk} (sequence 3): an unkeyed link after keyed ones" in out


def test_the_worker_writes_a_checkpoint_every_night():
    task = PeriodicTask.objects.get(task="notes.tasks.anchor_notes_task")

    assert (task.crontab.hour, task.crontab.minute) == ("2", "15")


# --- values bound to their row ------------------------------------------------


def test_a_note_ciphertext_copied_to_another_note_of_the_same_client_does_not_decrypt(
    case, three_notes
):
    source, target = three_notes[0], three_notes[1]
    with _triggers_off() as cursor:
        cursor.execute(
            "UPDATE notes_casenote SET facts = %s WHERE id = %s",
            [_stored(source.pk, "facts"), target.pk],
        )

    copied = CaseNote.objects.select_related("case__client__data_key").get(pk=target.pk)
    with pytest.raises(crypto.DecryptionFailed, match=f"row {target.pk} .*copied from another"):
        _ = copied.facts


def test_a_case_ciphertext_copied_to_another_case_of_the_same_client_does_not_decrypt(alice):
    first = CaseFactory(assigned_to=alice, presenting_issue="Eviction notice")
    second = CaseFactory(assigned_to=alice, client=first.client)
    Case.objects.filter(pk=second.pk).update(
        presenting_issue=crypto.Ciphertext(
            Case.objects.values_list("presenting_issue", flat=True).get(pk=first.pk)
        )
    )

    copied = Case.objects.select_related("client__data_key").get(pk=second.pk)
    with pytest.raises(crypto.DecryptionFailed, match="altered or copied from another record"):
        _ = copied.presenting_issue


def test_a_value_written_before_rows_were_bound_still_decrypts(alice):
    case = CaseFactory(assigned_to=alice)
    data_key = case.client.data_key
    nonce = os.urandom(12)
    sealed = AESGCM(crypto.unwrap_data_key(data_key)).encrypt(
        nonce, b"Old debt advice", f"cases.case.presenting_issue|{data_key.pk}".encode()
    )
    legacy = "v1." + base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
    Case.objects.filter(pk=case.pk).update(presenting_issue=crypto.Ciphertext(legacy))

    assert Case.objects.get(pk=case.pk).presenting_issue == "Old debt advice"


def test_a_new_row_with_encrypted_fields_is_one_insert_with_its_id_taken_first(alice):
    with CaptureQueriesContext(connection) as queries:
        case = CaseFactory(assigned_to=alice)

    statements = [q["sql"] for q in queries.captured_queries]
    assert any("nextval" in sql for sql in statements)
    writes = [
        s for s in statements if s.startswith(('INSERT INTO "cases_case"', 'UPDATE "cases_case"'))
    ]
    # The row's first write is its INSERT, with the id taken beforehand.
    assert writes[0].startswith('INSERT INTO "cases_case" ("id", ')
    assert f"{case.pk}" in queries.captured_queries[statements.index(writes[0])]["sql"]
