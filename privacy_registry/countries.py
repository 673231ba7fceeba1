"""Country names in the reader's language, from the Unicode CLDR (through Babel): a maintained locale library, not
an English table of our own."""
from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError


@lru_cache(maxsize=16)
def _territories(language: str) -> dict[str, str]:
    try:
        return dict(Locale.parse((language or "en").replace("-", "_")).territories)
    except (UnknownLocaleError, ValueError):
        return {}


def territory_name(code: str, language: str | None) -> str:
    """The name of the ISO 3166-1 ``code`` in ``language`` ("" when CLDR has none)."""
    return _territories(language or "en").get((code or "").upper(), "")
