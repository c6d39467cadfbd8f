"""Envelope encryption, blind indexes, key rotation and crypto-shredding."""

import base64
import os
from datetime import date, timedelta

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from caseload import crypto
from caseload.models import DataKey
from cases.models import Client
from tests.factories import CaseFactory, ClientFactory

pytestmark = pytest.mark.django_db

OLD = ("old", b"o" * 32)
NEW = ("new", b"n" * 32)


def _reload(client: Client) -> Client:
    return Client.objects.select_related("data_key").get(pk=client.pk)


def test_a_client_reads_back_exactly_as_written(alice):
    client = ClientFactory(
        given_name="Zoë",
        family_name="O'Brien-Ngata",
        date_of_birth=date(1990, 3, 27),
        created_by=alice,
    )

    again = _reload(client)

    assert (again.given_name, again.family_name) == ("Zoë", "O'Brien-Ngata")
    assert again.date_of_birth == date(1990, 3, 27)
    assert again.preferred_name == ""


def test_the_database_row_holds_only_ciphertext(alice):
    client = ClientFactory(family_name="Quillfeather", created_by=alice)

    with connection.cursor() as cursor:
        cursor.execute("SELECT family_name FROM cases_client WHERE id = %s", [client.pk])
        (stored,) = cursor.fetchone()

    assert stored.startswith("v2.")
    assert "Quillfeather" not in stored


def test_every_client_has_a_data_key_of_their_own(alice):
    first = ClientFactory(created_by=alice)
    second = ClientFactory(created_by=alice)

    assert first.data_key_id != second.data_key_id
    assert crypto.unwrap_data_key(_reload(first).data_key) != crypto.unwrap_data_key(
        _reload(second).data_key
    )


def test_a_ciphertext_copied_to_another_client_does_not_decrypt(alice):
    victim = ClientFactory(family_name="Quillfeather", created_by=alice)
    other = ClientFactory(created_by=alice)
    Client.objects.filter(pk=other.pk).update(
        family_name=crypto.Ciphertext(
            Client.objects.values_list("family_name", flat=True).get(pk=victim.pk)
        )
    )

    with pytest.raises(crypto.DecryptionFailed, match="altered or copied"):
        _ = _reload(other).family_name


def test_an_encrypted_field_cannot_be_searched_in_sql(alice):
    ClientFactory(family_name="Quillfeather", created_by=alice)

    with pytest.raises(FieldError, match="search its blind index"):
        list(Client.objects.filter(family_name="Quillfeather"))


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("  o'brien ", "O'Brien"), ("ÉLODIE", "Elodie"), ("van der berg", "Van Der Berg")],
)
def test_a_blind_index_ignores_case_accents_spaces_and_punctuation(typed, stored):
    assert crypto.blind_index("family_name", typed) == crypto.blind_index("family_name", stored)


def test_blind_indexes_of_different_fields_differ_for_the_same_value():
    assert crypto.blind_index("family_name", "Leeds") != crypto.blind_index("postcode", "Leeds")


def test_a_blind_index_depends_on_its_key(settings):
    before = crypto.blind_index("family_name", "Smith")
    settings.CASELOAD_BLIND_INDEX_KEY = b"x" * 32

    assert crypto.blind_index("family_name", "Smith") != before


def test_a_missing_master_key_is_an_error_naming_the_key_id(settings, alice):
    settings.CASELOAD_MASTER_KEYS = [OLD]
    client = ClientFactory(created_by=alice)
    settings.CASELOAD_MASTER_KEYS = [NEW]

    with pytest.raises(crypto.KeyNotAvailable, match="master key 'old'"):
        _ = _reload(client).family_name


def test_a_wrong_master_key_is_an_error_naming_the_key_id_never_garbage(settings, alice):
    settings.CASELOAD_MASTER_KEYS = [OLD]
    client = ClientFactory(created_by=alice)
    settings.CASELOAD_MASTER_KEYS = [("old", b"w" * 32)]

    with pytest.raises(crypto.DecryptionFailed, match="master key 'old'"):
        _ = _reload(client).family_name


def test_rotating_keys_lets_the_old_master_key_be_removed(settings, alice, capsys):
    settings.CASELOAD_MASTER_KEYS = [OLD]
    clients = [ClientFactory(family_name=f"Rotated{n}", created_by=alice) for n in range(5)]
    settings.CASELOAD_MASTER_KEYS = [NEW, OLD]

    call_command("rotate_keys", batch_size=2)

    assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {"new"}
    settings.CASELOAD_MASTER_KEYS = [NEW]
    assert [_reload(c).family_name for c in clients] == [f"Rotated{n}" for n in range(5)]
    output = capsys.readouterr().out
    assert "5 data key(s) to re-wrap" in output
    assert "Re-wrapped 2/5." in output
    assert "Re-wrapped 5/5." in output


