from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from caseload.db_roles import APPEND_ONLY, RoleError, app_role_grant


class Command(BaseCommand):
    help = (
        "Grant the application's PostgreSQL role exactly the privileges it needs, and revoke "
        "anything else: run it as the tables' owner after every migrate. The role defaults "
        "to CASELOAD_DB_APP_ROLE; --create makes it if missing and sets its password from "
        "CASELOAD_DB_APP_PASSWORD."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("role", nargs="?", default=None)
        parser.add_argument(
            "--create",
            action="store_true",
            help="Create the role if it is missing, and set its password "
            "from CASELOAD_DB_APP_PASSWORD when that is set.",
        )

    def handle(self, *args: Any, role: str | None, create: bool, **options: Any) -> None:
        role = role or settings.CASELOAD_DB_APP_ROLE
        if not role:
            raise CommandError("Name the role, or set CASELOAD_DB_APP_ROLE.")
        if connection.vendor != "postgresql":
            raise CommandError("Database roles need PostgreSQL; SQLite has none.")
        try:
            with transaction.atomic():
                connection.ensure_connection()
                grants = app_role_grant(
                    db=connection.connection,
                    role=role,
                    create=create,
                    password=settings.CASELOAD_DB_APP_PASSWORD,
                )
        except RoleError as error:
            raise CommandError(str(error)) from None
        if grants.created:
            self.stdout.write(f"Created the role {role}.")
        append_only = sorted(t for t, p in grants.tables.items() if p == APPEND_ONLY)
        self.stdout.write(
            f"Granted {role} its privileges on {len(grants.tables)} tables; "
            f"SELECT and INSERT only on {', '.join(append_only)}."
        )
