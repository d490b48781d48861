"""Querysets compiled to SQL once and run again with other values: for statements on a hot path.

Django compiles a queryset to SQL every time it runs, and for a small read that costs more CPU than
the database spends answering it: a source with its latest snapshot (three subqueries) took 3 ms to
compile and 0.3 ms to run. A source check runs such reads for every source, every day, so
:class:`Prepared` compiles each once per database and then only runs it.

The queryset is built by a function of placeholder values; compiling it must give them back as
parameters (a value the SQL inlines, or one that a lookup changes, is refused when it is compiled).
A statement with ``select_for_update()`` is compiled on its first run, which is inside a transaction
as it must be.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.db import connections, models

__all__ = ["Prepared"]

M = TypeVar("M", bound=models.Model)

#: Placeholder values, one per argument: numbers no row id or count in this product comes near.
_PLACEHOLDERS = tuple(7_310_000_000_000_001 + i for i in range(16))


class Prepared(Generic[M]):
    """A queryset built by ``build(*values)``, compiled once per database and run with new values."""

    def __init__(self, build: Callable[..., models.QuerySet[M]], *, arguments: int = 1) -> None:
        self._build = build
        self._arguments = arguments
        self._compiled: dict[tuple[str, str], tuple[type[M], str, list[Any]]] = {}

    def rows(self, *values: Any, using: str = "default") -> list[M]:
        """The model instances the queryset gives for ``values`` (annotations as attributes)."""
        if len(values) != self._arguments:
            raise TypeError(f"expected {self._arguments} values, got {len(values)}")
        model, sql, slots = self._compile(using)
        params = [values[slot] if isinstance(slot, _Slot) else slot for slot in slots]
        return list(model._default_manager.db_manager(using).raw(sql, params))

    def _compile(self, using: str) -> tuple[type[M], str, list[Any]]:
        key = (using, connections[using].vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            queryset = self._build(*_PLACEHOLDERS[: self._arguments])
            sql, params = queryset.query.get_compiler(using).as_sql()
            # Two threads compiling at once both store the same statement: no lock needed.
            compiled = self._compiled[key] = (queryset.model, sql, _slots(params, self._arguments))
        return compiled


class _Slot(int):
    """The position of an argument among a compiled statement's parameters."""


def _slots(params: Sequence[Any], arguments: int) -> list[Any]:
    placeholders = {value: _Slot(index) for index, value in enumerate(_PLACEHOLDERS[:arguments])}
    slots = [placeholders.get(param, param) if isinstance(param, int) else param for param in params]
    used = {slot for slot in slots if isinstance(slot, _Slot)}
    if len(used) != arguments:
        raise ValueError("a prepared queryset must pass each of its values to the database as a parameter")
    return slots
