"""``{% registry_object_tools original %}``: the object tools that higher apps registered for a record
(``privacy_registry.object_tools``), as the admin's object-tools list items."""
from __future__ import annotations

from django import template
from django.utils.html import format_html_join

from privacy_registry import object_tools

register = template.Library()


@register.simple_tag(takes_context=True)
def registry_object_tools(context, obj):
    links = object_tools.tools_for(context.get("request"), obj)
    return format_html_join("", '<li><a href="{}">{}</a></li>', links)
