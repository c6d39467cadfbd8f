from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.load import demo_load
from demo.people import DEMO_PASSWORD, DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Load the demo organisation (idempotent) and print its logins."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load demo users with a published password even though DJANGO_ENV=production.",
        )

    def handle(self, *args: Any, allow_production: bool, **options: Any) -> None:
        if settings.PRODUCTION and not allow_production:
            raise CommandError(
                "Refusing to load demo users with a published password in production "
                "(pass --allow-production for a demonstration server)."
            )
        people = demo_load()
        self.stdout.write(self.style.SUCCESS("Demo organisation loaded."))
        self.stdout.write(f"Every demo login uses the password: {DEMO_PASSWORD}")
        for person in people:
            team = f", {person.team}" if person.team else ""
            self.stdout.write(f"  {person.username:<8} {person.role.label}{team}")
        self.stdout.write(
            "After the password, Caseload asks for a code from an authenticator app. Every "
            f"demo user's app holds the key {DEMO_TOTP_SECRET} (time-based, 6 digits, 30 "
            "seconds): add it to any authenticator app, or run `manage.py demo_code` for the "
            "current code."
        )
