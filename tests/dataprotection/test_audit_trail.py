"""Who has seen a client or a case, and what changed (dataprotection.trail and its pages)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caseload.audit import access_record, audit_actor
from cases import services as case_services
from cases.models import BreakGlassAccess, BreakGlassReview, Case, Client, User
from dataprotection import trail
from notes import services as note_services
from notes.models import CaseNote
from priorities.models import Organisation
from tests.conftest import client_for
from tests.factories import CaseFactory, CaseTypeFactory, ClientFactory, UserFactory

pytestmark = pytest.mark.django_db

REASON = "The client rang the duty line in crisis and their adviser is away today."


@dataclass
class Seeded:
    client: Client
    case: Case
    note: CaseNote
    other_client: Client
    other_case: Case
    use: BreakGlassAccess


def _note(case: Case, author: User) -> CaseNote:
    return note_services.note_append(
        case=case,
        author=author,
        contact_at=timezone.now() - timedelta(hours=2),
        channel=CaseNote.Channel.PHONE,
        facts="Client called about the rent arrears",
        next_steps="Write to the landlord",
    )


@pytest.fixture
def seeded(alice: User, carol: User, dave: User, sam: User) -> Seeded:
    """Alice's restricted North case for one client; dave's South case for another client
    of the same surname. Alice writes a note and changes the client's phone, then views
    the case page; carol exports the case; dave breaks the glass on it."""
    CaseTypeFactory()
    case = CaseFactory(
        assigned_to=alice,
        restricted=True,
        client=ClientFactory(created_by=alice, family_name="Quorndonshire"),
        opened_yesterday=True,
    )
    other_case = CaseFactory(
        assigned_to=dave,
        client=ClientFactory(created_by=dave, family_name="Quorndonshire"),
        opened_yesterday=True,
    )
    with audit_actor(alice):
        note = _note(case, alice)
        case_services.client_update(client=case.client, phone="07700 900123")
    with audit_actor(dave):
        _note(other_case, dave)
    assert client_for(alice).get(reverse("cases:case_detail", args=[case.pk])).status_code == 200
    access_record(request=None, actor=carol, objects=[case], via="review CSV")
    with audit_actor(dave):
        use = case_services.break_glass(case=case, user=dave, reason=REASON)
    return Seeded(case.client, case, note, other_case.client, other_case, use)


def _kinds(events: list[trail.TrailEvent]) -> set[tuple[str, str, str]]:
    return {(e.actor_name, e.kind, e.what) for e in events}


# --- the trail itself ---------------------------------------------------------------------


def test_a_client_s_trail_holds_a_note_view_a_change_an_export_and_a_break_the_glass_use(
    seeded: Seeded,
):
    events = trail.client_trail(client=seeded.client)
    ref = seeded.case.reference
    kinds = _kinds(events)

    assert ("Alice Adams", "viewed", f"Note {seeded.note.pk} on {ref}") in kinds
    assert ("Alice Adams", "created", f"Note {seeded.note.pk} on {ref}") in kinds
    assert ("Alice Adams", "viewed", f"Client {seeded.client.reference}") in kinds
    assert ("Carol Clark", "viewed", f"Case {ref}") in kinds
    glass = [e for e in events if e.kind == "break the glass"]
    assert [(g.actor_name, g.reason) for g in glass] == [("Dave Davies", REASON)]
    assert glass[0].what == f"Break-glass access {seeded.use.pk} on {ref}"


def test_a_view_names_the_page_or_export_that_showed_it(seeded: Seeded):
    events = trail.client_trail(client=seeded.client)

    vias = {(e.actor_name, e.via) for e in events if e.kind == "viewed"}
    assert ("Alice Adams", "case page") in vias
    assert ("Carol Clark", "review CSV") in vias
    assert all(e.via == "" for e in events if e.kind != "viewed")


def test_a_change_names_the_fields_that_changed_and_never_their_values(seeded: Seeded):
    events = trail.client_trail(client=seeded.client)

    change = next(
        e for e in events if e.kind == "changed" and e.what == f"Client {seeded.client.reference}"
    )
    assert "phone" in change.changed_fields
    assert not any("07700" in str(e) for e in events)


def test_a_client_s_trail_holds_nothing_of_another_client_with_the_same_surname(
    seeded: Seeded,
):
    events = trail.client_trail(client=seeded.client)
    whats = " ".join(e.what for e in events)

    assert seeded.other_client.reference not in whats
    assert seeded.other_case.reference not in whats
    # Dave wrote a note on his own client's case: only his break the glass is here.
    assert all(seeded.case.reference in e.what for e in events if e.actor_name == "Dave Davies")


def test_the_trail_is_newest_first(seeded: Seeded):
    events = trail.client_trail(client=seeded.client)

    assert [e.at for e in events] == sorted((e.at for e in events), reverse=True)


def test_a_case_s_trail_holds_the_case_s_rows_and_not_the_client_s_own_row(seeded: Seeded):
    events = trail.case_trail(case=seeded.case)
    whats = {e.what for e in events}

    assert f"Case {seeded.case.reference}" in whats
    assert f"Note {seeded.note.pk} on {seeded.case.reference}" in whats
    assert f"Client {seeded.client.reference}" not in whats


def test_the_trail_filters_by_person_and_by_days(seeded: Seeded, carol: User):
    today = timezone.localdate()

    by_carol = trail.client_trail(client=seeded.client, actor_id=carol.pk)
    tomorrow = trail.client_trail(client=seeded.client, since=today + timedelta(days=1))
    today_only = trail.client_trail(client=seeded.client, since=today, until=today)

    assert {e.actor_name for e in by_carol} == {"Carol Clark"}
    assert tomorrow == []
    assert len(today_only) == len(trail.client_trail(client=seeded.client))


def test_a_person_s_trail_lists_everything_they_saw_or_changed_in_the_range(
    seeded: Seeded, alice: User
):
    today = timezone.localdate()

    events = trail.person_trail(person=alice, since=today, until=today)
    yesterday = trail.person_trail(
        person=alice, since=today - timedelta(days=2), until=today - timedelta(days=1)
    )

    assert {e.actor_name for e in events} == {"Alice Adams"}
    whats = {e.what for e in events}
    assert f"Note {seeded.note.pk} on {seeded.case.reference}" in whats
    assert f"Client {seeded.client.reference}" in whats
    assert yesterday == []


def test_a_trail_takes_the_same_number_of_queries_however_many_rows_it_covers(
    seeded: Seeded, alice: User, dave: User
):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            trail.client_trail(client=seeded.client)
            trail.case_trail(case=seeded.case)
            trail.person_trail(person=alice, since=timezone.localdate(), until=timezone.localdate())
        return len(queries)

    trail.client_trail(client=seeded.client)  # content types cached
    before = count()
    with audit_actor(alice):
        notes = [_note(seeded.case, alice) for _ in range(5)]
    access_record(request=None, actor=alice, objects=notes, via="case page")
    with audit_actor(dave):
        case_services.break_glass(case=seeded.case, user=dave, reason=REASON)
    after = count()

    assert len(trail.client_trail(client=seeded.client)) > 10
    assert after == before


# --- the pages -------------------------------------------------------------------------


def test_the_dpo_reads_a_client_s_trail_with_the_break_the_glass_reason(seeded: Seeded, dina: User):
    response = client_for(dina).get(reverse("dataprotection:audit_client", args=[seeded.client.pk]))

    assert response.status_code == 200
    assert REASON in response.content.decode()
    assert seeded.client.family_name not in response.content.decode()


def test_opening_a_client_s_trail_is_itself_recorded_as_an_access_of_the_client(
    seeded: Seeded, dina: User
):
    client_for(dina).get(reverse("dataprotection:audit_client", args=[seeded.client.pk]))

    recorded = LogEntry.objects.filter(actor=dina, action=LogEntry.Action.ACCESS)
    shown = {(e.object_repr, e.additional_data["via"]) for e in recorded}
    assert (seeded.client.reference, "audit trail") in shown
    assert (f"Break-glass access {seeded.use.pk}", "audit trail") in shown


def test_the_dpo_opening_a_trail_then_appears_in_it(seeded: Seeded, dina: User):
    client_for(dina).get(reverse("dataprotection:audit_client", args=[seeded.client.pk]))

    events = trail.client_trail(client=seeded.client, actor_id=dina.pk)
    assert {(e.kind, e.via) for e in events} >= {("viewed", "audit trail")}


def test_a_supervisor_of_the_client_s_team_reads_the_client_s_and_the_case_s_trail(
    seeded: Seeded, carol: User
):
    http = client_for(carol)

    client_page = http.get(reverse("dataprotection:audit_client", args=[seeded.client.pk]))
    case_page = http.get(reverse("dataprotection:audit_case", args=[seeded.case.pk]))

    assert client_page.status_code == 200
    assert case_page.status_code == 200
    # A supervisor reads it as a page of their own, without the data protection menu.
    assert 'aria-label="Data protection"' not in client_page.content.decode()


def test_a_supervisor_of_another_team_is_refused_the_trail_as_if_it_did_not_exist(
    seeded: Seeded, sam: User
):
    http = client_for(sam)

    assert (
        http.get(reverse("dataprotection:audit_client", args=[seeded.client.pk])).status_code == 404
    )
    assert http.get(reverse("dataprotection:audit_case", args=[seeded.case.pk])).status_code == 404
    assert (
        http.get(reverse("dataprotection:audit_case_csv", args=[seeded.case.pk])).status_code == 404
    )


def test_the_case_s_own_adviser_is_refused_the_trail(seeded: Seeded, alice: User):
    http = client_for(alice)

    assert (
        http.get(reverse("dataprotection:audit_client", args=[seeded.client.pk])).status_code == 404
    )
    assert (
        http.get(reverse("dataprotection:audit_client_csv", args=[seeded.client.pk])).status_code
        == 404
    )


def test_the_dpo_only_pages_refuse_a_supervisor(seeded: Seeded, carol: User):
    http = client_for(carol)

    for name in ("audit", "audit_person", "audit_person_csv", "audit_break_glass"):
        assert http.get(reverse(f"dataprotection:{name}")).status_code == 403, name


def test_the_client_page_links_to_the_trail_for_their_supervisor_only(
    seeded: Seeded, alice: User, carol: User
):
    url = reverse("cases:client_detail", args=[seeded.client.pk])
    link = reverse("dataprotection:audit_client", args=[seeded.client.pk])

    assert link in client_for(carol).get(url).content.decode()
    assert link not in client_for(alice).get(url).content.decode()


def test_the_case_page_links_to_the_trail_for_its_supervisor_only(
    seeded: Seeded, alice: User, carol: User
):
    url = reverse("cases:case_detail", args=[seeded.case.pk])
    link = reverse("dataprotection:audit_case", args=[seeded.case.pk])

    assert link in client_for(carol).get(url).content.decode()
    assert link not in client_for(alice).get(url).content.decode()


def test_the_trail_page_filters_by_person(seeded: Seeded, dina: User, carol: User):
    url = reverse("dataprotection:audit_client", args=[seeded.client.pk])

    body = client_for(dina).get(url, {"person": carol.pk}).content.decode()

    assert "review CSV" in body
    assert "case page" not in body


def test_a_bad_date_in_the_filters_gives_a_message_not_an_error(seeded: Seeded, dina: User):
    url = reverse("dataprotection:audit_client", args=[seeded.client.pk])

    response = client_for(dina).get(url, {"since": "31/02/2026", "until": "next week"})

    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter a real date" in body
    assert 'value="31/02/2026"' in body


def test_a_range_that_ends_before_it_starts_is_refused_with_a_message(seeded: Seeded, dina: User):
    url = reverse("dataprotection:audit_case", args=[seeded.case.pk])

    response = client_for(dina).get(url, {"since": "10/11/2026", "until": "1/11/2026"})

    assert response.status_code == 400
    assert "cannot be before its start" in response.content.decode()


def test_the_trail_csv_holds_every_event_with_iso_dates(seeded: Seeded, dina: User):
    events = trail.client_trail(client=seeded.client)

    response = client_for(dina).get(
        reverse("dataprotection:audit_client_csv", args=[seeded.client.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "When"
    # The download itself is recorded after the trail was read, so not in the file.
    assert len(rows) - 1 == len(events)
    assert rows[1][0].startswith(timezone.localdate().isoformat() + "T")
    assert any(row[5] == REASON for row in rows)


def test_the_trail_csv_keeps_a_formula_typed_as_a_staff_name_as_text(seeded: Seeded, dina: User):
    mallory = UserFactory(first_name='=HYPERLINK("http://x")', last_name="Mallory")
    access_record(request=None, actor=mallory, objects=[seeded.client], via="client page")

    body = (
        client_for(dina)
        .get(reverse("dataprotection:audit_client_csv", args=[seeded.client.pk]))
        .content.decode()
    )

    rows = list(csv.reader(io.StringIO(body)))
    assert any(row[1] == '\'=HYPERLINK("http://x") Mallory' for row in rows)


def test_the_dpo_chooses_a_member_of_staff_and_sees_what_they_accessed(
    seeded: Seeded, dina: User, alice: User
):
    day = timezone.localdate()
    today = f"{day.day}/{day.month}/{day.year}"  # typed the British way, as a person would

    response = client_for(dina).get(
        reverse("dataprotection:audit_person"),
        {"person": alice.pk, "since": today, "until": today},
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert f"Note {seeded.note.pk} on {seeded.case.reference}" in body
    assert seeded.other_case.reference not in body


def test_the_staff_access_csv_lists_the_person_s_accesses(seeded: Seeded, dina: User, dave: User):
    day = timezone.localdate().isoformat()

    response = client_for(dina).get(
        reverse("dataprotection:audit_person_csv"), {"person": dave.pk, "since": day, "until": day}
    )

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert {row[1] for row in rows[1:]} == {"Dave Davies"}
    assert any(row[2] == "break the glass" and row[5] == REASON for row in rows)


def test_the_staff_access_page_asks_for_a_person_before_it_shows_anything(dina: User):
    response = client_for(dina).get(reverse("dataprotection:audit_person"), {"person": ""})

    assert response.status_code == 400
    assert "This field is required" in response.content.decode()


def test_the_break_the_glass_uses_show_their_reason_and_their_review(
    seeded: Seeded, dina: User, carol: User
):
    case_services.break_glass_review(
        access=seeded.use,
        reviewer=carol,
        outcome=BreakGlassReview.Outcome.CONCERN,
        comment="No sign of a crisis in the notes.",
    )

    body = client_for(dina).get(reverse("dataprotection:audit_break_glass")).content.decode()

    assert REASON in body
    assert "Concern: raised with data protection" in body
    assert "by Carol Clark" in body


def test_the_break_the_glass_uses_filter_to_those_awaiting_review(
    seeded: Seeded, dina: User, carol: User
):
    http = client_for(dina)
    url = reverse("dataprotection:audit_break_glass")

    awaiting = http.get(url, {"status": "awaiting"}).content.decode()
    case_services.break_glass_review(
        access=seeded.use, reviewer=carol, outcome=BreakGlassReview.Outcome.REVIEWED
    )
    after = http.get(url, {"status": "awaiting"}).content.decode()

    assert REASON in awaiting
    assert REASON not in after
    assert "No break-the-glass use matches these filters" in after


def test_reading_the_break_the_glass_uses_is_recorded(seeded: Seeded, dina: User):
    client_for(dina).get(reverse("dataprotection:audit_break_glass"))

    assert LogEntry.objects.filter(
        actor=dina,
        action=LogEntry.Action.ACCESS,
        object_pk=str(seeded.use.pk),
        additional_data__via="break-glass uses (data protection)",
    ).exists()


def test_a_reference_leads_the_dpo_to_the_client_s_or_the_case_s_trail(seeded: Seeded, dina: User):
    http = client_for(dina)
    url = reverse("dataprotection:audit")

    by_client = http.get(url, {"reference": seeded.client.reference.lower()})
    by_case = http.get(url, {"reference": seeded.case.reference})
    unknown = http.get(url, {"reference": "C-999999"})

    assert by_client["Location"] == reverse("dataprotection:audit_client", args=[seeded.client.pk])
    assert by_case["Location"] == reverse("dataprotection:audit_case", args=[seeded.case.pk])
    assert unknown.status_code == 400
    assert "No client or case has this reference" in unknown.content.decode()


def test_a_break_the_glass_approved_by_a_supervisor_is_the_requester_s(
    seeded: Seeded, bob: User, carol: User
):
    Organisation.objects.update_or_create(pk=1, defaults={"break_glass_daily_limit": 0})
    request = case_services.break_glass_request(
        user=bob, reference=seeded.case.reference, reason=REASON
    )
    with audit_actor(carol):
        case_services.break_glass_decide(request=request, decided_by=carol, approve=True)
    today = timezone.localdate()

    bobs = trail.person_trail(person=bob, since=today, until=today)
    carols = trail.client_trail(client=seeded.client, actor_id=carol.pk)

    assert [(e.kind, e.actor_name) for e in bobs if e.kind == "break the glass"] == [
        ("break the glass", "Bob Baker")
    ]
    assert "break the glass" not in {e.kind for e in carols}


def test_a_deleted_note_draft_stays_in_the_trail_with_who_saw_it(seeded: Seeded, alice: User):
    with audit_actor(alice):
        draft = note_services.note_draft_save(
            case=seeded.case, author=alice, values={"facts": "Half a note"}
        )
        access_record(request=None, actor=alice, objects=[draft], via="case page")
        note_services.note_draft_discard(case=seeded.case, author=alice)
    what = f"Note draft {draft.pk} on {seeded.case.reference}"

    client_kinds = {e.kind for e in trail.client_trail(client=seeded.client) if e.what == what}
    case_kinds = {e.kind for e in trail.case_trail(case=seeded.case) if e.what == what}

    assert client_kinds == case_kinds == {"created", "viewed", "deleted"}
