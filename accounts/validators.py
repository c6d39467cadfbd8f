"""Password rules beyond Django's: breached passwords and low-variety passwords."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError

BREACHED_LIST = Path(__file__).resolve().parent / "data" / "breached-passwords.sha1"


@lru_cache(maxsize=1)
def _breached_hashes(path: Path = BREACHED_LIST) -> frozenset[str]:
    return frozenset(line.strip().lower() for line in path.read_text().splitlines() if line)


class BreachedPasswordValidator:
    """Refuse a password on the local list of frequently breached passwords.

    The list (``accounts/data/breached-passwords.sha1``) holds SHA-1 hashes of
    lower-cased passwords and ships with Caseload, so checking a password
    never sends anything over the network.
    """

    def validate(self, password: str, user: Any = None) -> None:
        digest = hashlib.sha1(password.lower().encode(), usedforsecurity=False).hexdigest()
        if digest in _breached_hashes():
            raise ValidationError(
                "This password is on a list of passwords exposed in data breaches. Choose another.",
                code="password_breached",
            )

    def get_help_text(self) -> str:
        return "Your password cannot be one known from data breaches."


class RepetitivePasswordValidator:
    """Refuse passwords made of one short part repeated, or of very few different characters.

    ``passwordpassword``, ``abcabcabcabc`` and ``aaaaaaaaaaaa`` are long enough
    to pass the length rule but are guessed almost at once.
    """

    def __init__(self, min_distinct: int = 6) -> None:
        self.min_distinct = min_distinct

    @staticmethod
    def _is_repeated(password: str) -> bool:
        length = len(password)
        return any(
            length % size == 0 and password[:size] * (length // size) == password
            for size in range(1, length // 2 + 1)
        )

    def validate(self, password: str, user: Any = None) -> None:
        folded = password.lower()
        if self._is_repeated(folded):
            raise ValidationError(
                "This password is one short part repeated. Choose something less predictable.",
                code="password_repeated",
            )
        if len(set(folded)) < self.min_distinct:
            raise ValidationError(
                f"This password uses fewer than {self.min_distinct} different characters. "
                "Choose something less predictable.",
                code="password_too_few_characters",
                params={"min_distinct": self.min_distinct},
            )

    def get_help_text(self) -> str:
        return (
            f"Your password must use at least {self.min_distinct} different characters and "
            "cannot be one short part repeated."
        )
