import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.choices import APIKeyScope
from core.models import Partner
from core.services import apikey_create, partner_create


class Command(BaseCommand):
    help = (
        "Create an API key for a partner organisation (created if new) and print it once. "
        "Only its SHA-256 is stored: a lost key cannot be shown again, only revoked and replaced."
    )

    def add_arguments(self, parser):
        parser.add_argument("--partner", required=True, help="The partner organisation's name.")
        parser.add_argument("--scope", required=True, choices=APIKeyScope.values)
        parser.add_argument("--expires", help="Last valid day, YYYY-MM-DD (the key stops at the end of that day, UTC).")
        parser.add_argument("--name", default="", help="What the key is for.")

    def handle(self, *args, partner, scope, expires, name, **options):
        expires_at = None
        if expires:
            try:
                day = datetime.date.fromisoformat(expires)
            except ValueError:
                raise CommandError("--expires: give a date as YYYY-MM-DD.") from None
            expires_at = datetime.datetime.combine(
                day + datetime.timedelta(days=1), datetime.time(), tzinfo=datetime.UTC
            )
        try:
            organisation = Partner.objects.filter(name=partner.strip()).first() or partner_create(name=partner)
            key, secret = apikey_create(
                name=name or f"{scope} key", scope=scope, partner=organisation, expires_at=expires_at
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"Created {scope} key {key.prefix}… for {organisation.name}."))
        if key.expires_at:
            self.stdout.write(f"Expires: {timezone.localtime(key.expires_at):%Y-%m-%d %H:%M %Z}")
        self.stdout.write("The key, shown only this once:")
        self.stdout.write(secret)
