"""Reads of the retention schedule: which clients are due for disposal, and why.

A client's retention ends at the closing date of their last case plus the longest
retention among their case types (``CaseType.retention_months``); a client with
any open case is never due, nor one on legal hold or already erased.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet

from cases.models import Case, CaseQuerySet, Client
from dataprotection.models import DisposalItem, DisposalRun, LegalHold
from notes.models import CaseNote


def add_months(day: date, months: int) -> date:
    """``day`` moved on by ``months`` calendar months (31 Jan + 1 month: 28 or 29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Retention:
    """What decides when a client's record may go, without a personal value."""

    client_id: int
    reference: str
    case_count: int
    open_case_count: int
    last_closed_on: date | None
    retention_months: int | None
    on_hold: bool

    @property
    def ends_on(self) -> date | None:
        """The day retention ends; None while a case is open (never due)."""
        if self.open_case_count or self.last_closed_on is None or not self.retention_months:
            return None
        return add_months(self.last_closed_on, self.retention_months)

    def is_due(self, *, today: date) -> bool:
        """Whether the record is due for disposal today (and not held)."""
        ends = self.ends_on
        return ends is not None and ends <= today and not self.on_hold


def _open_cases() -> QuerySet[Case]:
    return Case.objects.filter(CaseQuerySet.open_condition(), client=OuterRef("pk"))


def _retention_rows(clients: QuerySet[Client]) -> list[Retention]:
    rows = (
        clients.annotate(
            n_cases=Count("cases", distinct=True),
            last_closed=Max("cases__closed_on"),
            months=Max("cases__case_type__retention_months"),
            held=Exists(LegalHold.objects.active().filter(client=OuterRef("pk"))),
        )
        .annotate(n_open=Count("cases", filter=~Q(cases__status=Case.Status.CLOSED), distinct=True))
        .values_list("pk", "reference", "n_cases", "n_open", "last_closed", "months", "held")
        .order_by("pk")
    )
    return [Retention(*row) for row in rows]


def retention_of(client: Client) -> Retention:
    """The retention facts of one client."""
    return _retention_rows(Client.objects.filter(pk=client.pk))[0]


def clients_due_for_disposal(*, today: date) -> list[Retention]:
    """Clients whose retention has ended by ``today``: every case closed, not on legal hold,
    not erased, and not already on a disposal list under review or being carried out."""
    listed = DisposalItem.objects.filter(
        client=OuterRef("pk"),
        state__in=[DisposalItem.State.LISTED, DisposalItem.State.APPROVED],
        run__status__in=[DisposalRun.Status.AWAITING_REVIEW, DisposalRun.Status.APPROVED],
    )
    candidates = (
        Client.objects.filter(Exists(Case.objects.filter(client=OuterRef("pk"))))
        .exclude(Exists(_open_cases()))
        .exclude(data_key__wrapped_key__isnull=True)
        .exclude(Exists(LegalHold.objects.active().filter(client=OuterRef("pk"))))
        .exclude(Exists(listed))
    )
    return [row for row in _retention_rows(candidates) if row.is_due(today=today)]


def client_has_open_case(client_id: int) -> bool:
    return Case.objects.filter(CaseQuerySet.open_condition(), client_id=client_id).exists()


def client_note_count(client_id: int) -> int:
    return CaseNote.objects.filter(case__client_id=client_id).count()


def client_case_count(client_id: int) -> int:
    return Case.objects.filter(client_id=client_id).count()
