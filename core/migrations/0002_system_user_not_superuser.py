from django.conf import settings
from django.db import migrations


def demote_system_user(apps, schema_editor):
    """The system account had every right as a superuser; it now has those of the System group."""
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    Group = apps.get_model("auth", "Group")
    user = User.objects.filter(username=settings.TRACKER_SYSTEM_USERNAME).first()
    if user is None:
        return
    user.is_superuser = False
    user.save(update_fields=["is_superuser"])
    user.groups.add(Group.objects.get_or_create(name="System")[0])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(demote_system_user, migrations.RunPython.noop)]
