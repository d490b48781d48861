import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the local superuser `admin` with a random password, printed once. Does nothing if it exists."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.stdout.write(
                f"Superuser {username!r} already exists. Forgot the password? "
                f"Run: .venv/bin/python manage.py changepassword {username}"
            )
            return
        password = secrets.token_urlsafe(18)
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(self.style.SUCCESS(f"Created superuser {username!r} with password: {password}"))
        self.stdout.write("This password is shown only once. Log in at http://127.0.0.1:8000/admin/")
