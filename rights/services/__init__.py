"""Writes about data subjects' requests: submit, verify, decide, carry out, close, purge and minimise.

Design note.
- Every write on a request goes through this package (the public views, the admin and the Celery tasks only call
  these functions). Each sets simple-history's change reason and user, and adds a timeline event in the same
  transaction. Change reasons and event notes are fixed words and ids, never the requester's address or words.
- Known and unknown addresses are treated alike when a request is submitted: the same rows are written and the
  same task is enqueued; the address is matched to a data subject only when the requester proves it is theirs
  by following the link (``request_verify``).
- Links are random nonces; only their SHA-256 is stored, and a token is consumed by one conditional UPDATE
  (``consumed_at`` set only where it is still empty and unexpired), so two clicks cannot both act.
- The deadline keeps its parts apart: ``received_at``, the ``ClockPause`` rows and the computed ``due_on``
  (and ``extended_due_on``), recomputed from the received date plus the paused days through
  ``rights.deadlines.due_date`` in the organisation's country.
- Carrying a request out calls the existing services of the apps below: the erasure engine's per-person path
  (``retention.engine.subject_erase`` / ``subject_restrict``) for erasure and restriction, subjects' services
  for engagements and rectification, the consent withdrawers' registry for consent. ``request_execute`` claims
  the request (one conditional UPDATE, so two approvals cannot both run it), acts and closes it in one
  transaction, which the engine's calls join: a process killed on the way leaves the request as it was. A
  request left in progress (an export task lost) is taken again after RIGHTS_EXECUTION_STALE_AFTER_MINUTES
  (``execution``'s design note).
- E-mails and task enqueues happen after commit. Tasks take request ids; the nonce of a link is created in the
  task that mails it and exists nowhere else.

The modules, by concern (callers import from the package: ``from rights import services``):
- ``common``: saving with a change reason, timeline events, links, enqueues, scrubbing a requester's words;
- ``tokens``: single-use links;
- ``clock``: the deadline, extension, pause and resume;
- ``intake``: the public form, verification (link or staff), logging, matching, an objection's scope;
- ``closing``: refuse, withdraw, complete, rectify;
- ``execution``: carrying a request out by its type;
- ``downloads``: access and portability exports and their download;
- ``receipts``: e-mails to the requester;
- ``schedules``: the beat's purge, minimisation and the DPO's digest.
"""
from __future__ import annotations

from .clock import MAX_EXTENSION_MONTHS, paused_days, request_extend, request_pause, request_resume
from .closing import request_complete, request_rectify, request_refuse, request_withdraw
from .common import Actor, public_url
from .downloads import export_build, export_open
from .execution import (
    request_approve_and_execute,
    request_execute,
    request_execution_retry,
    requests_execution_resume,
)
from .intake import (
    direct_marketing_scope,
    request_log,
    request_match,
    request_objection_scope,
    request_submit,
    request_verify,
    request_verify_by_staff,
    verification_send,
)
from .receipts import receipt_send
from .schedules import (
    DIGEST_DAYS,
    dpo_digest_send,
    exports_purge_expired,
    requests_minimise,
    requests_purge_unverified,
    unverified_deleted_within_hours,
)
from .tokens import token_peek

__all__ = [
    "DIGEST_DAYS",
    "MAX_EXTENSION_MONTHS",
    "Actor",
    "direct_marketing_scope",
    "dpo_digest_send",
    "export_build",
    "export_open",
    "exports_purge_expired",
    "paused_days",
    "public_url",
    "receipt_send",
    "request_approve_and_execute",
    "request_complete",
    "request_execute",
    "request_execution_retry",
    "request_extend",
    "request_log",
    "request_match",
    "request_objection_scope",
    "request_pause",
    "request_rectify",
    "request_refuse",
    "request_resume",
    "request_submit",
    "request_verify",
    "request_verify_by_staff",
    "request_withdraw",
    "requests_execution_resume",
    "requests_minimise",
    "requests_purge_unverified",
    "token_peek",
    "unverified_deleted_within_hours",
    "verification_send",
]
