"""Writes about consent: give, confirm, withdraw; banner choices; the purge of stale anonymous events; the
notice's publication. Views, admin actions and tasks only call these.

Design note.
- Events are appended, never updated or deleted here (``anonymous_events_purge`` below is the one exception, and
  deletes only events of pseudonymous visitors past ``CONSENT_ANONYMOUS_EVENTS_DAYS``). The record is the current
  state and is updated in the same transaction as its event, with the record row locked, so two clicks at once
  give one consistent history.
- Unconfirmed consent is not consent: a purpose with double opt-in gives a *pending* record until the person
  confirms through the e-mailed link.
- Withdrawing sets the Engagement's "unsubscribed or consent withdrawn" date (through ``subjects.services``) for
  the activities of the register purposes the consent covers: retention counts from it, and processing based on
  the consent stops at once, since only records in force count (``selectors.records_in_force``).
- Side effects (e-mails) go after commit through tasks that take ids. Logs carry ids.
- The purge works in primary-key chunks, one transaction each, with the cutoff fixed when the run starts; a chunk
  that comes back short ends it. Killed midway, the chunks done are done and a rerun finishes the rest.
"""
from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from privacy_registry.models import Organisation, ProcessingActivity
from privacy_registry.services import acting_user as _user
from privacy_registry.services import attribute as _attribute
from subjects import services as subject_services
from subjects.models import DataSubject, Engagement

from . import completeness, notice, selectors
from .models import (
    USER_AGENT_MAX_LENGTH,
    ConsentEvent,
    ConsentPurpose,
    ConsentRecord,
    ConsentSettings,
    Cookie,
    CookieCategory,
    Method,
    NoticeVersion,
    wording_digest,
)

logger = logging.getLogger(__name__)

Actor = AbstractBaseUser | AnonymousUser | None
State = ConsentRecord.State
Kind = ConsentEvent.Kind
T = TypeVar("T")




def enqueue(task_name: str, *args: Any) -> None:
    """Send a consent task to the broker (tests replace this to collect what would be sent)."""
    from . import tasks

    try:
        getattr(tasks, task_name).delay(*args)
    except Exception as exc:  # the broker's errors vary by transport; the database state stands
        logger.warning("consent task %s for %s not enqueued (%s)", task_name, args, type(exc).__name__)


def _enqueue_later(task_name: str, *args: Any) -> None:
    enqueue(task_name, *args)  # looked up when the transaction commits, so a test's replacement is used


def _on_commit(task_name: str, *args: Any) -> None:
    transaction.on_commit(partial(_enqueue_later, task_name, *args))


# --- evidence ------------------------------------------------------------------------------------------------


def truncate_ip(address: str | None) -> str:
    """The network an address is in, not the address: /24 for IPv4, /48 for IPv6 ("" when unparseable)."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


@dataclass(frozen=True)
class Evidence:
    """What is kept of the circumstances of a consent: the IP's network and the browser, truncated."""

    ip_prefix: str = ""
    user_agent: str = ""

    @classmethod
    def of(cls, *, ip: str | None = None, user_agent: str | None = None) -> Evidence:
        agent = "".join(ch for ch in (user_agent or "") if ch.isprintable())
        return cls(ip_prefix=truncate_ip(ip), user_agent=agent[:USER_AGENT_MAX_LENGTH])


NO_EVIDENCE = Evidence()


# --- purposes, cookies, settings ------------------------------------------------------------------------------


@transaction.atomic
def purpose_save(*, purpose: ConsentPurpose, actor: Actor = None, reason: str = "saved") -> ConsentPurpose:
    """Save a consent purpose; a changed wording gets a new hash and version, which makes earlier consents stale."""
    digest = wording_digest(purpose.wording)
    if purpose.pk is not None:
        previous = ConsentPurpose.objects.select_for_update().filter(pk=purpose.pk).values_list(
            "wording_hash", "wording_version").first()
        if previous is not None:
            purpose.wording_version = previous[1] + (1 if previous[0] != digest else 0)
    purpose.wording_hash = digest
    purpose.full_clean(exclude=["register_purposes"])
    _attribute(purpose, actor=actor, reason=reason)
    purpose.save()
    logger.info("consent purpose %s saved (wording version %s)", purpose.pk, purpose.wording_version)
    return purpose


