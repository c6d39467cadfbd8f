"""The sections of the configuration area, in the order an organisation sets itself up.

One list, read by the area's home page and its side menu. A section whose own
page is not built yet points at the emergency admin site's page for it, so
that everything an admin configures is reachable from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    summary: str
    url_name: str
    kind: str = ""  # for a list of rows (configuration.catalogue), which one

    @property
    def url(self) -> str:
        try:
            return reverse(self.url_name, kwargs={"kind": self.kind} if self.kind else None)
        except NoReverseMatch:  # a section whose page is not there yet
            return reverse("configuration:home")


SECTIONS = [
    Section(
        "people",
        "People and teams",
        "Who works here, their roles, teams, working hours and capacity.",
        "configuration:people",
    ),
    Section(
        "criteria",
        "Priority criteria",
        "The questions an assessment asks and how their answers set a case's level.",
        "configuration:criteria",
    ),
    Section(
        "timescales",
        "Timescales",
        "How soon each case type at each level must be allocated, contacted, reassessed and "
        "closed, and when a due date counts as approaching.",
        "configuration:timescales",
    ),
    Section(
        "calendar",
        "Calendar",
        "Which days are working days: the nation's bank holidays and your own closure days.",
        "configuration:calendar",
    ),
    Section(
        "case-types",
        "Case types",
        "The kinds of case advisers open.",
        "configuration:catalogue",
        kind="case-types",
    ),
    Section(
        "note-templates",
        "Note templates",
        "Headings advisers can add to a note, per case type.",
        "configuration:catalogue",
        kind="note-templates",
    ),
    Section(
        "weights",
        "Case weights",
        "How much of an adviser's capacity a case at each level takes.",
        "configuration:catalogue",
        kind="weights",
    ),
    Section(
        "review",
        "Caseload reviews",
        "How often caseloads are reviewed, and the checklist of factors reviews consider.",
        "configuration:review_settings",
    ),
    Section(
        "organisation",
        "Organisation settings",
        "Late entries, stalled cases, session timeout, two-step sign-in and break the glass.",
        "configuration:organisation",
    ),
    Section(
        "schedules",
        "Schedules",
        "When the deadline sweep, the digest, review reminders and reports run.",
        "configuration:schedules",
    ),
    Section(
        "integrations",
        "Partner integrations",
        "Tokens with which partner agencies' systems send referrals into a team's queue.",
        "api:integrations",
    ),
    Section(
        "history",
        "Change history",
        "Every change to the configuration: who made it, when, and what it was before.",
        "configuration:history",
    ),
]