def test_rotating_again_has_nothing_left_to_do(settings, alice, capsys):
    settings.CASELOAD_MASTER_KEYS = [NEW]
    ClientFactory(created_by=alice)

    call_command("rotate_keys")

    assert "0 data key(s) to re-wrap" in capsys.readouterr().out


def test_rotation_without_the_old_key_fails_with_a_readable_error(settings, alice):
    settings.CASELOAD_MASTER_KEYS = [OLD]
    ClientFactory(created_by=alice)
    settings.CASELOAD_MASTER_KEYS = [NEW]

    with pytest.raises(CommandError, match="master key 'old'"):
        call_command("rotate_keys")


def test_shredding_a_data_key_erases_the_client_but_keeps_every_row(alice):
    case = CaseFactory(assigned_to=alice, presenting_issue="Eviction notice")
    client = case.client

    crypto.data_key_shred(data_key=client.data_key)

    again = _reload(client)
    assert again.family_name == crypto.ERASED
    assert Client.objects.filter(pk=client.pk).exists()
    assert type(case).objects.get(pk=case.pk).presenting_issue == crypto.ERASED
    assert DataKey.objects.get(pk=client.data_key_id).wrapped_key is None


def test_an_erased_value_cannot_be_saved_back(alice):
    client = ClientFactory(created_by=alice)
    crypto.data_key_shred(data_key=client.data_key)
    again = _reload(client)
    again.given_name = again.family_name

    with pytest.raises(crypto.DataKeyShredded):
        again.save()


def test_a_dump_of_a_client_holds_ciphertext_not_the_name(alice):
    from django.core import serializers

    client = ClientFactory(family_name="Quillfeather", created_by=alice)

    dumped = serializers.serialize("json", [_reload(client)])

    assert "Quillfeather" not in dumped
    assert "v2." in dumped


def test_master_keys_from_the_environment_are_base64_of_32_bytes():
    from caseload.env import parse_key_ring

    key = base64.urlsafe_b64encode(b"a" * 32).decode()

    assert parse_key_ring("CASELOAD_MASTER_KEYS", f"k:{key}") == [("k", b"a" * 32)]


def _legacy_token(data_key: DataKey, context: str, text: str) -> crypto.Ciphertext:
    """A value as written before values were bound to their row (v1.)."""
    nonce = os.urandom(12)
    sealed = AESGCM(crypto.unwrap_data_key(data_key)).encrypt(
        nonce, text.encode(), f"{context}|{data_key.pk}".encode()
    )
    return crypto.Ciphertext("v1." + base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("="))


def test_upgrading_values_binds_legacy_values_to_their_row_and_keeps_append_only_ones(
    alice, capsys
):
    from notes.models import CaseNote
    from notes.services import note_append

    case = CaseFactory(assigned_to=alice, opened_yesterday=True)
    data_key = case.client.data_key
    Case = type(case)
    Case.objects.filter(pk=case.pk).update(
        presenting_issue=_legacy_token(data_key, "cases.case.presenting_issue", "Old debt advice")
    )
    note = note_append(
        case=case,
        author=alice,
        contact_at=timezone.now() - timedelta(hours=1),
        channel="phone",
        facts="Called",
        next_steps="Call back",
    )
    legacy_facts = _legacy_token(data_key, "notes.casenote.facts", "Called")
    with connection.cursor() as cursor:  # as notes written before the change were
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE notes_casenote SET facts = %s WHERE id = %s", [legacy_facts, note.pk]
        )
        cursor.execute("SET LOCAL session_replication_role = origin")

    call_command("rotate_keys", upgrade_values=True)

    stored = Case.objects.values_list("presenting_issue", flat=True).get(pk=case.pk)
    assert stored.startswith("v2.")
    assert Case.objects.get(pk=case.pk).presenting_issue == "Old debt advice"
    assert "cases.Case: 1 row(s) re-encrypted" in capsys.readouterr().out
    assert CaseNote.objects.values_list("facts", flat=True).get(pk=note.pk) == legacy_facts
    assert CaseNote.objects.select_related("case__client__data_key").get(pk=note.pk).facts == (
        "Called"
    )


def test_every_model_with_encrypted_fields_takes_its_row_id_before_saving():
    from django.apps import apps

    from caseload.fields import EncryptedFieldMixin, EncryptedModel

    encrypted = [
        model
        for model in apps.get_models()
        if any(isinstance(f, EncryptedFieldMixin) for f in model._meta.concrete_fields)
    ]

    assert encrypted
    assert [m._meta.label for m in encrypted if not issubclass(m, EncryptedModel)] == []
