"""The base of every admin that shows a log: erasure records, sweep runs, vendor follow-ups, consent records and
events, published notice versions. Such rows are written by services only; the admin reads them."""
from __future__ import annotations


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
