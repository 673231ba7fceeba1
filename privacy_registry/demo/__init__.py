"""Demo data as a registry: each app contributes a loader from its AppConfig.ready(), so the
register's `load_demo` command loads people, rules and consents without importing the apps above it.
Loaders run in registration order (lower layers first) and must be idempotent.

Every loader writes through :func:`ensure` and :func:`fill_blanks`, which hold the demo's one rule: it adds what
is missing and never overwrites what is there. `make run` loads the demo on every start, so a demo row a DPO has
edited since (with a reason in its history) is theirs: a second load must not put the seed's text back.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import models

DemoLoader = Callable[..., dict]
_loaders: list[tuple[str, DemoLoader]] = []

M = TypeVar("M", bound=models.Model)


def register(name: str, loader: DemoLoader) -> None:
    if name not in {n for n, _ in _loaders}:
        _loaders.append((name, loader))


def loaders() -> list[tuple[str, DemoLoader]]:
    return list(_loaders)


def ensure(
    model: type[M], *, key: dict[str, Any], values: dict[str, Any], save: Callable[[M], object]
) -> tuple[M, bool]:
    """The row found by its natural `key` as it is, or, when there is none, a new one made of `key` and `values`
    and written with `save` (a service, so its history row says why). Returns the row and whether it was created.

    An existing row is never written, even where it differs from the seed: the difference is someone's edit (or
    a seed corrected since, which then reaches new databases only)."""
    instance = model._default_manager.filter(**key).first()
    if instance is not None:
        return instance, False
    instance = model(**key, **values)
    save(instance)
    return instance, True


def fill_blanks(instance: M, values: dict[str, Any], *, save: Callable[[M], object]) -> bool:
    """Set those of `values` whose field is empty on `instance` and has been empty in every history row of it (a
    value someone cleared stays cleared); write with `save` when one was set. True when it wrote."""
    history = getattr(instance, "history", None)
    blank = {}
    for name, value in values.items():
        if getattr(instance, name) not in (None, ""):
            continue
        if history is not None and history.exclude(**{f"{name}__isnull": True}).exclude(**{name: ""}).exists():
            continue
        blank[name] = value
    if not blank:
        return False
    for name, value in blank.items():
        setattr(instance, name, value)
    save(instance)
    return True
