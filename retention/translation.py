"""Retention texts in every language of the product (see ``privacy_registry.translated``): the notice says each
rule in words, quoting the organisation's statement where the rule cannot be enforced as written."""
from privacy_registry.translated import translated

from .models import RetentionRule

translated(RetentionRule, ("statement", "trigger_event", "backup_exception"), organisation="activity__organisation")
