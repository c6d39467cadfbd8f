"""Real work through PgBouncer, run in a subprocess by ``test_pgbouncer.py``.

``python -m tests.caseload.pgbouncer_work CASE_ID USER_ID`` appends notes to the case,
opens its page as the user, and reads its notes with ``.iterator()`` (Django's
server-side cursor path) while a second connection works between the rows, then prints
what it saw as JSON. ``DATABASE_URL`` and ``DATABASE_REPLICA_URL`` both lead to PgBouncer,
so two client connections share its small pool one transaction at a time.
"""

from __future__ import annotations

import json
import os
import sys

import django


def main(case_id: int, user_id: int) -> dict[str, int]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseload.settings")
    django.setup()
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from caseload.db_router import REPLICA
    from cases.models import Case, User
    from notes.models import CaseNote
    from notes.services import note_append

    case = Case.objects.get(pk=case_id)
    author = User.objects.get(pk=user_id)
    for number in range(3):
        note_append(
            case=case,
            author=author,
            contact_at=timezone.now(),
            channel=CaseNote.Channel.PHONE,
            facts=f"Called the client, call {number + 1}.",
            next_steps="Call again next week.",
        )

    client = Client()
    client.force_login(author)
    session = client.session
    device = TOTPDevice.objects.get(user=author, confirmed=True)
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    page = client.get(reverse("cases:case_detail", args=[case.pk]))

    rows = 0
    for _note in CaseNote.objects.filter(case=case).order_by("pk").iterator(chunk_size=1):
        Case.objects.using(REPLICA).filter(pk=case.pk).exists()
        rows += 1
    return {"page": page.status_code, "notes": rows}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]))))
