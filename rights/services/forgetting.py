"""Forgetting an erased person's address where no link to them holds it: a request never verified (so never
matched to a data subject) keeps only the address it came from.

The erasure journal's replay (``retention.journal``) calls ``requests_forget_identities`` after a restore, with the
keyed hashes the journal keeps and those of the people it erases again (retention offers the registry,
``journal.forgetter_add``; ``RightsConfig.ready`` plugs this in). Rights requests tied to the subject are the
engine's: their declaration reaches them through the subject.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping

from django.db import transaction

from subjects.keyed_hash import EMAIL, suppression_hash

from ..models import RightsRequest
from .common import _scrub_requests

logger = logging.getLogger(__name__)


def requests_unverified_of(*, digests: Mapping[str, str]) -> list[int]:
    """Unverified requests matched to nobody whose address is one of these e-mail digests (digest → kind, as the
    suppression list keeps them; a kind left empty is an e-mail). One query, and one keyed hash per request with
    an address: unverified addresses are purged hourly, so there are few."""
    wanted = {digest for digest, kind in digests.items() if kind in (EMAIL, "")}
    if not wanted:
        return []
    rows = (
        RightsRequest.objects.filter(subject__isnull=True, verified_at__isnull=True, email__isnull=False)
        .exclude(email="").order_by("pk").values_list("pk", "email")
    )
    return [pk for pk, email in rows.iterator() if suppression_hash(email, kind=EMAIL) in wanted]


@transaction.atomic
def requests_forget_identities(*, digests: Mapping[str, str], dry_run: bool = False) -> int:
    """Scrub (``_scrub_requests``: the address and words, on the request and its history) the unverified requests
    of these identities; how many. With ``dry_run``, only count them."""
    ids = requests_unverified_of(digests=digests)
    if ids and not dry_run:
        _scrub_requests(ids)
        logger.info("rights: %d unverified request(s) of erased identities scrubbed (#%s-#%s)", len(ids), ids[0],
                    ids[-1])
    return len(ids)
