"""Index the history rows written before the change index existed (summaries name the action only)."""

from django.db import migrations

MODELS = [
    ("tracker", "actor", lambda r: r.name),
    ("tracker", "role", lambda r: r.title),
    ("tracker", "topic", lambda r: r.title),
    ("tracker", "claim", lambda r: r.text[:80]),
    ("positions", "position", lambda r: f"Position {r.id} ({r.stance}, {r.as_of})"),
    ("sources", "source", lambda r: r.title or r.url),
    ("sources", "citation", lambda r: f"“{r.excerpt[:60]}”"),
]
LABELS = {"created": "Created", "deleted": "Deleted", "restored": "Restored"}


def backfill(apps, schema_editor):
    ChangeEntry = apps.get_model("tracker", "ChangeEntry")
    for app_label, model_name, describe in MODELS:
        History = apps.get_model(app_label, f"historical{model_name}")
        batch = []
        for row in History.objects.order_by("history_id").iterator(chunk_size=2000):
            batch.append(
                ChangeEntry(
                    model=f"{app_label}.{model_name}",
                    history_id=row.history_id,
                    object_id=row.id,
                    object_repr=str(describe(row))[:200],
                    history_date=row.history_date,
                    user_id=row.history_user_id,
                    action=row.history_action,
                    history_type=row.history_type,
                    reason=row.history_change_reason or "",
                    summary=LABELS.get(row.history_action, row.history_action.capitalize()),
                    change_id=row.history_change_id,
                )
            )
            if len(batch) >= 2000:
                ChangeEntry.objects.bulk_create(batch)
                batch = []
        ChangeEntry.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0003_audit_change_index"),
        ("positions", "0002_initial"),
        ("sources", "0002_initial"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
