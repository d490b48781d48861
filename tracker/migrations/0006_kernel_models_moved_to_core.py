# The kernel's models moved to `core` (core 0001 adopted and renamed their tables): state only here.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
        ('tracker', '0005_merge_0004_backfill_change_entries_0004_changes_feed'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='apikey',
                    name='partner',
                ),
                migrations.RemoveField(
                    model_name='apikey',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='changeentry',
                    name='patrolled_by',
                ),
                migrations.RemoveField(
                    model_name='changeentry',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='FeedEvent',
                ),
                migrations.DeleteModel(
                    name='FeedSequence',
                ),
                migrations.RemoveField(
                    model_name='historyprune',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='partner',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='APIKey',
                ),
                migrations.DeleteModel(
                    name='ChangeEntry',
                ),
                migrations.DeleteModel(
                    name='HistoryPrune',
                ),
                migrations.DeleteModel(
                    name='Partner',
                ),
            ],
        ),
    ]
