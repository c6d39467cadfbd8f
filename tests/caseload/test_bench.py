"""The benchmark's seeder builds data the app really reads, and its SQL floor still
matches the schema. (The benchmark itself is run by hand with bench/run, never by
the suite: these tests seed a tiny organisation and time nothing.)"""

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from bench.measure import Org, query_counts, signed_in
from bench.seed import Seeder, Shape, client_identity
from bench.worker import FLOOR_SQL
from cases import selectors
from cases.models import Case
from cases.models import Client as CaseClient
from notes.integrity import chain_breaks
from notes.models import CaseNote
from priorities.models import DeadlineFlag
from priorities.sweep import flags_to_raise

TINY = Shape(
    teams=2,
    open_cases=100,
    closed_cases=4,
    notes=200,
    busy_notes=30,
    team_cases=20,
    shares=5,
)


@pytest.fixture
def seeded(roles: None) -> Org:
    Seeder("t", TINY, out=lambda _: None).run(0.0001)
    return Org("t")


def test_seeded_notes_decrypt_and_their_chains_verify(seeded: Org):
    notes = list(CaseNote.objects.filter(case=seeded.busy).order_by("sequence"))

    assert len(notes) == TINY.busy_notes
    assert notes[0].facts == "Spoke to the client about the arrears (1)."
    assert CaseNote.objects.filter(case=seeded.ten).count() == 10
    assert CaseNote.objects.count() == TINY.notes
    results = list(chain_breaks(case_id=seeded.busy.pk))
    assert len(results) == TINY.busy_notes
    assert all(r.problem is None for r in results)
    assert not [r for r in chain_breaks() if r.problem is not None]


def test_a_seeded_client_is_found_by_reference_and_by_name_and_date_of_birth(seeded: Org):
    client = CaseClient.objects.get(cases__pk=seeded.own_cases[0])
    given, family, born, _ = client_identity(int(client.address.split()[0]))

    by_reference = selectors.search(seeded.adviser, reference=client.reference)
    by_name = selectors.search(seeded.adviser, family_name=family, date_of_birth=born)

    assert client.given_name == given
    assert [c.pk for c in by_reference.clients] == [client.pk]
    assert [c.pk for c in by_name.clients] == [client.pk]


def test_the_supervisor_dashboard_lists_the_seeded_team(seeded: Org):
    response = signed_in(seeded.supervisor_25).get(reverse("reviews:team_dashboard"))

    assert response.status_code == 200
    assert "adviser-00-24" in response.content.decode()


def test_every_measured_page_answers_in_process(seeded: Org):
    counts = query_counts(seeded)

    assert set(counts) == {*seeded.pages(), "append"}
    assert Case.objects.get(pk=seeded.own_cases[0]).notes.count() >= 1


def test_the_floor_sql_does_the_sweeps_flagging_work(seeded: Org):
    today = timezone.localdate()
    assert flags_to_raise(today=today).exists()
    before = DeadlineFlag.objects.count()

    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, {"today": today})
        inserted = cursor.rowcount

    assert inserted > 0
    assert DeadlineFlag.objects.count() == before + inserted
    assert not flags_to_raise(today=today).exists()
