"""System checks: ``manage.py check`` and every management command that runs the checks
refuse to go on with master keys that are not the organisation's."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register

from caseload.keycheck import FAILED, key_check_run


@register()
def master_keys_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The key check, read-only: nothing is recorded, so ``check`` writes nothing.

    A database that cannot be reached, or has no tables yet (before the first
    ``migrate``), is not this check's concern: there is nothing to compare the keys
    with, and nothing can be written before the check passes (``key_check_require``).
    """
    check = key_check_run(record=False)
    if check.status == FAILED:
        return [Error(check.message, id="caseload.E001")]
    return []
