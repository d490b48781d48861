import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.test import RequestFactory
from django.utils import timezone
from tqdm import tqdm

from core.api.exports import serialized_rows
from core.api.feed import partner_resources, partner_viewset
from core.feed import sequence_feed
from core.models import FeedSequence


class Command(BaseCommand):
    help = (
        "Write every published record, exactly as partners see it through the API, to one JSON file, "
        "with the changes-feed cursor to follow from (GET /api/v1/changes/?after=<feed_cursor>)."
    )

    def add_arguments(self, parser):
        parser.add_argument("output", help="The file to write, e.g. var/dump.json.")
        parser.add_argument(
            "--base-url",
            default=settings.SITE_URL,
            help="Origin for links in the dump (default: the SITE_URL setting, %(default)s).",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (e.g. in cron).")

    def handle(self, *args, output, base_url, no_progress, **options):
        scheme, _, host = base_url.partition("://")
        request = RequestFactory().get("/api/v1/", secure=scheme == "https")
        request.get_host = lambda: host or "localhost"  # links name the public origin, not ALLOWED_HOSTS
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh_transaction = not connection.in_atomic_block
        # Number what is pending first, so the cursor is as late as it can be. A change committed
        # before the snapshot but numbered after it is replayed once more by a follower: harmless.
        sequence_feed()
        with transaction.atomic():
            if connection.vendor == "postgresql" and fresh_transaction:
                # One snapshot for the whole dump, so the rows and the feed cursor agree.
                with connection.cursor() as db:
                    db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor = FeedSequence.objects.get_or_create(pk=1)[0].last_seq
            viewsets = {resource: partner_viewset(resource, request) for resource in partner_resources()}
            querysets = {resource: viewset.get_queryset() for resource, viewset in viewsets.items()}
            total = sum(queryset.count() for queryset in querysets.values())
            with (
                path.open("w", encoding="utf-8") as out,
                tqdm(total=total, unit="rows", disable=no_progress, file=self.stderr._out) as progress,
            ):
                out.write("{\n")
                header = {"generated_at": timezone.now(), "feed_cursor": str(cursor)}
                for key, value in header.items():
                    out.write(f"{json.dumps(key)}: {json.dumps(value, cls=DjangoJSONEncoder)},\n")
                for index, (resource, viewset) in enumerate(viewsets.items()):
                    out.write(f"{json.dumps(resource)}: [")
                    context = viewset.get_serializer_context()
                    rows = serialized_rows(
                        querysets[resource],
                        lambda chunk, v=viewset, c=context: v.serializer_class(chunk, many=True, context=c).data,
                    )
                    for number, row in enumerate(rows):
                        out.write(("," if number else "") + "\n  " + json.dumps(row, cls=DjangoJSONEncoder))
                        progress.update(1)
                    out.write("\n]" + ("," if index < len(viewsets) - 1 else "") + "\n")
                out.write("}\n")
        self.stdout.write(self.style.SUCCESS(f"Wrote {total} records to {path} (feed cursor {cursor})."))
