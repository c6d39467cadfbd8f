"""Checking the notes' chains: has anything changed a note behind the database's back?

Each note's link is an HMAC under the chain key (``notes.chain``) over its
id, case, position, the previous note's link and its stored columns, so an
altered or swapped ciphertext, a note deleted from the middle, or a chain
recomputed without the key shows as a break. What the key alone cannot show
(the last notes of a case deleted, or a chain recomputed by someone holding
the key) shows against the signed checkpoints kept outside the database
(``notes.anchors``): the head they anchor must still be there, unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from notes.anchors import Checkpoint
from notes.chain import ChainKeyMissing
from notes.models import CaseNote
from notes.services import GENESIS_HASH


@dataclass(frozen=True)
class ChainResult:
    case_id: int
    note_id: int | None  # None when the problem is a note that is no longer there
    sequence: int
    problem: str | None


def _missing_heads(
    case_id: int, last_sequence: int, checkpoints: Sequence[Checkpoint]
) -> Iterator[ChainResult]:
    for checkpoint in checkpoints:
        head = checkpoint.heads.get(case_id)
        if head is not None and head[0] > last_sequence:
            now = (
                f"the chain ends at sequence {last_sequence}"
                if last_sequence
                else "the case has no notes left"
            )
            yield ChainResult(
                case_id,
                None,
                head[0],
                f"checkpoint {checkpoint.name} anchors note sequence {head[0]}, but {now}: "
                "the last note(s) were deleted",
            )


def _problem(
    note: CaseNote,
    *,
    expected_sequence: int,
    expected_previous: str,
    keyed_before: bool,
    checkpoints: Sequence[Checkpoint],
) -> str | None:
    if note.sequence != expected_sequence:
        return f"expected sequence {expected_sequence}: a note is missing (deleted)"
    if note.previous_hash != expected_previous:
        return "does not link to the note before it: notes were removed, reordered or re-linked"
    try:
        link = note.compute_hash()
    except ChainKeyMissing as error:
        return f"cannot be checked: {error}"
    if link != note.content_hash:
        return (
            "its stored content (ciphertext or fields) does not match its keyed link: it was "
            "altered, swapped with another note's, or the chain was recomputed without the key"
        )
    if note.chain_key_id is None:
        if keyed_before:
            return "an unkeyed link after keyed ones: the chain was recomputed without the key"
        for checkpoint in checkpoints:
            head = checkpoint.heads.get(note.case_id)
            if head is None or note.sequence > head[0]:
                return (
                    f"an unkeyed link that checkpoint {checkpoint.name} does not cover: notes "
                    "were added or recomputed without the key"
                )
    for checkpoint in checkpoints:
        head = checkpoint.heads.get(note.case_id)
        if head is not None and head[0] == note.sequence and head[1] != note.content_hash:
            return (
                f"its link differs from the one anchored in checkpoint {checkpoint.name}: the "
                "chain was rewritten after the checkpoint"
            )
    return None


def chain_breaks(
    *,
    case_id: int | None = None,
    checkpoints: Sequence[Checkpoint] = (),
    batch_size: int = 2000,
) -> Iterator[ChainResult]:
    """One result per note, in chain order, plus one per anchored head that has gone.

    ``problem`` says what is wrong, if anything. Reads stored columns only
    (ciphertext as stored): no data key is needed, and a shredded client's
    notes still verify; the chain keys are needed.
    """
    notes = CaseNote.objects.order_by("case_id", "sequence")
    if case_id is not None:
        notes = notes.filter(case_id=case_id)
    seen: set[int] = set()
    current: int | None = None
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    keyed_before = False
    for note in notes.iterator(chunk_size=batch_size):
        if note.case_id != current:
            if current is not None:
                yield from _missing_heads(current, expected_sequence - 1, checkpoints)
            current = note.case_id
            seen.add(current)
            expected_previous = GENESIS_HASH
            expected_sequence = 1
            keyed_before = False
        problem = _problem(
            note,
            expected_sequence=expected_sequence,
            expected_previous=expected_previous,
            keyed_before=keyed_before,
            checkpoints=checkpoints,
        )
        yield ChainResult(note.case_id, note.pk, note.sequence, problem)
        expected_previous = note.content_hash
        expected_sequence = note.sequence + 1
        keyed_before = keyed_before or note.chain_key_id is not None
    if current is not None:
        yield from _missing_heads(current, expected_sequence - 1, checkpoints)
    # Cases whose every note has gone since a checkpoint anchored them.
    for checkpoint in checkpoints:
        for anchored_case in sorted(checkpoint.heads):
            if anchored_case in seen or (case_id is not None and anchored_case != case_id):
                continue
            yield from _missing_heads(anchored_case, 0, [checkpoint])
