"""The new quote status "unverifiable" (issue 13, point 2); source URLs re-normalised with w3lib
and the sources that become one merged (issue 13, point 7).

The new `sources.normalise.normalise_url` resolves dot segments, unifies percent-escapes, writes IDN
hosts in punycode, encodes spaces and sorts the query, so two sources stored under two spellings
of one page now have the same URL. For each such group the oldest source survives: the others'
citations and roles are moved to it, their checks and snapshots too (they are the record of the
same page), empty fields of the survivor are filled from them, and they are deleted. Every source
whose stored URL differs from its new form gets that form, so a lookup by URL finds it. Survivors
that received citations are due for a check at once.

Why this writes history rows itself instead of calling the services (`citation_update`,
`source_update`, `source_delete`):
- The services work on the current model classes; a migration must work on the schema as of the
  migration (`apps.get_model`), or it breaks the day a later migration adds a column to Source,
  Citation or Role and an older database is migrated past both at once.
- `citation_update` refuses to touch the citations of a retracted claim, and a duplicate cannot
  be deleted while any citation still points to it (`on_delete=PROTECT`): a data repair must move
  them all.
So it writes, per changed record, exactly what `core.history.save_tracked`/`delete_tracked` and
their signal handlers write: one history row (system user, a reason, one change id for the whole
migration, the version bumped), its `ChangeEntry` for the recent-changes list and its
`FeedPending` row so partners' mirrors get the moved citations and the deleted duplicates.
"""

import uuid
from collections import defaultdict

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

REASON = "Merged sources whose URLs are the same page under the new URL normalisation (issue 13)"
URL_REASON = "URL rewritten in the new normal form (dot segments, escapes, IDN host, sorted query; issue 13)"
FILLED_FROM_DUPLICATES = ("title", "publisher", "author", "language", "stored_text")


def _system_user(apps):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    Group = apps.get_model("auth", "Group")
    user, created = User.objects.get_or_create(
        username=settings.TRACKER_SYSTEM_USERNAME,
        defaults={"first_name": "Tracker", "last_name": "system", "is_active": True, "password": "!"},
    )
    if created:
        user.groups.add(Group.objects.get_or_create(name="System")[0])
    return user


class _Recorder:
    """Writes history rows, change entries and feed entries the way core.history and its handlers do."""

    def __init__(self, apps, user):
        self.apps = apps
        self.user = user
        self.change_id = uuid.uuid4()
        self.now = timezone.now()
        self.ChangeEntry = apps.get_model("core", "ChangeEntry")
        self.FeedPending = apps.get_model("core", "FeedPending")

    def record(self, instance, *, history_type, reason, summary, repr_):
        opts = instance._meta
        History = self.apps.get_model(opts.app_label, f"Historical{opts.object_name}")
        action = {"+": "created", "-": "deleted"}.get(history_type, "changed")
        row = History(
            history_type=history_type,
            history_action=action,
            history_change_id=self.change_id,
            history_date=self.now,
            history_user_id=self.user.pk,
            history_change_reason=reason,
        )
        for field in History._meta.concrete_fields:
            if not field.name.startswith("history_"):
                setattr(row, field.attname, getattr(instance, field.attname))
        row.save()
        label = f"{opts.app_label}.{opts.model_name}"
        self.ChangeEntry.objects.create(
            model=label,
            history_id=row.history_id,
            object_id=instance.pk,
            object_repr=repr_[:200],
            history_date=self.now,
            user_id=self.user.pk,
            action=action,
            history_type=history_type,
            reason=reason,
            summary="Deleted" if history_type == "-" else summary,
            change_id=self.change_id,
        )
        self.FeedPending.objects.create(model=label, object_id=instance.pk, history_id=row.history_id)

    def save(self, instance, *, reason, summary, repr_):
        instance.version += 1
        instance.updated_at = self.now
        instance.save()
        self.record(instance, history_type="~", reason=reason, summary=summary, repr_=repr_)

    def delete(self, instance, *, reason, repr_):
        self.record(instance, history_type="-", reason=reason, summary="Deleted", repr_=repr_)
        instance.delete()


def _label(model, name):
    verbose_name = str(model._meta.get_field(name).verbose_name)
    return verbose_name[:1].upper() + verbose_name[1:]