@transaction.atomic
def cookie_save(*, cookie: Cookie, actor: Actor = None, reason: str = "saved") -> Cookie:
    cookie.full_clean()
    _attribute(cookie, actor=actor, reason=reason)
    cookie.save()
    return cookie


@transaction.atomic
def settings_save(*, consent_settings: ConsentSettings, actor: Actor = None, reason: str = "saved") -> ConsentSettings:
    for origin in consent_settings.origins:
        if not origin.startswith(("https://", "http://")) or "/" in origin.split("://", 1)[1]:
            raise ValidationError({"allowed_origins": _("An origin is a scheme and a host, e.g. "
                                                        "https://www.example.com: %(origin)s") % {"origin": origin}})
    consent_settings.full_clean()
    _attribute(consent_settings, actor=actor, reason=reason)
    consent_settings.save()
    return consent_settings


# --- give, confirm, withdraw --------------------------------------------------------------------------------


def _record_for_update(
    *, purpose: ConsentPurpose, subject: DataSubject | None, visitor_id: str,
) -> ConsentRecord | None:
    lookup = {"subject": subject} if subject is not None else {"visitor_id": visitor_id}
    return ConsentRecord.objects.select_for_update().filter(purpose=purpose, **lookup).first()


def _on_record(
    *, purpose: ConsentPurpose, subject: DataSubject | None, visitor_id: str,
    apply: Callable[[ConsentRecord, bool], T],
) -> T:
    """``apply(record, created)`` on the person's (or visitor's) record for ``purpose``, locked; on a new, unsaved
    one (``created``) when there is none yet.

    Two first choices at once both find no row and both insert one: the unique constraint refuses the second. A
    new record is therefore written in a savepoint: the loser rolls back only its own attempt and applies its
    choice again, to the row the winner inserted (locked now, and visible: READ COMMITTED reads anew with each
    statement). Both choices are recorded, one after the other, and neither is an error."""
    for attempt in range(2):
        record = _record_for_update(purpose=purpose, subject=subject, visitor_id=visitor_id)
        if record is not None:
            return apply(record, False)
        try:
            with transaction.atomic():
                return apply(ConsentRecord(purpose=purpose, subject=subject, visitor_id=visitor_id), True)
        except IntegrityError:
            if attempt:
                raise
            # Ids only: the constraint's own message names the visitor id, so it is not logged.
            logger.info("consent purpose %s: its record was created concurrently; recording on that one", purpose.pk)
    raise AssertionError("unreachable")  # the loop returns or raises


def _append(
    record: ConsentRecord, *, kind: str, method: str, evidence: Evidence, actor: Actor, reason: str,
    notice_version: NoticeVersion | None = None, age_confirmed: bool | None = None,
    gpc_applied: bool = False, gpc_conflict: bool = False,
) -> ConsentEvent:
    return ConsentEvent.objects.create(
        record=record, purpose_id=record.purpose_id, subject_id=record.subject_id, visitor_id=record.visitor_id,
        kind=kind, method=method, notice_version=notice_version, wording_hash=record.purpose.wording_hash,
        ip_prefix=evidence.ip_prefix, user_agent=evidence.user_agent, age_confirmed=age_confirmed,
        gpc_applied=gpc_applied, gpc_conflict=gpc_conflict, actor=_user(actor), reason=reason[:200],
    )


def _save_record(record: ConsentRecord, *, actor: Actor, reason: str) -> None:
    record.updated_at = timezone.now()
    _attribute(record, actor=actor, reason=reason)
    record.save()


def _activities_of(purpose: ConsentPurpose) -> QuerySet[ProcessingActivity]:
    return ProcessingActivity.objects.filter(purposes__consent_purposes=purpose).distinct()


def _engagements_mark(record: ConsentRecord, *, withdrawn: bool, actor: Actor, reason: str) -> None:
    """Start (withdrawn) or stop (given again) the retention clock that counts from the withdrawal."""
    if record.subject_id is None:
        return
    activities = _activities_of(record.purpose)
    engagements = Engagement.objects.filter(subject_id=record.subject_id, activity__in=activities)
    for engagement in engagements.select_related("activity"):
        if withdrawn:
            subject_services.engagement_record(
                subject=record.subject, activity=engagement.activity, unsubscribed_on=timezone.localdate(),
                actor=actor, reason=reason,
            )
        elif engagement.unsubscribed_on is not None:
            subject_services.engagement_resubscribe(
                subject=record.subject, activity=engagement.activity, actor=actor, reason=reason,
            )


