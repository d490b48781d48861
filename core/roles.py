"""The team's roles, defined once: the migration and every `migrate` bring the groups in line with this."""

from __future__ import annotations

from typing import Any

EDITORS = "Editors"
PARTNER_SUBMITTERS = "Partner submitters"
REVIEWERS = "Reviewers"
# The named account of background work (Celery tasks, the seed loader, commands): not a superuser.
SYSTEM = "System"
VIEWERS = "Viewers"

_TRACKED = [
    ("tracker", "actor"),
    ("tracker", "role"),
    ("tracker", "topic"),
    ("tracker", "claim"),
    ("positions", "position"),
    ("sources", "source"),
    ("sources", "citation"),
]

_VIEW = [f"{app}.view_{model}" for app, model in _TRACKED]
_WRITE = [f"{app}.{verb}_{model}" for app, model in _TRACKED for verb in ("add", "change")]
# Editors may delete their unpublished drafts' pieces; services refuse deleting published records.
_EDITOR_DELETE = ["tracker.delete_claim", "sources.delete_citation", "positions.delete_position"]
_REVIEWER_ONLY = [
    "tracker.publish_claim",
    "positions.publish_position",
    *[f"{app}.delete_{model}" for app, model in _TRACKED],
]

# Later features append their permissions here (e.g. reverting history, patrolling changes).
ROLE_PERMISSIONS: dict[str, list[str]] = {
    VIEWERS: _VIEW,
    EDITORS: _VIEW + _WRITE + _EDITOR_DELETE,
    REVIEWERS: sorted(set(_VIEW + _WRITE + _EDITOR_DELETE + _REVIEWER_ONLY)),
}
# The accounts of partners with `submit` keys: propose draft claims with citations (and their sources)
# and send them for review. The API lets partner keys do nothing else; they see published data only.
ROLE_PERMISSIONS[PARTNER_SUBMITTERS] = [
    "tracker.add_claim",
    "tracker.change_claim",
    "sources.add_citation",
    "sources.add_source",
]


def sync_roles(apps: Any, *, verbosity: int = 0) -> None:
    """Create the groups and give each exactly the permissions listed above."""
    from django.apps import apps as installed_apps
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; create them now so groups can get them.
    for app_config in installed_apps.get_app_configs():
        create_permissions(app_config, apps=apps, verbosity=verbosity)

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".", 1)
            found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if found is not None:
                wanted.append(found)
        group.permissions.set(wanted)


# Audit history (issue 6): the whole team reads the change log; reviewers revert and mark changes reviewed.
for _group in (VIEWERS, EDITORS, REVIEWERS):
    ROLE_PERMISSIONS[_group].append("core.view_changeentry")
ROLE_PERMISSIONS[REVIEWERS] += ["core.revert_history", "core.patrol_history"]
# Review of what partners see (issue 14): an actor, topic, role or source shown by published work
# changes only with this permission (core.editing.save_validated).
ROLE_PERMISSIONS[REVIEWERS] += ["core.change_published"]
# Login lockouts (django-axes): reviewers see the failed attempts in the admin and unlock an account by
# deleting its rows.
ROLE_PERMISSIONS[REVIEWERS] += ["axes.view_accessattempt", "axes.delete_accessattempt"]
ROLE_PERMISSIONS[SYSTEM] = sorted(set(ROLE_PERMISSIONS[REVIEWERS]))
