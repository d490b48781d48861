import pytest
from django.contrib.auth.models import Group

from core.roles import ROLE_PERMISSIONS

pytestmark = pytest.mark.django_db


def test_the_migration_creates_each_group_with_exactly_its_permissions():
    for name, perms in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=name)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert granted == set(perms)


def test_only_reviewers_may_publish(editor, reviewer, viewer):
    assert reviewer.has_perm("tracker.publish_claim") and reviewer.has_perm("positions.publish_position")
    assert not editor.has_perm("tracker.publish_claim")
    assert editor.has_perm("tracker.add_claim") and not viewer.has_perm("tracker.add_claim")
    assert viewer.has_perm("tracker.view_claim")
