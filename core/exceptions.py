"""Errors services raise besides Django's ValidationError and PermissionDenied."""

from __future__ import annotations

from typing import Any


class ConflictError(Exception):
    """Someone else saved the record after the caller read it; nothing was written.

    Carries the current record so a form can show the other person's change beside the caller's.
    """

    def __init__(self, *, instance: Any, expected_version: int) -> None:
        self.instance = instance
        self.expected_version = expected_version
        self.current_version = instance.version
        super().__init__(
            f"{instance._meta.verbose_name.capitalize()} {instance.pk} was changed by someone else "
            f"(you edited version {expected_version}, it is now version {instance.version}). "
            "Nothing was saved: reload, re-apply your change and save again."
        )
