"""Consent texts in every language of the product (see ``privacy_registry.translated``).

A consent purpose's wording is not translated here: its hash is the evidence of what a person agreed to."""
from privacy_registry.translated import translated

from .models import ConsentPurpose, Cookie

translated(ConsentPurpose, ("name",), organisation="organisation", m2m_fields=["register_purposes"])
translated(Cookie, ("purpose", "retention"), organisation="organisation")
