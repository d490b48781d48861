"""What a partner may see, read from the registry.

Records with a workflow (claims, positions) and their parts (citations) declare their own partner
queryset. Records without one (actors, topics, sources) are visible once a visible record *shows*
them: a published claim shows its speaker and topics, a published position its actor and topic, a
citation of a published claim its source. So drafting a claim about a new person or from a new
source shows nothing outside the team. Team members see everything.

This is the one definition used by the API lists, details, nested fields, search, exports, the dump
and the changes feed.
"""

from __future__ import annotations

from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from core import registry


def visible(model: type[Model], *, partner: bool) -> QuerySet:
    """The rows of `model` the caller may see: all for the team, the published view for partners."""
    if not partner:
        return model._default_manager.all()
    spec = registry.get(model)
    if spec.visible is not None:
        return spec.visible()
    return model._default_manager.filter(shown(model, "pk"))


def shown(model: type[Model], ref: str) -> Q:
    """True where some partner-visible record shows the `model` row at `OuterRef(ref)`."""
    condition = Q(pk__in=[])
    for spec in registry.all_tracked():
        for name in spec.shows:
            if spec.model._meta.get_field(name).related_model is model:
                condition |= Q(Exists(visible(spec.model, partner=True).filter(**{name: OuterRef(ref)})))
    return condition


def related_visible(model: type[Model], field_name: str) -> Q:
    """True where the record that `field_name` (a foreign key of `model`) points to is partner-visible."""
    related = model._meta.get_field(field_name).related_model
    spec = registry.get(related)
    if spec.visible is None:
        return shown(related, field_name)
    return Q(Exists(spec.visible().filter(pk=OuterRef(field_name))))
