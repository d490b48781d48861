"""The model registry: every tracked model declared once, next to its services.

A registration says what the kernel needs to know about a model: the fields and links its services
edit, the services themselves (revert and restore call them, so a revert is an ordinary edit with all
its effects and invariants), how partners see it, and which other records' feed representation
depends on it. Audit, the changes feed, revert, the dump, the API feed and the history pages read
the registry; none keeps a per-model map of its own.

Domain apps register in their services module (imported by their AppConfig.ready), so the kernel
never imports a domain app. A model that keeps history but is not registered fails
`check_registry()`, which runs at start-up (core.apps) and in the tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models

ALL_FIELDS = frozenset({"*"})


@dataclass(frozen=True)
class Embeds:
    """My representation includes `fields` of the records at `path` (`speaker`, `citations__source`).

    When one of those fields changes on such a record, my feed entry is re-sent. `ALL_FIELDS` means
    any change (a claim's citations are shown whole)."""

    path: str
    fields: frozenset[str] = ALL_FIELDS


@dataclass
class Tracked:
    """One tracked model as the kernel sees it."""

    model: type[models.Model]
    resource: str  # the API and feed name, plural kebab-case: "claims"
    fields: tuple[str, ...]  # what the update service accepts in `data`
    create: Callable[..., models.Model]  # create(user=, reason=, data=, **links, **{parent: obj}, restore_pk=)
    update: Callable[..., models.Model]  # update(<model_name>=obj, user=, reason=, data=, expected_version=, **links)
    delete: Callable[..., None]  # delete(<model_name>=obj, user=, reason=, expected_version=)
    links: tuple[str, ...] = ()  # M2M fields; each is a keyword of create and update
    parent: str | None = None  # a child record (a claim's citation): set at creation, restored with the parent
    # Partner visibility. `visible` gives the partner queryset; None means "visible when a visible record
    # shows it" (see `shows`). `follows` names the relations whose visibility decides mine, so the feed
    # re-evaluates me when they change.
    visible: Callable[[], models.QuerySet] | None = None
    shows: tuple[str, ...] = ()
    follows: tuple[str, ...] = ()
    embeds: tuple[Embeds, ...] = ()
    str_related: tuple[str, ...] = ()  # what __str__ reads, fetched with the row in lists
    # Partners see this record through the published work that shows it (actors, topics, roles, sources):
    # while they do, changing it needs reviewer rights (core.editing.save_validated).
    reviewed_when_public: bool = False
    effects: list[tuple[frozenset[str], Callable[[Any], None], bool]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def name(self) -> str:
        """The model's name as services and URLs use it: `claim`, `position`."""
        return self.model._meta.model_name  # type: ignore[return-value]

    def child(self, relation: str) -> Tracked:
        """The registered child model reached through reverse relation `relation` (`citations`)."""
        for spec in self.children():
            if self.children_relation(spec) == relation:
                return spec
        raise LookupError(f"{self.model._meta.label} has no registered children called {relation!r}.")

    def children(self) -> list[Tracked]:
        return [spec for spec in _registry.values() if spec.parent and spec.parent_model() is self.model]

    def parent_model(self) -> type[models.Model] | None:
        return self.model._meta.get_field(self.parent).related_model if self.parent else None  # type: ignore[return-value]

    def children_relation(self, child: Tracked) -> str:
        """The reverse accessor from me to `child` rows (`citations`)."""
        return child.model._meta.get_field(child.parent).remote_field.get_accessor_name()  # type: ignore[union-attr]


_registry: dict[type[models.Model], Tracked] = {}
_pending_embeds: dict[type[models.Model], list[Embeds]] = {}
_ordered: list = [None, []]  # (the registered models, their registrations in display order)


def register(model: type[models.Model], **declaration: Any) -> Tracked:
    """Declare a tracked model. Registering twice is an error: there is one declaration per model."""
    if model in _registry:
        raise ImproperlyRegisteredError(f"{model._meta.label} is registered twice.")
    spec = Tracked(model=model, **declaration)
    unknown = [name for name in (*spec.fields, *spec.links) if not _has_field(model, name)]
    if unknown:
        raise ImproperlyRegisteredError(f"{model._meta.label} registers unknown fields: {', '.join(unknown)}.")
    spec.embeds = (*spec.embeds, *_pending_embeds.pop(model, ()))
    _registry[model] = spec
    return spec


def on_change(
    model: type[models.Model], fields: Iterable[str], effect: Callable[[Any], None], *, on_create: bool = True
) -> None:
    """Run `effect(instance)` after a history row of `model` records a change to any of `fields`
    (a creation or restore counts as changing every field, unless `on_create` is False).

    For behaviour of a layer above the services, e.g. queueing a source check, which the services
    cannot import without a cycle; the app attaches it in its AppConfig.ready.
    """
    get(model).effects.append((frozenset(fields), effect, on_create))


def extend(model: type[models.Model], *, embeds: Iterable[Embeds] = ()) -> None:
    """Declare, from an app above the model's own, more of what its representation embeds (the claims
    API, defined where citations are, shows each claim's citations and their sources)."""
    # Import order is not ours to choose (the admin autodiscovers modules before the apps are ready),
    # so an extension of a model not registered yet waits for its registration.
    spec = _registry.get(model)
    if spec is None:
        _pending_embeds.setdefault(model, []).extend(embeds)
    else:
        spec.embeds = (*spec.embeds, *embeds)


class ImproperlyRegisteredError(Exception):
    pass


def _has_field(model: type[models.Model], name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def get(model: type[models.Model] | str) -> Tracked:
    """The registration of a model, a label (`tracker.claim`), a URL name (`claim`) or a resource (`claims`)."""
    if isinstance(model, str):
        wanted = model.lower()
        for spec in _registry.values():
            if wanted in (spec.label, spec.name, spec.resource):
                return spec
        raise LookupError(f"No tracked model called {model!r}.")
    try:
        return _registry[model]
    except KeyError:
        raise LookupError(f"{model._meta.label} is not a tracked model.") from None


def find(model: type[models.Model]) -> Tracked | None:
    return _registry.get(model)


def all_tracked() -> list[Tracked]:
    """Every registration, by app (INSTALLED_APPS order), then in the order the app registered them:
    the order lists and filters show, whatever order the modules happened to be imported in."""
    # Read on every write's feed evaluation and every visibility query: sorted once per set of models.
    models_now = tuple(_registry)
    if _ordered[0] != models_now:
        from django.apps import apps

        order = {config.label: index for index, config in enumerate(apps.get_app_configs())}
        position = {model: index for index, model in enumerate(models_now)}
        _ordered[:] = [
            models_now,
            sorted(_registry.values(), key=lambda s: (order.get(s.model._meta.app_label, 0), position[s.model])),
        ]
    return list(_ordered[1])


def check_registry() -> list[str]:
    """Problems: models that keep history without a registration, registrations without history."""
    from django.apps import apps

    problems = []
    for model in apps.get_models():
        keeps_history = hasattr(model, "_tracked_history")
        if keeps_history and model not in _registry and not model._meta.proxy:
            problems.append(f"{model._meta.label} keeps history but is not registered with core.registry.")
    for model in _registry:
        if not hasattr(model, "_tracked_history"):
            problems.append(f"{model._meta.label} is registered but keeps no history (use core.history).")
    return problems
