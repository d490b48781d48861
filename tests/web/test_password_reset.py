"""Password reset exists only where email is configured (EMAIL_HOST set); otherwise the login page says
whom to ask, and every reset URL answers 404."""

import re

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new passphrase 42"
WITH_EMAIL = override_settings(
    EMAIL_HOST="smtp.example.org", EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
)


@override_settings(EMAIL_HOST="")
def test_without_email_the_reset_pages_answer_404_and_the_login_page_says_whom_to_ask(client, editor):
    reset_urls = [
        reverse("password_reset"),
        reverse("password_reset_done"),
        reverse("password_reset_confirm", args=["MQ", "set-password"]),
        reverse("password_reset_complete"),
    ]

    assert [client.get(url).status_code for url in reset_urls] == [404, 404, 404, 404]
    assert client.post(reverse("password_reset"), {"email": editor.email}).status_code == 404
    assert mail.outbox == []
    login = client.get(reverse("login")).content.decode()
    assert "Ask an administrator to set a new one for you in the admin." in login
    assert reverse("password_reset") not in login


@WITH_EMAIL
def test_with_email_the_login_page_links_to_the_reset_and_the_mailed_link_sets_a_new_password(client, editor):
    editor.email = "editor@example.org"
    editor.save()

    login = client.get(reverse("login")).content.decode()
    assert f'<a href="{reverse("password_reset")}">Forgotten your password?</a>' in login
    assert "Ask an administrator" not in login

    sent = client.post(reverse("password_reset"), {"email": "editor@example.org"})
    assert sent.status_code == 302 and sent["Location"] == reverse("password_reset_done")
    assert [message.to for message in mail.outbox] == [["editor@example.org"]]
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)

    form = client.get(link, follow=True)
    assert form.status_code == 200 and "Set a new password" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    editor.refresh_from_db()
    assert editor.check_password(NEW_PASSWORD)


@WITH_EMAIL
def test_with_email_an_unknown_address_gets_the_same_answer_and_no_mail(client, editor):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})

    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []
