"""The demo's case notes: note templates, notes with a correction and late entries, and
actions, one or two overdue. Every note is written in the words of its case's type
(``NOTE_TEXTS``), on the contact days its story in ``demo.timeline`` gives."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.formats import localize_input

from cases.models import Case, CaseType
from demo import known
from demo.timeline import DemoDays, planned_cases
from notes import services as note_services
from notes.models import CaseNote, NoteTemplate

NOTE_TEMPLATES = {
    "Housing": (
        "First housing interview",
        "Situation:\nLandlord and tenancy:\nArrears and income:\n",
        "By the client:\nBy the adviser:\n",
    ),
    "Debt": ("Debt review", "Creditors and amounts:\nPriority debts:\nIncome and outgoings:\n", ""),
    "Welfare benefits": (
        "Benefits check",
        "Benefits in payment:\nDecision being challenged and its date:\nHealth and care needs:\n",
        "Evidence to gather:\n",
    ),
    "Employment support": (
        "Work plan",
        "Work history:\nHealth and hours the client can manage:\nJobs of interest:\n",
        "Applications this week:\n",
    ),
    "Careers guidance": (
        "Guidance interview",
        "Subjects and predicted grades:\nInterests and ideas:\nOptions discussed:\n",
        "Research before the next meeting:\n",
    ),
}


@dataclass(frozen=True)
class NoteText:
    channel: str
    facts: str
    opinion: str = ""
    taken: str = ""
    steps: str = ""


# What a contact records on each type of case: the first interview, then the later
# contacts in turn, and a file note now and then (work on the case with no contact).
NOTE_TEXTS: dict[str, dict[str, list[NoteText]]] = {
    "Housing": {
        "first": [
            NoteText(
                "face_to_face",
                "Client came to the drop-in with the landlord's notice and the rent statement.",
                "Client worried about losing their home; the notice looks valid.",
                "Read the notice with the client and explained the possession timeline.",
                "Client to bring bank statements; adviser to call the landlord.",
            )
        ],
        "contact": [
            NoteText(
                "phone",
                "Called the client: the council's housing team has not replied yet.",
                "",
                "Chased the council's housing options team by email.",
                "Adviser to chase the council again if no reply by Friday.",
            ),
            NoteText(
                "email",
                "Client emailed copies of the tenancy agreement and the rent statement.",
                "The arrears figure looks wrong by one month's rent.",
                "",
                "Adviser to check the rent statement against the payments made.",
            ),
            NoteText(
                "third_party",
                "Spoke to the letting agent about a plan to clear the rent arrears.",
                "Agent open to a plan if the first payment is made this month.",
                "Proposed £25 a week towards the arrears on top of the rent.",
                "Confirm the plan in writing with the client's agreement.",
            ),
            NoteText(
                "face_to_face",
                "Met the client to prepare for the possession hearing.",
                "A good chance of an adjournment if the plan is kept to.",
                "Went through the defence form and the hearing bundle.",
                "Client to attend court with the payment receipts; adviser to file the form.",
            ),
        ],
        "file": [
            NoteText(
                "file_note",
                "Checked the tenancy deposit was protected: it was not.",
                "The landlord's notice may be invalid for that reason.",
                "",
                "Raise the unprotected deposit with the client and the landlord.",
            )
        ],
    },
    "Debt": {
        "first": [
            NoteText(
                "face_to_face",
                "Client brought a bag of letters from creditors and a council tax summons.",
                "Council tax arrears are the priority debt; the cards can wait.",
                "Listed every creditor and started a budget with the client.",
                "Client to bring three months' bank statements; adviser to ask creditors "
                "to hold action.",
            )
        ],
        "contact": [
            NoteText(
                "phone",
                "Called the client to finish the budget: a small surplus each month.",
                "Token payments to the card creditors are realistic for now.",
                "Agreed the budget figures with the client.",
                "Adviser to send token offers to the three card creditors.",
            ),
            NoteText(
                "third_party",
                "Spoke to the council's recovery team about the council tax arrears.",
                "They will accept an arrangement and stop the bailiffs.",
                "Agreed £40 a month towards the arrears.",
                "Client to set up the direct debit before the first of the month.",
            ),
            NoteText(
                "email",
                "A creditor replied accepting the token offer for six months.",
                "",
                "Forwarded the letter to the client.",
                "Review the offers at the next budget check.",
            ),
            NoteText(
                "face_to_face",
                "Went through the options for a debt relief order with the client.",
                "The client qualifies: debts and assets are under the limits.",
                "Explained what a DRO means for their credit and their bank account.",
                "Client to decide by the next appointment; adviser to gather the paperwork.",
            ),
        ],
        "file": [
            NoteText(
                "file_note",
                "Checked the credit card agreements for missing default notices.",
                "One default notice looks unenforceable.",
                "",
                "Ask that creditor for a copy of the default notice.",
            )
        ],
    },
    "Welfare benefits": {
        "first": [
            NoteText(
                "face_to_face",
                "Client came in with the PIP decision letter and the Universal Credit journal.",
                "The PIP descriptors for daily living look wrongly scored.",
                "Ran a benefits check and read the decision with the client.",
                "Client to bring the GP letters; adviser to draft the reconsideration.",
            )
        ],
        "contact": [
            NoteText(
                "phone",
                "Called the client: the sanction has been applied for four weeks.",
                "Good cause was not considered; worth challenging.",
                "Explained how the sanction was decided and what good cause is.",
                "Adviser to ask for a mandatory reconsideration of the sanction.",
            ),
            NoteText(
                "letter",
                "Sent the mandatory reconsideration request to the DWP.",
                "",
                "Enclosed the GP's letter and the client's diary of bad days.",
                "Adviser to check with the DWP in four weeks.",
            ),
            NoteText(
                "third_party",
                "Spoke to the DWP about the reconsideration: still waiting for a decision maker.",
                "",
                "Asked for the decision to be prioritised given the client's health.",
                "Adviser to call again next week.",
            ),
            NoteText(
                "face_to_face",
                "Met the client to prepare the appeal to the tribunal.",
                "The written evidence is strong on mobility.",
                "Filled in the appeal form together.",
                "Client to sign and send the appeal form; adviser to write the submission.",
            ),
        ],
        "file": [
            NoteText(
                "file_note",
                "Checked the Universal Credit award against the calculator.",
                "The housing element appears to be missing.",
                "",
                "Discuss the missing housing element with the client at the next contact.",
            )
        ],
    },
    "Employment support": {
        "first": [
            NoteText(
                "face_to_face",
                "First meeting: the client has been out of work for a year after illness.",
                "Ready for part-time work with the right adjustments.",
                "Talked through their work history and what they want next.",
                "Client to update their CV; adviser to look for part-time roles.",
            )
        ],
        "contact": [
            NoteText(
                "phone",
                "Called the client about the CV draft they sent.",
                "",
                "Suggested putting the volunteering first and trimming old jobs.",
                "Client to send the revised CV by Monday.",
            ),
            NoteText(
                "email",
                "Sent the client three part-time jobs that match their CV.",
                "The retail job fits the hours they can manage.",
                "",
                "Client to apply for at least one of the jobs this week.",
            ),
            NoteText(
                "video",
                "Practice interview with the client for the warehouse job.",
                "Answers were good; nerves showed at the start.",
                "Went through questions on the gap in their work history.",
                "Client to attend the interview; adviser to call afterwards.",
            ),
            NoteText(
                "third_party",
                "Spoke to the employer about reasonable adjustments for the client's start.",
                "The employer is open to a phased return.",
                "Agreed four-hour shifts for the first month.",
                "Adviser to confirm the adjustments in writing to the client.",
            ),
        ],
        "file": [
            NoteText(
                "file_note",
                "Looked into Access to Work support for the client's travel to work.",
                "The client is likely to qualify for help with taxi fares.",
                "",
                "Help the client apply to Access to Work once they have a start date.",
            )
        ],
    },
    "Careers guidance": {
        "first": [
            NoteText(
                "face_to_face",
                "Guidance interview at school: unsure between college and an apprenticeship.",
                "Strong practical skills; predicted grades fit both routes.",
                "Talked through the courses and apprenticeships nearby.",
                "Young person to visit the college open evening; adviser to send "
                "apprenticeship listings.",
            )
        ],
        "contact": [
            NoteText(
                "email",
                "Sent the young person the apprenticeship vacancies in engineering.",
                "",
                "",
                "Young person to pick two vacancies to apply for.",
            ),
            NoteText(
                "face_to_face",
                "Met the young person after the college open evening.",
                "Keener on the apprenticeship now they have seen the workshop.",
                "Helped draft the personal statement for the application.",
                "Young person to finish the statement; adviser to check it.",
            ),
            NoteText(
                "phone",
                "Called the young person's parent about the application deadline.",
                "",
                "Explained the timeline for offers and the college back-up place.",
                "Parent to help with the reference request to the school.",
            ),
            NoteText(
                "video",
                "Mock interview for the apprenticeship with the young person.",
                "Confident on the practical questions, less so on teamwork.",
                "Practised examples of working in a team.",
                "Young person to prepare two examples from school and sport.",
            ),
        ],
        "file": [
            NoteText(
                "file_note",
                "Checked the entry requirements for the Level 3 engineering course.",
                "Maths at grade 5 is needed; the prediction is a 5.",
                "",
                "Talk about a back-up course with the young person.",
            )
        ],
    },
}
# The action agreed at a case's latest contact, and a correction to its first note.
ACTIONS = {
    "Housing": "Send the landlord the payment plan letter",
    "Debt": "Send the token offers to the card creditors",
    "Welfare benefits": "Send the reconsideration request with the GP letter",
    "Employment support": "Send the client the revised CV with comments",
    "Careers guidance": "Send the apprenticeship application checklist",
}
CORRECTIONS = {
    "Housing": (
        "Client came to the drop-in with the landlord's section 8 notice and the rent statement.",
        "The first version did not say which notice the landlord served.",
    ),
    "Debt": (
        "Client brought a bag of letters from creditors and a council tax liability order.",
        "The first version called the liability order a summons.",
    ),
    "Welfare benefits": (
        "Client came in with the PIP decision letter and their Universal Credit statement.",
        "The first version named the journal instead of the statement.",
    ),
    "Employment support": (
        "First meeting: the client has been out of work for eighteen months after illness.",
        "The first version gave the wrong length of time out of work.",
    ),
    "Careers guidance": (
        "Guidance interview at school: unsure between sixth form college and an apprenticeship.",
        "The first version did not say which college.",
    ),
}


def note_texts(type_name: str) -> set[str]:
    """Every fact a demo note on a case of this type may record (for the demo's tests)."""
    texts = NOTE_TEXTS[type_name]
    return {text.facts for group in texts.values() for text in group} | {CORRECTIONS[type_name][0]}


def notes_load(*, now: datetime) -> None:
    """Notes, a correction, late entries and actions (one or two overdue) on the demo
    cases, once."""
    for type_name, (name, facts, next_steps) in NOTE_TEMPLATES.items():
        case_type = CaseType.objects.filter(name=type_name).first()
        if case_type is not None:
            NoteTemplate.objects.get_or_create(
                case_type=case_type, name=name, defaults={"facts": facts, "next_steps": next_steps}
            )
    planned = planned_cases()
    if not planned or CaseNote.objects.filter(case__in=[c for c, _ in planned]).exists():
        return
    rng = random.Random(41)  # noqa: S311 - the same demo every time, not security
    days = DemoDays(now)
    for case, plan in planned:
        adviser = known(case.assigned_to, "the case's adviser")
        texts = NOTE_TEXTS[plan.type_name]
        first_note = last_note = None
        for i, ago in enumerate(reversed(plan.contacts)):
            text = texts["first"][0] if i == 0 else texts["contact"][(plan.n + i) % 4]
            contact_at = days.at(ago, 10 + (plan.n + i) % 6, rng.randrange(0, 60))
            late = (plan.n + i) % 9 == 0
            recorded = contact_at + (
                timedelta(hours=rng.randrange(30, 80))
                if late
                else timedelta(minutes=rng.randrange(5, 90))
            )
            last_note = note_services.note_append(
                case=case,
                author=adviser,
                contact_at=contact_at,
                channel=text.channel,
                facts=text.facts,
                opinion=text.opinion,
                actions_taken=text.taken,
                next_steps=text.steps,
                now=min(recorded, now),
            )
            first_note = first_note or last_note
            # Now and then, work on the case the same afternoon with no contact.
            if i == 0 and plan.n % 3 == 1:
                file_text = texts["file"][0]
                file_at = contact_at + timedelta(hours=3)
                if file_at < now:
                    note_services.note_append(
                        case=case,
                        author=adviser,
                        contact_at=file_at,
                        channel=file_text.channel,
                        facts=file_text.facts,
                        opinion=file_text.opinion,
                        next_steps=file_text.steps,
                        now=min(file_at + timedelta(minutes=20), now),
                    )
        if last_note is not None and plan.action is not None:
            due = days.ahead(plan.action)
            note_services.action_create(
                case=case,
                note=last_note,
                description=ACTIONS[plan.type_name],
                owner="adviser",
                due_on=due,
                created_by=adviser,
                today=min(due, days.today),
            )
        if first_note is not None and plan.n % 13 == 2:
            facts, reason = CORRECTIONS[plan.type_name]
            note_services.note_append(
                case=case,
                author=adviser,
                contact_at=first_note.contact_at,
                channel=first_note.channel,
                facts=facts,
                next_steps=first_note.next_steps,
                corrects=first_note,
                correction_reason=reason,
                now=min(first_note.recorded_at + timedelta(days=1), now),
            )
    _unsaved_draft([case for case, _ in planned], now=now)


def _unsaved_draft(cases: list[Case], *, now: datetime) -> None:
    """A note alice began two hours ago and never saved (her session timed out): her case
    page puts it back into the form."""
    case = next((c for c in cases if c.assigned_to and c.assigned_to.username == "alice"), None)
    if case is None:
        return
    began = timezone.localtime(now - timedelta(hours=2))
    note_services.note_draft_save(
        case=case,
        author=known(case.assigned_to, "the case's adviser"),
        values={
            "contact_date": localize_input(began.date()),
            "contact_time": localize_input(began.time().replace(second=0, microsecond=0)),
            "channel": "phone",
            "facts": "Client rang back about the payment plan: the agent now wants",
        },
        now=began,
    )
