"""No personal data in plaintext anywhere in the database; every read is audited."""

from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.urls import reverse

from cases import services
from cases.models import Case, Client
from tests.conftest import client_for
from tests.factories import CaseFactory, ClientFactory, ConsentFactory

pytestmark = pytest.mark.django_db

SECRETS = {
    "given_name": "Ottoline",
    "family_name": "Quillfeather",
    "email": "ottoline.q@example.net",
    "phone": "07700 900461",
    "address": "14 Larkspur Mews, Leeds",
    "postcode": "LS6 2QT",
    "communication_needs": "Prefers texts to calls",
    "vulnerability_notes": "Recently discharged from Ward 9",
}


def _all_rows_as_text() -> str:
    """Every row of every table in the public schema, as PostgreSQL prints it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        tables = [row[0] for row in cursor.fetchall()]
        chunks = []
        for table in tables:
            cursor.execute(f'SELECT t::text FROM "{table}" AS t')  # noqa: S608 - our own table names
            chunks.extend(row[0] for row in cursor.fetchall())
    return "\n".join(chunks)


def test_no_table_holds_a_client_s_personal_data_in_plaintext(alice, carol, dave):
    client = services.client_create(
        created_by=alice,
        date_of_birth=date(1987, 11, 3),
        vulnerabilities="mental_health",
        **SECRETS,
    )
    case = services.case_open(
        client=client,
        case_type=CaseFactory._meta.declarations["case_type"].get_factory()(),
        opened_by=alice,
        presenting_issue="Quillfeather faces eviction from Larkspur Mews",
    )
    services.outcome_add(
        case=case,
        description="Quillfeather keeps the tenancy",
        measure="Possession claim withdrawn",
        target_date=date.today() + timedelta(days=365),
        added_by=alice,
    )
    services.obstacle_record(
        case=case, kind="health", description="Ottoline in hospital", raised_by=alice
    )
    consent = ConsentFactory(client=client, shared_with="Quillfeather's GP", recorded_by=alice)
    services.case_share(
        case=case,
        shared_with=dave,
        level="view",
        reason="Covering while Quillfeather's adviser is away",
        consent=consent,
        expires_on=date.today() + timedelta(days=30),
        shared_by=alice,
    )
    client_for(alice).get(reverse("cases:case_detail", args=[case.pk]))
    client_for(carol).get(reverse("cases:client_detail", args=[client.pk]))

    dump = _all_rows_as_text()

    for field, value in SECRETS.items():
        assert value not in dump, f"{field} found in plaintext"
    assert "1987-11-03" not in dump
    assert "mental_health" not in dump


def test_opening_a_case_page_records_who_read_the_case_and_the_client(alice):
    case = CaseFactory(assigned_to=alice)

    client_for(alice).get(reverse("cases:case_detail", args=[case.pk]))

    reads = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=alice)
    assert {(e.content_type.model, e.object_pk) for e in reads} == {
        ("case", str(case.pk)),
        ("client", str(case.client_id)),
    }
    assert all(e.additional_data == {"via": "case page"} for e in reads)


def test_the_caseload_list_records_a_read_of_every_case_it_shows(alice):
    cases = [CaseFactory(assigned_to=alice) for _ in range(3)]

    client_for(alice).get(reverse("cases:my_caseload"))

    read = set(
        LogEntry.objects.filter(
            action=LogEntry.Action.ACCESS, actor=alice, content_type__model="case"
        ).values_list("object_pk", flat=True)
    )
    assert read == {str(c.pk) for c in cases}


def test_a_refused_read_records_no_access(alice, dave):
    case = CaseFactory(assigned_to=alice)

    response = client_for(dave).get(reverse("cases:case_detail", args=[case.pk]))

    assert response.status_code == 404
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=dave).exists()


def test_the_change_log_of_a_client_holds_no_personal_value(alice):
    client = ClientFactory(family_name="Quillfeather", created_by=alice)
    services.client_update(client=client, family_name="Quillfeather-Smith")

    entries = LogEntry.objects.get_for_object(Client.objects.get(pk=client.pk))

    assert entries.count() == 2
    update = entries.get(action=LogEntry.Action.UPDATE)
    assert update.changes_dict["family_name"] == ["[encrypted]", "[encrypted]"]
    for entry in entries:
        assert "Quillfeather" not in str(entry.changes)
        assert "Quillfeather" not in entry.object_repr


def test_a_case_s_string_form_is_its_reference_not_a_name(alice):
    case = CaseFactory(assigned_to=alice)

    assert str(case) == f"CASE-{case.pk:06d}"
    assert str(case.client).startswith("C-")
    assert Case.objects.get(pk=case.pk).client.reference == str(case.client)
