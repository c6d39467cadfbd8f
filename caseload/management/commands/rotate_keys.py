from argparse import ArgumentParser
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, connection, models, transaction

from caseload import crypto
from caseload.append_only import APPEND_ONLY_TABLES, SET_ONCE_COLUMNS, AppendOnlyModel
from caseload.fields import EncryptedFieldMixin
from caseload.models import DataKey


def _append_only(model: type[models.Model]) -> bool:
    """Rows the database lets nobody rewrite (and the application's role may not UPDATE)."""
    table = model._meta.db_table
    return (
        issubclass(model, AppendOnlyModel)
        or table in APPEND_ONLY_TABLES
        or table in SET_ONCE_COLUMNS
    )


class Command(BaseCommand):
    help = (
        "Re-wrap every client's data key under the newest master key (the first in "
        "CASELOAD_MASTER_KEYS). Works in batches and can be stopped and run again; when it "
        "reports nothing left, older master keys can be removed from the environment. "
        "With --upgrade-values, also re-encrypt values written before values were bound to "
        "their row (v1.) so that they are (v2.), in every table that may be changed."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--upgrade-values",
            action="store_true",
            help="Re-encrypt v1. values bound to their row; append-only tables keep theirs.",
        )

    def handle(self, *args: Any, batch_size: int, upgrade_values: bool, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        self._rewrap(batch_size)
        if upgrade_values:
            for model in apps.get_models():
                fields: list[EncryptedFieldMixin] = [
                    f for f in model._meta.concrete_fields if isinstance(f, EncryptedFieldMixin)
                ]
                if fields and not _append_only(model):
                    self._upgrade(model, fields, batch_size)

    def _rewrap(self, batch_size: int) -> None:
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

    def _upgrade(
        self, model: type[models.Model], fields: list[EncryptedFieldMixin], batch_size: int
    ) -> None:
        legacy = models.Q()
        for field in fields:
            legacy |= models.Q(
                **{f"{field.attname}__startswith": crypto.Ciphertext(crypto.LEGACY_TOKEN_PREFIX)}
            )
        rows = model._base_manager.filter(legacy).order_by("pk")
        upgraded = kept = 0
        last = None
        while True:
            batch = list((rows if last is None else rows.filter(pk__gt=last))[:batch_size])
            if not batch:
                break
            for row in batch:
                last = row.pk
                stored = {f.attname: row.__dict__[f.attname] for f in fields}
                updates = {}
                for field in fields:
                    token = stored[field.attname]
                    if token is None or not crypto.is_legacy(token):
                        continue
                    # Every model with an encrypted field is an EncryptedModel.
                    data_key = row.encryption_key()  # type: ignore[attr-defined]
                    try:
                        text = crypto.decrypt(
                            data_key=data_key, token=token, context=field.context, row=row.pk
                        )
                    except crypto.CryptoError as error:
                        raise CommandError(str(error)) from None
                    if isinstance(text, crypto.ErasedValue):
                        continue
                    updates[field.attname] = crypto.encrypt(
                        data_key=data_key, plaintext=text, context=field.context, row=row.pk
                    )
                if not updates:
                    continue
                try:
                    with transaction.atomic():
                        # Only if nobody changed the row meanwhile: never write back a stale value.
                        changed = model._base_manager.filter(pk=row.pk, **stored).update(**updates)
                except IntegrityError:
                    changed = 0  # a trigger keeps this row as it is (a record that is final)
                if changed:
                    upgraded += 1
                else:
                    kept += 1
        if upgraded or kept:
            self.stdout.write(
                f"{model._meta.label}: {upgraded} row(s) re-encrypted bound to their row; "
                f"{kept} kept as they were (final records, or changed meanwhile)."
            )
