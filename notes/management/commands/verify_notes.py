from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from notes.integrity import chain_breaks


class Command(BaseCommand):
    help = (
        "Walk every case's chain of notes, recompute each note's hash and check that it "
        "links to the note before it. Reports each break with its case and note; exits "
        "non-zero if there is any."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--case", type=int, help="Check only this case's notes.")

    def handle(self, *args: Any, case: int | None, **options: Any) -> None:
        checked = 0
        breaks = 0
        for result in chain_breaks(case_id=case):
            if result.problem is None:
                checked += 1
                continue
            breaks += 1
            self.stdout.write(
                f"BREAK case {result.case_id} note {result.note_id} "
                f"(sequence {result.sequence}): {result.problem}"
            )
        if breaks:
            raise CommandError(f"{breaks} break(s) found in the notes' hash chains.")
        self.stdout.write(self.style.SUCCESS(f"{checked} note(s) checked; every chain is intact."))
