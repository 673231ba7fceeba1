"""Demo data as a registry: each app contributes a loader from its AppConfig.ready(), so the
register's `load_demo` command loads people, rules and consents without importing the apps above it.
Loaders run in registration order (lower layers first) and must be idempotent.
"""
from __future__ import annotations

from collections.abc import Callable

DemoLoader = Callable[..., dict]
_loaders: list[tuple[str, DemoLoader]] = []


def register(name: str, loader: DemoLoader) -> None:
    if name not in {n for n, _ in _loaders}:
        _loaders.append((name, loader))


def loaders() -> list[tuple[str, DemoLoader]]:
    return list(_loaders)
