from __future__ import annotations

from django.conf import settings
from django.db import models


class UserSession(models.Model):
    """A session a user signed in with, so that deactivating them can end it at once.

    Django's session table does not say whose a session is without decoding
    every row; this small table does, one row per session key.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=True
    )
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Session of user {self.user_id}"
