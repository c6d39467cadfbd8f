from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from notes.anchors import Checkpoint, CheckpointInvalid, checkpoint_newest_valid, checkpoint_read
from notes.integrity import chain_breaks
from notes.models import CaseNote


class Command(BaseCommand):
    help = (
        "Walk every case's chain of notes, recompute each note's keyed link (HMAC under "
        "CASELOAD_CHAIN_KEYS) and check that it links to the note before it, then check "
        "every chain against the newest checkpoint in CASELOAD_ANCHOR_DIR whose signature "
        "verifies (and against --checkpoint, if given). Reports each problem with its case; "
        "exits non-zero if there is any. Needs no data key: nothing is decrypted."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--case", type=int, help="Check only this case's notes.")
        parser.add_argument(
            "--checkpoint",
            type=Path,
            help="Also check against this checkpoint file (for example an older one).",
        )

    def handle(self, *args: Any, case: int | None, checkpoint: Path | None, **options: Any) -> None:
        problems = 0
        checkpoints: list[Checkpoint] = []
        newest, invalid = checkpoint_newest_valid()
        for path, reason in invalid:
            problems += 1
            self.stdout.write(f"BAD CHECKPOINT {path.name}: {reason}")
        if checkpoint is not None:
            try:
                given = checkpoint_read(checkpoint)
            except CheckpointInvalid as error:
                problems += 1
                self.stdout.write(f"BAD CHECKPOINT {checkpoint.name}: {error}")
            else:
                if newest is None or given.path.resolve() != newest.path.resolve():
                    checkpoints.append(given)
        if newest is not None:
            checkpoints.insert(0, newest)
        for anchor in checkpoints:
            self.stdout.write(
                f"Checking against checkpoint {anchor.name} ({anchor.created_at}, "
                f"{len(anchor.heads)} chains, sha256 {anchor.digest})."
            )
        if newest is None:
            self.stdout.write(
                self.style.WARNING(
                    f"No checkpoint that verifies in {settings.CASELOAD_ANCHOR_DIR}: deleted "
                    "last notes cannot be detected (run manage.py anchor_notes)."
                )
            )

        checked = 0
        for result in chain_breaks(case_id=case, checkpoints=checkpoints):
            if result.problem is None:
                checked += 1
                continue
            problems += 1
            where = f"note {result.note_id} " if result.note_id is not None else ""
            self.stdout.write(
                f"BREAK case {result.case_id} {where}(sequence {result.sequence}): {result.problem}"
            )
        unkeyed = CaseNote.objects.filter(chain_key_id__isnull=True)
        if case is not None:
            unkeyed = unkeyed.filter(case_id=case)
        if count := unkeyed.count():
            self.stdout.write(
                self.style.WARNING(
                    f"{count} note(s) were linked before the chain was keyed: only the "
                    "checkpoints protect them against a recomputed chain."
                )
            )
        if problems:
            raise CommandError(
                f"{problems} problem(s) found in the notes' chains or their checkpoints."
            )
        self.stdout.write(self.style.SUCCESS(f"{checked} note(s) checked; every chain is intact."))
