"""Referral agency names are personal data (which services a client is involved with):
encrypt them with the client's data key, like the referral's contact and reason.

The column becomes text (as every encrypted column is), then each existing
plaintext value is encrypted under its client's data key. Running it again
changes nothing: a value that already decrypts is left alone. A client whose
data key was destroyed has their agency name erased, as the rest of their
data already is.
"""

from django.db import migrations

import caseload.fields
from caseload import crypto


def _rows(apps):
    Referral = apps.get_model("cases", "Referral")
    DataKey = apps.get_model("caseload", "DataKey")
    context = Referral._meta.get_field("agency").context
    # values_list, not model instances: a historical model has no
    # encryption_key(), and the field's descriptor would try to decrypt.
    rows = Referral.objects.values_list("pk", "agency", "case__client__data_key_id")
    keys = {}
    for pk, stored, data_key_id in rows.iterator():
        if data_key_id not in keys:
            keys[data_key_id] = DataKey.objects.get(pk=data_key_id)
        yield Referral, pk, str(stored), keys[data_key_id], context


def _already_encrypted(stored, data_key, context):
    if data_key.wrapped_key is None or not stored.startswith(crypto.TOKEN_PREFIX):
        return False
    try:
        crypto.decrypt(data_key=data_key, token=stored, context=context)
    except crypto.DecryptionFailed:
        return False
    return True


def encrypt_agencies(apps, schema_editor):
    for Referral, pk, stored, data_key, context in _rows(apps):
        if _already_encrypted(stored, data_key, context):
            continue
        if data_key.wrapped_key is None:
            token = crypto.Ciphertext("")  # the client was erased: so is this
        else:
            token = crypto.encrypt(data_key=data_key, plaintext=stored, context=context)
        Referral.objects.filter(pk=pk).update(agency=token)


def decrypt_agencies(apps, schema_editor):
    for Referral, pk, stored, data_key, context in _rows(apps):
        if not _already_encrypted(stored, data_key, context):
            continue
        plain = crypto.decrypt(data_key=data_key, token=stored, context=context)
        # Wrapped as Ciphertext only so the (still encrypted) field lets it through
        # unchanged; the next step turns the column back into plain text.
        Referral.objects.filter(pk=pk).update(agency=crypto.Ciphertext(plain))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0012_data_protection_role"),
        ("caseload", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="referral",
            name="agency",
            field=caseload.fields.EncryptedCharField(
                help_text="The organisation referred to or from.", max_length=200
            ),
        ),
        migrations.RunPython(encrypt_agencies, decrypt_agencies),
    ]
