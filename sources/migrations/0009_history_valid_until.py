"""Each history row says until when it stood (core.history: `history_valid_until`), filled here from
the row after it for the rows written before, so "the row at T" is a range condition."""

from django.db import migrations, models

from core.history import fill_valid_until


def fill(apps, schema_editor):
    for name in ('HistoricalCitation', 'HistoricalSource'):
        fill_valid_until(apps.get_model('sources', name), using=schema_editor.connection.alias)


class Migration(migrations.Migration):

    dependencies = [
        ('sources', '0008_health_label_degraded'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalcitation',
            name='history_valid_until',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='historicalsource',
            name='history_valid_until',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
