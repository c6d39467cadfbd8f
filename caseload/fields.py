"""Model fields whose values are encrypted with the owning record's data key.

In Python, forms and templates an encrypted field holds its plain value; in
the database it holds only an AES-GCM token. The model says which data key to
use through an ``encryption_key()`` method. Values are decrypted lazily, on
first access, so listing rows costs nothing for columns not shown.

Encrypted fields cannot be filtered on: search goes through blind indexes.

A value is bound to its row: the row's primary key is part of the associated
data, so the key must exist before the row is inserted. Models with
encrypted fields therefore inherit ``EncryptedModel``, whose ``save()`` takes
an id from the table's sequence first and then inserts with it; code that
``bulk_create``s such rows gives them ids with ``row_ids_assign`` first.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date
from typing import Any, cast

from django.core.exceptions import FieldError
from django.db import connections, models, router, transaction
from django.db.models.expressions import RawSQL

from caseload import crypto


class _EncryptedAttribute:
    """Descriptor that decrypts the stored token the first time the value is read."""

    def __init__(self, field: EncryptedFieldMixin) -> None:
        self.field = field

    def __get__(self, instance: models.Model | None, owner: type) -> Any:
        if instance is None:
            return self
        attname = self.field.attname
        if attname not in instance.__dict__:
            instance.refresh_from_db(fields=[attname])
        value = instance.__dict__[attname]
        if isinstance(value, crypto.Ciphertext):
            value = self.field.decrypt_for(instance, value)
            instance.__dict__[attname] = value
        return value

    def __set__(self, instance: models.Model, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedFieldMixin:
    """Shared behaviour; combine with a Django field class for forms and validation."""

    attname: str
    model: type[models.Model]
    name: str

    def get_internal_type(self) -> str:
        return "TextField"

    def db_type(self, connection: Any) -> str | None:
        return models.TextField().db_type(connection)

    def contribute_to_class(
        self, cls: type[models.Model], name: str, private_only: bool = False, **kwargs: Any
    ) -> None:
        # The mixin has no base of its own: the Django field it is combined with
        # provides contribute_to_class, which mypy cannot see from here.
        super().contribute_to_class(cls, name, private_only=private_only, **kwargs)  # type: ignore[misc]
        setattr(cls, self.attname, _EncryptedAttribute(self))

    @property
    def context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    # Conversions between the Python value and the text that is encrypted.
    def to_plaintext(self, value: Any) -> str:
        return str(value)

    def from_plaintext(self, text: str) -> Any:
        return text

    def decrypt_for(self, instance: models.Model, token: crypto.Ciphertext) -> Any:
        # encryption_key() comes from EncryptedModel, the base of every model that
        # has an encrypted field; the field only knows it is on a models.Model.
        data_key = instance.encryption_key()  # type: ignore[attr-defined]
        text = crypto.decrypt(data_key=data_key, token=token, context=self.context, row=instance.pk)
        if isinstance(text, crypto.ErasedValue):
            return text
        return self.from_plaintext(text)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        return None if value is None else crypto.Ciphertext(value)

    def pre_save(self, instance: models.Model, add: bool) -> crypto.Ciphertext | None:
        value = instance.__dict__.get(self.attname)
        if value is None or isinstance(value, crypto.Ciphertext):
            return value
        if isinstance(value, crypto.ErasedValue):
            raise crypto.DataKeyShredded(f"{self.context} was erased and cannot be saved again.")
        if instance.pk is None:
            raise crypto.CryptoError(
                f"{self.context} cannot be encrypted before its row has an id: save it through "
                "EncryptedModel.save(), or give bulk-created rows ids with row_ids_assign()."
            )
        return crypto.encrypt(
            data_key=instance.encryption_key(),  # type: ignore[attr-defined]  # EncryptedModel's
            plaintext=self.to_plaintext(value),
            context=self.context,
            row=instance.pk,
        )

    def get_prep_value(self, value: Any) -> Any:
        if value is None or isinstance(value, crypto.Ciphertext):
            return value
        raise FieldError(
            f"{self.context} is encrypted and cannot be used in a query; search its blind index."
        )

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        return self.get_prep_value(value)

    def value_to_string(self, obj: models.Model) -> Any:  # the token, or None for no value
        """Serialise as the stored token, so that dumps never hold plain personal data."""
        return self.pre_save(obj, add=False)


class EncryptedTextField(EncryptedFieldMixin, models.TextField):
    pass


class EncryptedCharField(EncryptedFieldMixin, models.CharField):
    """Free text with a length limit checked on the plain value; stored as text."""


class EncryptedEmailField(EncryptedFieldMixin, models.EmailField):
    pass


class EncryptedDateField(EncryptedFieldMixin, models.DateField):
    def to_plaintext(self, value: Any) -> str:
        return value.isoformat()

    def from_plaintext(self, text: str) -> date:
        return date.fromisoformat(text)

    def pre_save(self, instance: models.Model, add: bool) -> crypto.Ciphertext | None:
        return EncryptedFieldMixin.pre_save(self, instance, add)


def encrypt_now(instance: models.Model) -> dict[str, str | None]:
    """Encrypt every encrypted field of ``instance`` in place and return the tokens.

    For records whose integrity hash covers the ciphertext: the tokens exist
    before the row is inserted, and reading a field still gives its plain value.
    """
    tokens: dict[str, str | None] = {}
    for field in instance._meta.concrete_fields:
        if isinstance(field, EncryptedFieldMixin):
            token = field.pre_save(instance, add=True)
            instance.__dict__[field.attname] = token
            tokens[field.attname] = None if token is None else str(token)
    return tokens


def row_ids_allocate(
    model: type[models.Model], count: int = 1, *, using: str = "default"
) -> list[int]:
    """Take ``count`` new primary keys for ``model``'s table, before its rows are inserted.

    PostgreSQL hands them out from the table's own sequence (``nextval``), so
    concurrent writers never collide and the sequence stays ahead of every
    row. SQLite has one writer at a time (the embedded default opens its
    transactions IMMEDIATE): the next ids follow the largest ever used, read
    from ``sqlite_sequence`` as well as the table so that an id is never reused,
    and the caller must insert them in the same transaction.
    """
    table = model._meta.db_table
    column = cast(str, model._meta.pk.column)  # a primary key always has a column
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor == "sqlite":
            quoted_table = connection.ops.quote_name(table)
            quoted_column = connection.ops.quote_name(column)
            cursor.execute(
                f"SELECT max(coalesce((SELECT max({quoted_column}) FROM {quoted_table}), 0), "  # noqa: S608 - names from the model
                "coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
                [table],
            )
            (last,) = cursor.fetchone()
            return list(range(last + 1, last + 1 + count))
    raise NotImplementedError(f"No row id allocation for {connection.vendor}.")


def row_id_next(model: type[models.Model], *, using: str = "default") -> RawSQL:
    """``row_ids_allocate(model)[0]`` as an expression, to take the id inside a query the
    caller makes anyway (``notes.services.note_append`` reads it with the case's lock).

    The same rules: PostgreSQL's ``nextval``; on SQLite the next id after the largest
    ever used, so the caller inserts it in the same transaction.
    """
    table = model._meta.db_table
    column = cast(str, model._meta.pk.column)  # a primary key always has a column
    connection = connections[using]
    if connection.vendor == "postgresql":
        return RawSQL("nextval(pg_get_serial_sequence(%s, %s))", [table, column])
    if connection.vendor == "sqlite":
        quoted_table = connection.ops.quote_name(table)
        quoted_column = connection.ops.quote_name(column)
        return RawSQL(  # noqa: S611 - names from the model, the table name a parameter
            f"max(coalesce((SELECT max({quoted_column}) FROM {quoted_table}), 0), "  # noqa: S608 - names from the model
            "coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0)) + 1",
            [table],
        )
    raise NotImplementedError(f"No row id allocation for {connection.vendor}.")


def row_ids_assign(instances: list[Any], *, using: str = "default") -> None:
    """Give every instance without a primary key one, before ``bulk_create``."""
    pending = [instance for instance in instances if instance.pk is None]
    if not pending:
        return
    ids = row_ids_allocate(type(pending[0]), len(pending), using=using)
    for instance, pk in zip(pending, ids, strict=True):
        instance.pk = pk


class EncryptedModel(models.Model):
    """Base of every model with encrypted fields: a new row gets its id before it is saved.

    Encrypted values are bound to the row's id (see the module docstring), so
    ``save()`` of a new row takes the id first, then INSERTs with it (never an
    UPDATE first), inside one transaction so that SQLite's ids stay unique.
    """

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("update_fields"):
            super().save(*args, **kwargs)
            return
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        allocated = self.pk is None
        # SQLite: the id read and the insert must share one (IMMEDIATE) transaction.
        # PostgreSQL's nextval needs none, so a caller's error handling is unchanged.
        single_writer = connections[using].vendor == "sqlite"
        with transaction.atomic(using=using, savepoint=False) if single_writer else nullcontext():
            if allocated:
                self.pk = row_ids_allocate(type(self), using=using)[0]
            kwargs["force_insert"] = kwargs.get("force_insert") or True
            try:
                super().save(*args, **kwargs)
            except Exception:
                if allocated:
                    self.pk = None  # a retry takes a fresh id rather than this unused one
                raise