@transaction.atomic
def consent_give(
    *,
    purpose: ConsentPurpose,
    method: str,
    subject: DataSubject | None = None,
    visitor_id: str = "",
    evidence: Evidence = NO_EVIDENCE,
    notice_version: NoticeVersion | None = None,
    age_confirmed: bool | None = None,
    actor: Actor = None,
    reason: str = "consent given",
) -> ConsentRecord:
    """Record that the person (or visitor) consents to ``purpose``.

    With double opt-in (and a person, not a visitor) the record is *pending* until ``consent_confirm``: a
    confirmation e-mail is sent after commit. Where the audience has a minimum age, the age must be confirmed.
    """
    if (subject is None) == (not visitor_id):
        raise ValueError("a consent belongs to a subject or to a pseudonymous visitor, exactly one")
    if not purpose.active:
        raise ValidationError(_("This consent purpose is no longer offered."), code="inactive")
    if subject is not None and subject.state == DataSubject.State.ERASED:
        raise ValidationError(_("The subject is erased: nothing new is recorded about them."), code="erased")
    if subject is not None and subject.organisation_id != purpose.organisation_id:
        raise ValidationError(_("The consent purpose belongs to another organisation."), code="organisation")
    if purpose.minimum_age and age_confirmed is not True:
        raise ValidationError(
            _("This consent is for people aged %(age)s or over: the age must be confirmed.")
            % {"age": purpose.minimum_age}, code="age",
        )
    notice_version = notice_version or selectors.notice_current(organisation=purpose.organisation)
    return _on_record(purpose=purpose, subject=subject, visitor_id=visitor_id, apply=partial(
        _give, purpose=purpose, subject=subject, method=method, notice_version=notice_version, evidence=evidence,
        age_confirmed=age_confirmed, actor=actor, reason=reason,
    ))


def _give(
    record: ConsentRecord, created: bool, *, purpose: ConsentPurpose, subject: DataSubject | None, method: str,
    notice_version: NoticeVersion | None, evidence: Evidence, age_confirmed: bool | None, actor: Actor, reason: str,
) -> ConsentRecord:
    pending = purpose.double_opt_in and subject is not None and method != Method.PAPER
    if not created and record.in_force and record.wording_hash == purpose.wording_hash and not pending:
        return record  # already given, to this wording: nothing new to prove
    now = timezone.now()
    record.method = method
    record.notice_version = notice_version
    record.age_confirmed = age_confirmed
    if pending and not record.in_force:
        record.state = State.PENDING
        kind = Kind.REQUESTED
    elif pending:
        # Given before, to another wording: it stays in force (stale) until the new wording is confirmed.
        kind = Kind.REQUESTED
    else:
        record.state = State.GIVEN
        record.given_at = now
        record.withdrawn_at = None
        record.wording_hash = purpose.wording_hash
        record.wording_version = purpose.wording_version
        kind = Kind.GIVEN
    _save_record(record, actor=actor, reason=reason)
    _append(record, kind=kind, method=method, evidence=evidence, actor=actor, reason=reason,
            notice_version=notice_version, age_confirmed=age_confirmed)
    if kind == Kind.GIVEN:
        _engagements_mark(record, withdrawn=False, actor=actor, reason=reason)
    else:
        _on_commit("confirmation_mail", record.pk)
    logger.info("consent %s: %s (%s)", record.pk, kind, method)
    return record


