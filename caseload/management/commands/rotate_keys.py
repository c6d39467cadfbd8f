from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from caseload import crypto
from caseload.models import DataKey


class Command(BaseCommand):
    help = (
        "Re-wrap every client's data key under the newest master key (the first in "
        "CASELOAD_MASTER_KEYS). Works in batches and can be stopped and run again; when it "
        "reports nothing left, older master keys can be removed from the environment."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        newest = crypto.newest_master_key_id()
        pending = DataKey.objects.filter(wrapped_key__isnull=False).exclude(master_key_id=newest)
        total = pending.count()
        self.stdout.write(f"{total} data key(s) to re-wrap under master key {newest!r}.")
        done = 0
        while True:
            with transaction.atomic():
                batch_query = pending.order_by("pk")
                if connection.features.has_select_for_update_skip_locked:
                    # Two runs at once each take different rows rather than waiting.
                    batch_query = batch_query.select_for_update(skip_locked=True)
                batch = list(batch_query[:batch_size])
                if not batch:
                    break
                for data_key in batch:
                    try:
                        crypto.data_key_rewrap(data_key, key_id=newest)
                    except crypto.CryptoError as error:
                        raise CommandError(str(error)) from None
                DataKey.objects.bulk_update(batch, ["wrapped_key", "master_key_id", "rotated_at"])
            done += len(batch)
            self.stdout.write(f"Re-wrapped {done}/{total}.")
        self.stdout.write(self.style.SUCCESS(f"Done: every data key is wrapped by {newest!r}."))
