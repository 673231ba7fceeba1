"""Buttons that apps above the register add to a register record's admin page (its "object tools").

The register's admin must not import the apps above it; they plug in from ``AppConfig.ready()``::

    from privacy_registry import object_tools

    object_tools.register("privacy_registry.organisation", "consent.notice", notice_tool)

A tool is called as ``tool(request, obj)`` and returns ``(url, label)``, or None when it does not apply (the user
may not use it, say). The change-form templates show them with ``{% registry_object_tools original %}``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

Tool = Callable[[Any, Any], "tuple[str, str] | None"]
_tools: dict[str, dict[str, Tool]] = {}


def register(model_label: str, name: str, tool: Tool) -> None:
    """Register (or replace) the tool ``name`` on the change pages of ``model_label`` ("app_label.modelname")."""
    _tools.setdefault(model_label.lower(), {})[name] = tool


def unregister(model_label: str, name: str) -> None:
    _tools.get(model_label.lower(), {}).pop(name, None)


def tools_for(request: Any, obj: Any) -> list[tuple[str, str]]:
    """The (url, label) pairs that apply to ``obj`` for this request, in registration order."""
    if obj is None or getattr(obj, "pk", None) is None:
        return []
    found = []
    for tool in _tools.get(obj._meta.label_lower, {}).values():
        link = tool(request, obj)
        if link is not None:
            found.append(link)
    return found