@transaction.atomic
def consent_confirm(
    *, record: ConsentRecord, wording_hash_prefix: str = "", evidence: Evidence = NO_EVIDENCE,
    method: str = Method.DOUBLE_OPT_IN, actor: Actor = None, reason: str = "consent confirmed",
) -> ConsentRecord | None:
    """Confirm a pending (double opt-in) or stale consent with the purpose's current wording.

    Returns None when there is nothing to confirm: withdrawn or refused meanwhile (an old link must not bring a
    consent back), or the link was for an earlier wording.
    """
    record = (ConsentRecord.objects.select_for_update(of=("self",)).select_related("purpose")
              .filter(pk=record.pk).first())
    if record is None or record.state not in {State.PENDING, State.GIVEN}:
        return None
    purpose = record.purpose
    if wording_hash_prefix and not purpose.wording_hash.startswith(wording_hash_prefix):
        return None
    if record.state == State.GIVEN and record.wording_hash == purpose.wording_hash:
        return record  # confirmed already (a second click)
    now = timezone.now()
    record.state = State.GIVEN
    record.given_at = record.given_at or now
    record.confirmed_at = now
    record.withdrawn_at = None
    record.wording_hash = purpose.wording_hash
    record.wording_version = purpose.wording_version
    _save_record(record, actor=actor, reason=reason)
    _append(record, kind=Kind.CONFIRMED, method=method, evidence=evidence, actor=actor, reason=reason,
            notice_version=selectors.notice_current(organisation=purpose.organisation),
            age_confirmed=record.age_confirmed)
    _engagements_mark(record, withdrawn=False, actor=actor, reason=reason)
    logger.info("consent %s confirmed", record.pk)
    return record


@transaction.atomic
def consent_withdraw(
    *, record: ConsentRecord, method: str, evidence: Evidence = NO_EVIDENCE, actor: Actor = None,
    reason: str = "consent withdrawn", gpc_applied: bool = False, gpc_conflict: bool = False,
) -> bool:
    """Withdraw a consent (or a pending one). False when there was nothing in force or pending to withdraw."""
    record = (ConsentRecord.objects.select_for_update(of=("self",)).select_related("purpose", "subject")
              .filter(pk=record.pk).first())
    if record is None or record.state not in {State.GIVEN, State.PENDING}:
        return False
    record.state = State.WITHDRAWN
    record.withdrawn_at = timezone.now()
    _save_record(record, actor=actor, reason=reason)
    _append(record, kind=Kind.WITHDRAWN, method=method, evidence=evidence, actor=actor, reason=reason,
            gpc_applied=gpc_applied, gpc_conflict=gpc_conflict)
    _engagements_mark(record, withdrawn=True, actor=actor, reason=reason)
    logger.info("consent %s withdrawn (%s)", record.pk, method)
    return True


@transaction.atomic
def consents_withdraw_for_subject(*, subject: DataSubject, actor: Actor = None, reason: str) -> int:
    """Withdraw every consent of ``subject`` (the rights app's consent-withdrawal request plugs in here)."""
    withdrawn = 0
    records = ConsentRecord.objects.filter(subject=subject, state__in=[State.GIVEN, State.PENDING]).order_by("pk")
    for record in records:
        withdrawn += consent_withdraw(record=record, method=Method.RIGHTS_REQUEST, actor=actor, reason=reason)
    return withdrawn


def consents_ask_again(*, records: Iterable[ConsentRecord], actor: Actor = None) -> int:
    """E-mail each stale consent's person the current wording with a link to confirm it (after commit).

    Only stale consents of people (not visitors) whom consent may process are asked: not of the erased, nor of the
    restricted (Art. 18); the count says how many e-mails are enqueued."""
    ids = list(
        selectors.records_of_processable_subjects(
            queryset=ConsentRecord.objects.filter(selectors.stale_q(), pk__in=[r.pk for r in records]),
        ).values_list("pk", flat=True)
    )
    with transaction.atomic():
        for record_id in ids:
            _on_commit("ask_again_mail", record_id)
    logger.info("asked again for %s stale consents (by user %s)", len(ids), getattr(_user(actor), "pk", None))
    return len(ids)


# --- the cookie banner -------------------------------------------------------------------------------------------


@dataclass
class CookieState:
    """What the endpoint answers: the visitor's choices as applied, and what Global Privacy Control did."""

    visitor_id: str
    categories: dict[str, bool]
    notice_version: int | None
    gpc_signal: bool = False
    gpc_applied: bool = False
    gpc_conflict: bool = False
    recorded: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "visitor_id": self.visitor_id,
            "notice_version": self.notice_version,
            "categories": self.categories,
            "gpc": {"signal": self.gpc_signal, "applied": self.gpc_applied, "conflict": self.gpc_conflict},
        }


def _cookie_state(purposes: Mapping[str, ConsentPurpose], visitor_id: str) -> dict[str, bool]:
    states = dict(
        ConsentRecord.objects.filter(purpose__in=purposes.values(), visitor_id=visitor_id)
        .values_list("purpose__cookie_category", "state")
    )
    categories = {CookieCategory.NECESSARY.value: True}
    for category in purposes:
        categories[category] = states.get(category) == State.GIVEN
    return categories


