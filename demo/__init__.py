"""The demo organisation a new user explores (`manage.py demo`), and its sign-in codes."""

from typing import TypeVar

T = TypeVar("T")


def known(value: T | None, what: str) -> T:
    """``value``, which the demo's own data always provides (``what`` names it if not)."""
    if value is None:
        raise LookupError(f"The demo expected {what}.")
    return value
