"""Checking the notes' hash chains: has anything changed a note behind the database's back?"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from notes.models import CaseNote
from notes.services import GENESIS_HASH


@dataclass(frozen=True)
class ChainResult:
    case_id: int
    note_id: int
    sequence: int
    problem: str | None


def chain_breaks(*, case_id: int | None = None, batch_size: int = 2000) -> Iterator[ChainResult]:
    """One result per note, in chain order; ``problem`` says what is wrong, if anything.

    Reads stored columns only (ciphertext as stored): no key is needed, and a
    shredded client's notes still verify.
    """
    notes = CaseNote.objects.order_by("case_id", "sequence")
    if case_id is not None:
        notes = notes.filter(case_id=case_id)
    previous_case = None
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    for note in notes.iterator(chunk_size=batch_size):
        if note.case_id != previous_case:
            previous_case = note.case_id
            expected_previous = GENESIS_HASH
            expected_sequence = 1
        problem = None
        if note.sequence != expected_sequence:
            problem = f"expected sequence {expected_sequence}: a note is missing"
        elif note.previous_hash != expected_previous:
            problem = "does not link to the hash of the note before it"
        elif note.compute_hash() != note.content_hash:
            problem = "its content no longer matches its hash: it was altered"
        yield ChainResult(note.case_id, note.pk, note.sequence, problem)
        expected_previous = note.content_hash
        expected_sequence = note.sequence + 1