@transaction.atomic
def cookie_choice_record(
    *,
    organisation: Organisation,
    visitor_id: str,
    choices: Mapping[str, bool] | None,
    gpc: bool,
    notice_version: NoticeVersion | None = None,
    evidence: Evidence = NO_EVIDENCE,
) -> CookieState:
    """Record a banner choice (``choices``: category → allowed) for a pseudonymous visitor, or, with ``choices``
    None, answer the stored state. ``Sec-GPC: 1`` (``gpc``) is an opt-out of marketing: it wins over a stored or
    posted "yes", is recorded as applied on the marketing event, and as a conflict when it overrode one."""
    purposes = selectors.consent_purposes_for_cookies(organisation=organisation)
    unknown = set(choices or {}) - set(purposes) - {CookieCategory.NECESSARY.value}
    if unknown:
        raise ValidationError(_("Unknown cookie category: %(names)s") % {"names": ", ".join(sorted(unknown))},
                              code="unknown_category")
    if choices and choices.get(CookieCategory.NECESSARY.value) is False:
        raise ValidationError(_("Necessary cookies cannot be refused."), code="necessary")
    notice_version = notice_version or selectors.notice_current(organisation=organisation)
    stored = _cookie_state(purposes, visitor_id)
    marketing = purposes.get(CookieCategory.MARKETING.value)
    state = CookieState(visitor_id=visitor_id, categories=dict(stored),
                        notice_version=notice_version.number if notice_version else None, gpc_signal=gpc)
    wanted = {k: bool(v) for k, v in (choices or {}).items() if k != CookieCategory.NECESSARY.value}
    if gpc and marketing is not None:
        posted_yes = wanted.get(CookieCategory.MARKETING.value) is True
        stored_yes = stored.get(CookieCategory.MARKETING.value) is True and CookieCategory.MARKETING.value not in wanted
        state.gpc_applied = True
        state.gpc_conflict = posted_yes or stored_yes
        if choices is not None or stored_yes:
            wanted[CookieCategory.MARKETING.value] = False
    # One order for every request, so two requests for one visitor lock (and insert) the rows in the same order
    # and never wait for each other crosswise.
    for category, allowed in sorted(wanted.items()):
        purpose = purposes[category]
        gpc_here = state.gpc_applied and category == CookieCategory.MARKETING.value
        _banner_choice(purpose, visitor_id=visitor_id, allowed=allowed, notice_version=notice_version,
                       evidence=evidence, gpc_applied=gpc_here, gpc_conflict=gpc_here and state.gpc_conflict)
        state.categories[category] = allowed
        state.recorded.append(category)
    return state


def _banner_choice(
    purpose: ConsentPurpose, *, visitor_id: str, allowed: bool, notice_version: NoticeVersion | None,
    evidence: Evidence, gpc_applied: bool, gpc_conflict: bool,
) -> None:
    _on_record(purpose=purpose, subject=None, visitor_id=visitor_id, apply=partial(
        _banner_apply, purpose=purpose, allowed=allowed, notice_version=notice_version, evidence=evidence,
        gpc_applied=gpc_applied, gpc_conflict=gpc_conflict,
    ))


def _banner_apply(
    record: ConsentRecord, created: bool, *, purpose: ConsentPurpose, allowed: bool,
    notice_version: NoticeVersion | None, evidence: Evidence, gpc_applied: bool, gpc_conflict: bool,
) -> None:
    reason = "banner choice" + (", global privacy control" if gpc_applied else "")
    previously_given = not created and record.in_force
    record.method = Method.BANNER
    record.notice_version = notice_version
    now = timezone.now()
    if allowed:
        record.state, record.given_at, record.withdrawn_at = State.GIVEN, now, None
        record.wording_hash, record.wording_version = purpose.wording_hash, purpose.wording_version
        kind = Kind.GIVEN
    elif previously_given:
        record.state, record.withdrawn_at = State.WITHDRAWN, now
        kind = Kind.WITHDRAWN
    else:
        record.state = State.REFUSED
        kind = Kind.REFUSED
    _save_record(record, actor=None, reason=reason)
    _append(record, kind=kind, method=Method.BANNER, evidence=evidence, actor=None, reason=reason,
            notice_version=notice_version, gpc_applied=gpc_applied, gpc_conflict=gpc_conflict)


