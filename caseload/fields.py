"""Model fields whose values are encrypted with the owning record's data key.

In Python, forms and templates an encrypted field holds its plain value; in
the database it holds only an AES-GCM token. The model says which data key to
use through an ``encryption_key()`` method. Values are decrypted lazily, on
first access, so listing rows costs nothing for columns not shown.

Encrypted fields cannot be filtered on: search goes through blind indexes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import FieldError
from django.db import models

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

    def db_type(self, connection: Any) -> str:
        return models.TextField().db_type(connection)

    def contribute_to_class(self, cls: type[models.Model], name: str, **kwargs: Any) -> None:
        super().contribute_to_class(cls, name, **kwargs)  # type: ignore[misc]
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
        data_key = instance.encryption_key()  # type: ignore[attr-defined]
        text = crypto.decrypt(data_key=data_key, token=token, context=self.context)
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
        return crypto.encrypt(
            data_key=instance.encryption_key(),  # type: ignore[attr-defined]
            plaintext=self.to_plaintext(value),
            context=self.context,
        )

    def get_prep_value(self, value: Any) -> Any:
        if value is None or isinstance(value, crypto.Ciphertext):
            return value
        raise FieldError(
            f"{self.context} is encrypted and cannot be used in a query; search its blind index."
        )

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        return self.get_prep_value(value)

    def value_to_string(self, obj: models.Model) -> str | None:
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
