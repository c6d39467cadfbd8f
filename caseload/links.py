"""Links that leave the site: every link in an email is made here, from
``CASELOAD_BASE_URL`` (the address people use to reach Caseload), never from the
request that happened to cause the email, which a worker does not have."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse


def absolute_url(path: str) -> str:
    """``path`` (as ``reverse`` gives it, starting with ``/``) as a full address."""
    if not path.startswith("/"):
        raise ValueError("absolute_url takes a path that starts with /")
    return f"{settings.CASELOAD_BASE_URL}{path}"


def absolute_reverse(name: str, *args: Any, **kwargs: Any) -> str:
    """The full address of the URL named ``name``, with ``reverse``'s arguments."""
    return absolute_url(reverse(name, args=args or None, kwargs=kwargs or None))