# --- purge of stale anonymous events -------------------------------------------------------------------------


@dataclass
class PurgeReport:
    cutoff: datetime
    dry_run: bool
    events: int = 0
    records: int = 0
    chunks: int = 0


def anonymous_events_purge(
    *, now: datetime | None = None, days: int | None = None, chunk_size: int = 1000, dry_run: bool = False,
) -> PurgeReport:
    """Delete consent events of pseudonymous visitors older than ``CONSENT_ANONYMOUS_EVENTS_DAYS``, and the
    visitor records nobody has touched since (the banner asks those visitors again). People's events are never
    touched here: they go with the person, through the erasure engine.

    Chunks of ``chunk_size`` primary keys, each its own transaction; the cutoff is fixed at the start. A dry run
    counts and deletes nothing."""
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    days = days if days is not None else settings.CONSENT_ANONYMOUS_EVENTS_DAYS
    cutoff = (now or timezone.now()) - timedelta(days=days)
    report = PurgeReport(cutoff=cutoff, dry_run=dry_run)
    events = ConsentEvent.objects.filter(subject__isnull=True, at__lt=cutoff).exclude(visitor_id="")
    records = ConsentRecord.objects.filter(subject__isnull=True, updated_at__lt=cutoff).exclude(visitor_id="")
    if dry_run:
        report.events, report.records = events.count(), records.count()
        return report
    for queryset, counter in ((events, "events"), (records, "records")):
        while True:
            with transaction.atomic():
                ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:chunk_size])
                if not ids:
                    break
                deleted = _purge_chunk(queryset.model, ids)
            setattr(report, counter, getattr(report, counter) + deleted)
            report.chunks += 1
            logger.info("consent purge: %s %s deleted in chunk %s", deleted, counter, report.chunks)
            if len(ids) < chunk_size:
                break
    return report


def _purge_chunk(model, ids: list[int]) -> int:
    # A record's own events go with it (older than the cutoff, or the record would have been touched since); its
    # historical rows go after it, since deleting the live row writes one more of them.
    _total, per_model = model.objects.filter(pk__in=ids).delete()
    if model is ConsentRecord:
        model.history.filter(id__in=ids).delete()
    return per_model.get(model._meta.label, 0)


def digest_texts(texts: Mapping[str, str]) -> str:
    """One SHA-256 over a notice's texts in every language (sorted, as JSON)."""
    return hashlib.sha256(json.dumps(dict(texts), sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


# --- the notice --------------------------------------------------------------------------------------------------


@transaction.atomic
def notice_publish(
    *, organisation: Organisation, actor: Actor = None, note: str = "", acknowledge_gaps: bool = False,
) -> NoticeVersion:
    """Publish the notice as the register says it now: a new version with its text per language and their hash.

    Refused while the completeness report lists gaps, unless the publisher acknowledges them (they are kept with
    the version). Publishing text identical to the current version is refused: there is nothing new to publish."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()  # one publication at a time
    with translation.override(settings.LANGUAGE_CODE):
        # Kept in the site language, as grouped lines (``where`` a list of places); ``completeness.Gap.from_dict``
        # also reads the rows written before the grouping.
        gaps = completeness.completeness(organisation)
        gap_list = [gap.as_dict() for gap in gaps]
    if gaps and not acknowledge_gaps:
        raise ValidationError(
            _("The register leaves %(count)s items of the notice empty: complete them, or acknowledge that the notice "
              "is published without them.") % {"count": len(gaps)}, code="gaps",
        )
    texts, htmls = notice.render_all(organisation)
    digest = digest_texts(texts)
    current = selectors.notice_current(organisation=organisation)
    if current is not None and current.sha256 == digest:
        raise ValidationError(_("The notice has not changed since version %(number)s.") % {"number": current.number},
                              code="unchanged")
    version = NoticeVersion.objects.create(
        organisation=organisation, number=(current.number + 1) if current else 1, texts=texts, htmls=htmls,
        sha256=digest, gaps=gap_list, note=note[:300], published_by=_user(actor),
    )
    logger.info("notice of organisation %s published as version %s (%s gaps)", organisation.pk, version.number,
                len(gaps))
    return version
