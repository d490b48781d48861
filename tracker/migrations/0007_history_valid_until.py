"""Each history row says until when it stood (core.history: `history_valid_until`), filled here from
the row after it for the rows written before, so "the row at T" is a range condition."""

from django.db import migrations, models

from core.history import fill_valid_until


def fill(apps, schema_editor):
    for name in ('HistoricalActor', 'HistoricalClaim', 'HistoricalRole', 'HistoricalTopic'):
        fill_valid_until(apps.get_model('tracker', name), using=schema_editor.connection.alias)


class Migration(migrations.Migration):

    dependencies = [
        ('tracker', '0006_kernel_models_moved_to_core'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalactor',
            name='history_valid_until',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='historicalclaim',
            name='history_valid_until',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='historicalrole',
            name='history_valid_until',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='historicaltopic',
            name='history_valid_until',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