def _source_repr(source):
    return source.title or source.url


def _groups(source_model, normalise_url):
    """{new url: [source ids, oldest first]} for every source whose URL changes or is shared."""
    groups = defaultdict(list)
    stored = {}
    for pk, url in source_model.objects.exclude(url="").order_by("pk").values_list("pk", "url"):
        try:
            new_url = normalise_url(url)
        except ValueError:
            continue  # not citable under the new rules either: left for an editor to see
        groups[new_url].append(pk)
        stored[pk] = url
    return {new: pks for new, pks in groups.items() if len(pks) > 1 or stored[pks[0]] != new}


def _merge_into(apps, recorder, survivor, duplicate):
    Citation = apps.get_model("sources", "Citation")
    Role = apps.get_model("tracker", "Role")
    reason = f"{REASON}: {duplicate.url} → {survivor.url}"
    for citation in Citation.objects.filter(source=duplicate).order_by("pk"):
        citation.source = survivor
        recorder.save(
            citation,
            reason=reason,
            summary="Source",
            repr_=f"{_source_repr(survivor)} — “{citation.excerpt[:60]}”",
        )
    for role in Role.objects.filter(source=duplicate).order_by("pk"):
        role.source = survivor
        recorder.save(role, reason=reason, summary="Source", repr_=role.title)
    for model_name in ("SourceCheck", "SourceSnapshot", "SourceCheckDelivery"):
        apps.get_model("sources", model_name).objects.filter(source=duplicate).update(source=survivor)
    filled = []
    for name in FILLED_FROM_DUPLICATES:
        if not getattr(survivor, name) and getattr(duplicate, name):
            setattr(survivor, name, getattr(duplicate, name))
            filled.append(name)
    if survivor.published_on is None and duplicate.published_on is not None:
        survivor.published_on = duplicate.published_on
        survivor.published_on_precision = duplicate.published_on_precision
        filled.append("published_on")
    recorder.delete(duplicate, reason=reason, repr_=_source_repr(duplicate))
    return filled


def merge_duplicate_sources(apps, schema_editor):
    from sources.normalise import normalise_url

    Source = apps.get_model("sources", "Source")
    groups = _groups(Source, normalise_url)
    if not groups:
        return
    recorder = _Recorder(apps, _system_user(apps))
    # A survivor takes its new URL after its duplicates are deleted: one of them may hold it now.
    # No source of another group holds it, as normalise_url is idempotent (tested).
    for new_url, pks in sorted(groups.items()):
        sources = list(Source.objects.filter(pk__in=pks).order_by("pk"))
        survivor, duplicates = sources[0], sources[1:]
        changed = ["url"] if survivor.url != new_url else []
        for duplicate in duplicates:
            changed += _merge_into(apps, recorder, survivor, duplicate)
        survivor.url = new_url
        if duplicates:
            survivor.next_check_at = recorder.now
        summary = ", ".join(_label(Source, name) for name in dict.fromkeys(changed))
        recorder.save(
            survivor,
            reason=REASON if duplicates else URL_REASON,
            summary=summary or "no field changed",
            repr_=_source_repr(survivor),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0005_source_check_requested_at"),
        # Roles cite sources; change entries and the feed's pending rows record what this changes.
        ("tracker", "0006_kernel_models_moved_to_core"),
        ("core", "0005_change_published_permission"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="citation",
            name="quote_status",
            field=models.CharField(
                choices=[
                    ("unverified", "Not verified yet"),
                    ("present", "Present"),
                    ("altered", "Altered"),
                    ("missing", "Missing"),
                    ("unverifiable", "Unverifiable — page could not be read"),
                ],
                db_index=True,
                default="unverified",
                editable=False,
                max_length=20,
                verbose_name="excerpt check",
            ),
        ),
        migrations.AlterField(
            model_name="citationcheck",
            name="status",
            field=models.CharField(
                choices=[
                    ("unverified", "Not verified yet"),
                    ("present", "Present"),
                    ("altered", "Altered"),
                    ("missing", "Missing"),
                    ("unverifiable", "Unverifiable — page could not be read"),
                ],
                db_index=True,
                max_length=20,
            ),
        ),
        migrations.RunPython(merge_duplicate_sources, migrations.RunPython.noop),
    ]
