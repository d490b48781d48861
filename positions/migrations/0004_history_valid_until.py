"""Each history row says until when it stood (core.history: `history_valid_until`), filled here from
the row after it for the rows written before, so "the row at T" is a range condition."""

from django.db import migrations, models

from core.history import fill_valid_until


def fill(apps, schema_editor):
    for name in ('HistoricalPosition',):
        fill_valid_until(apps.get_model('positions', name), using=schema_editor.connection.alias)


class Migration(migrations.Migration):

    dependencies = [
        ('positions', '0003_history_latest_row_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalposition',
            name='history_valid_until',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
