"""A wrong, missing or unknown master key is caught before anything is written."""

import base64
import logging

import pytest
from django.db import connection
from django.urls import reverse

from caseload import crypto
from caseload.keycheck import (
    FAILED,
    OK,
    KeyCheckFailed,
    canary_opens,
    key_check_forget,
    key_check_run,
)
from caseload.models import DataKey, KeyCanary
from cases.models import Client
from tests.conftest import client_for
from tests.factories import CaseFactory, CaseTypeFactory, ClientFactory

pytestmark = pytest.mark.django_db

OLD = ("old", b"o" * 32)
NEW = ("new", b"n" * 32)
OLD_WRONG = ("old", b"w" * 32)


def _with_ring(settings, *ring):
    """Restart, as far as the key check goes, with ``ring`` as CASELOAD_MASTER_KEYS."""
    settings.CASELOAD_MASTER_KEYS = list(ring)
    key_check_forget()


def _forget_canaries():
    """As a database from before canaries: only the owner could do this (append-only)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("DELETE FROM caseload_keycanary")
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def test_the_first_data_key_records_a_canary_that_only_its_master_key_opens(settings, alice):
    _with_ring(settings, OLD)

    ClientFactory(created_by=alice)

    canary = KeyCanary.objects.get()
    assert canary.master_key_id == "old"
    assert canary_opens(key_id="old", key=OLD[1], sealed=canary.sealed)
    assert not canary_opens(key_id="old", key=OLD_WRONG[1], sealed=canary.sealed)


def test_a_key_with_the_right_id_and_the_wrong_value_is_refused_naming_the_key(settings, alice):
    _with_ring(settings, OLD)
    ClientFactory(created_by=alice)
    _with_ring(settings, OLD_WRONG)

    check = key_check_run(record=True)

    assert (check.status, check.key_id) == (FAILED, "old")
    assert "'old'" in check.message
    assert "wrong value" in check.message


def test_no_client_is_created_under_a_key_with_the_wrong_value(settings, alice):
    _with_ring(settings, OLD)
    ClientFactory(created_by=alice)
    _with_ring(settings, OLD_WRONG)

    with pytest.raises(KeyCheckFailed, match="'old'"):
        ClientFactory(created_by=alice)

    assert Client.objects.count() == 1
    assert DataKey.objects.count() == 1


def test_an_unknown_key_is_refused_naming_the_key_the_stored_data_needs(settings, alice):
    _with_ring(settings, OLD)
    ClientFactory(created_by=alice)
    _with_ring(settings, NEW)

    with pytest.raises(KeyCheckFailed, match=r"master key 'old'.*add it back"):
        ClientFactory(created_by=alice)

    assert Client.objects.count() == 1


def test_a_ring_unknown_to_a_database_with_canaries_only_is_refused(settings):
    _with_ring(settings, OLD)
    key_check_run(record=True)
    _with_ring(settings, NEW)

    check = key_check_run(record=True)

    assert (check.status, check.key_id) == (FAILED, "new")
    assert "unknown to this database" in check.message
    assert list(KeyCanary.objects.values_list("master_key_id", flat=True)) == ["old"]


def test_a_new_key_put_first_is_vouched_for_by_the_current_key_and_gets_a_canary(settings, alice):
    _with_ring(settings, OLD)
    ClientFactory(created_by=alice)
    _with_ring(settings, NEW, OLD)

    check = key_check_run(record=True)

    assert (check.status, check.key_id) == (OK, "new")
    new_canary = KeyCanary.objects.get(master_key_id="new")
    assert canary_opens(key_id="new", key=NEW[1], sealed=new_canary.sealed)


def test_after_rotation_the_old_key_can_go_and_new_clients_are_written(settings, alice):
    _with_ring(settings, OLD)
    first = ClientFactory(family_name="Quorndonshire", created_by=alice)
    _with_ring(settings, NEW, OLD)
    from django.core.management import call_command

    call_command("rotate_keys")
    _with_ring(settings, NEW)
    second = ClientFactory(created_by=alice)

    assert second.data_key.master_key_id == "new"
    assert Client.objects.get(pk=first.pk).family_name == "Quorndonshire"


def test_a_retired_key_put_back_with_another_value_is_refused(settings, alice):
    _with_ring(settings, OLD)
    ClientFactory(created_by=alice)
    _with_ring(settings, NEW, OLD)
    from django.core.management import call_command

    call_command("rotate_keys")
    _with_ring(settings, NEW, OLD_WRONG)

    check = key_check_run(record=True)

    assert (check.status, check.key_id) == (FAILED, "old")


def test_a_database_from_before_canaries_is_proven_by_its_data_keys(settings, alice):
    _with_ring(settings, OLD)
    ClientFactory(created_by=alice)
    _forget_canaries()
    _with_ring(settings, OLD_WRONG)

    refused = key_check_run(record=True)
    _with_ring(settings, OLD)
    accepted = key_check_run(record=True)

    assert (refused.status, refused.key_id) == (FAILED, "old")
    assert "does not unwrap the data keys" in refused.message
    assert accepted.status == OK
    assert KeyCanary.objects.filter(master_key_id="old").exists()


def test_canaries_cannot_be_changed_or_deleted(settings):
    _with_ring(settings, OLD)
    key_check_run(record=True)

    with pytest.raises(Exception, match="append-only"):
        KeyCanary.objects.update(sealed="forged")


# --- /healthz ---------------------------------------------------------------


def test_the_health_check_reports_the_key_check_with_the_newest_key_id(client, settings, alice):
    _with_ring(settings, NEW, OLD)
    ClientFactory(created_by=alice)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "master_keys": {"status": "ok", "key_id": "new"},
    }


def test_the_health_check_fails_naming_the_key_at_fault_and_nothing_secret(client, settings, alice):
    _with_ring(settings, OLD)
    ClientFactory(created_by=alice)
    _with_ring(settings, OLD_WRONG)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "master keys failed",
        "master_keys": {"status": "failed", "key_id": "old"},
    }
    body = response.content.decode()
    assert base64.urlsafe_b64encode(OLD_WRONG[1]).decode().rstrip("=") not in body
    assert base64.urlsafe_b64encode(OLD[1]).decode().rstrip("=") not in body


# --- pages ------------------------------------------------------------------


def _browser(user):
    browser = client_for(user)
    browser.raise_request_exception = False
    return browser


def test_a_value_that_does_not_decrypt_shows_the_record_cannot_be_read_and_logs_the_key(
    alice, caplog
):
    client = CaseFactory(assigned_to=alice, client__created_by=alice).client
    other = ClientFactory(created_by=alice)
    copied = Client.objects.values_list("family_name", flat=True).get(pk=other.pk)
    Client.objects.filter(pk=client.pk).update(family_name=crypto.Ciphertext(copied))

    with caplog.at_level(logging.ERROR, logger="caseload.keys"):
        response = _browser(alice).get(reverse("cases:client_detail", args=[client.pk]))

    html = response.content.decode()
    assert response.status_code == 500
    assert "This record cannot be read" in html
    assert "An administrator has been told" in html
    assert str(client.data_key_id) in caplog.text
    assert repr(crypto.newest_master_key_id()) in caplog.text
    for value in (client.given_name, client.family_name, other.family_name):
        assert value not in html
        assert value not in caplog.text


def test_a_master_key_with_the_wrong_value_shows_the_record_cannot_be_read(settings, alice, caplog):
    _with_ring(settings, OLD)
    client = CaseFactory(assigned_to=alice, client__created_by=alice).client
    settings.CASELOAD_MASTER_KEYS = [OLD_WRONG]

    with caplog.at_level(logging.ERROR, logger="caseload.keys"):
        response = _browser(alice).get(reverse("cases:client_detail", args=[client.pk]))

    assert response.status_code == 500
    assert "This record cannot be read" in response.content.decode()
    assert "master key 'old'" in caplog.text


def test_a_new_client_refused_by_the_key_check_gets_the_unavailable_page_and_nothing_is_saved(
    settings, alice
):
    _with_ring(settings, OLD)
    ClientFactory(created_by=alice)
    _with_ring(settings, NEW)
    form = {
        "given_name": "Ottoline",
        "family_name": "Quillfeather",
        "date_of_birth": "03/11/1987",
        "postcode": "LS6 2QT",
        "case-case_type": str(CaseTypeFactory(name="Housing").pk),
        "case-presenting_issue": "Rent arrears",
        "case-referral_source": "self",
    }

    response = _browser(alice).post(reverse("cases:client_create"), form)

    assert response.status_code == 503
    assert "Caseload is unavailable for a moment" in response.content.decode()
    assert "Quillfeather" not in response.content.decode()
    assert Client.objects.count() == 1
