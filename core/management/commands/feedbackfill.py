from django.core.management.base import BaseCommand

from core.feed import feed_backfill


class Command(BaseCommand):
    help = (
        "Add an `upsert` to the changes feed for every partner-visible record that has none (data older than the feed)."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"Added {feed_backfill()} events to the changes feed.")
