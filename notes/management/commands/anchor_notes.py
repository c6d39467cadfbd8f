from typing import Any

from django.core.management.base import BaseCommand

from notes.anchors import checkpoint_write


class Command(BaseCommand):
    help = (
        "Write a signed checkpoint of the newest link of every case's chain of notes to a "
        "new file in CASELOAD_ANCHOR_DIR, and log its digest. The worker does this daily; "
        "run it on demand, for example before and after maintenance."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        written = checkpoint_write()
        self.stdout.write(
            self.style.SUCCESS(
                f"Checkpoint {written.path} written: {written.cases} chain(s), "
                f"sha256 {written.digest}."
            )
        )
