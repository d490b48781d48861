"""Retention: remove history rows older than a date, keeping each live record's last version before it.

The only way history rows are ever removed. Each run (not a dry run) leaves a HistoryPrune row
saying who ran it, the cut-off and how many rows went from each table; those rows are never pruned.
"""

from __future__ import annotations

import datetime
import logging

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from core import registry
from core.audit import history_model, m2m_field_names, m2m_through
from core.history import get_system_user
from core.models import ChangeEntry, HistoryPrune

logger = logging.getLogger(__name__)


def _cutoff(text: str) -> datetime.datetime:
    moment = parse_datetime(text)
    if moment is None:
        day = parse_date(text)
        if day is None:
            raise CommandError(f"--before: {text!r} is not a date (2024-01-31) or a date and time.")
        moment = datetime.datetime.combine(day, datetime.time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > timezone.now():
        raise CommandError("--before is in the future; that would prune history still being written.")
    return moment


class Command(BaseCommand):
    help = (
        "Delete history rows older than --before. Each record keeps its latest version from before the cut-off "
        "(so diffs and 'as it stood' still work from that date on); records deleted before it lose their history."
    )

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="Cut-off date or datetime (site time zone if naive).")
        parser.add_argument("--dry-run", action="store_true", help="Count what would go; change nothing.")
        parser.add_argument("--reason", default="Retention", help="Recorded in the prune log.")

    def handle(self, *args, before: str, dry_run: bool, reason: str, **options):
        cutoff = _cutoff(before)
        counts: dict[str, int] = {}
        with transaction.atomic():
            for spec in registry.all_tracked():
                model = spec.model
                history = history_model(model)._default_manager
                old = history.filter(history_date__lt=cutoff)
                # The newest old row of each record is its baseline, unless it records the deletion.
                baselines = old.values("id").annotate(last=Max("history_id")).values_list("last", flat=True)
                keep = history.filter(history_id__in=baselines).exclude(history_type="-")
                doomed = old.exclude(history_id__in=keep.values("history_id"))
                doomed_ids = list(doomed.values_list("history_id", flat=True))
                counts[history.model._meta.db_table] = len(doomed_ids)
                if dry_run or not doomed_ids:
                    continue
                for start in range(0, len(doomed_ids), 5000):
                    chunk = doomed_ids[start : start + 5000]
                    for field_name in m2m_field_names(model):
                        m2m_through(model, field_name)._default_manager.filter(history_id__in=chunk).delete()
                    ChangeEntry.objects.filter(model=model._meta.label_lower, history_id__in=chunk).delete()
                    # Queryset delete: HistoryBase refuses instance deletes, retention is the one exception.
                    history.filter(history_id__in=chunk).delete()
            total = sum(counts.values())
            if not dry_run:
                HistoryPrune.objects.create(
                    user=get_system_user(), before=cutoff, counts=counts, total=total, reason=reason
                )
        verb = "Would prune" if dry_run else "Pruned"
        for table, count in counts.items():
            self.stdout.write(f"{table}: {count}")
        self.stdout.write(f"{verb} {total} history rows older than {cutoff.isoformat()}.")
        if not dry_run:
            logger.info("prunehistory: pruned %s history rows older than %s: %s", total, cutoff.isoformat(), counts)
