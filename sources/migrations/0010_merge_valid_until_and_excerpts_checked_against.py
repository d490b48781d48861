"""Joins two migrations written in parallel (history_valid_until and excerpts_checked_against)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0009_excerpts_checked_against"),
        ("sources", "0009_history_valid_until"),
    ]

    operations = []
