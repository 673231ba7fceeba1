"""Retention: the rules an organisation states, legal holds, the erasure log and the sweep runs.

- ``RetentionRule`` says how long an activity keeps people's data, counted from which Engagement date, and
  what happens then (erase, anonymise, or restrict and erase after a second period). A statement that gives
  no start date (or no period) is entered as it is, with ``trigger = not stated``: it cannot be enabled,
  and the register check RET002 reports it until someone finds out what it means. A statement that does not
  say what happens when the period ends (``action = not stated``) is treated the same way: kept for the record
  and the notice, disabled, never swept (the sweep does not guess erase for it), reported by RET002.
  ``period_is_ceiling`` marks a period stated as a ceiling ("up to 8 years", "at most 10 years"): the sweep
  enforces the ceiling, and the public words say "up to" (``RetentionRule.public_words``).
- ``LegalHold`` on a subject or an activity: nothing held is erased, anonymised or restricted.
- ``ErasureRecord`` is the proof an erasure happened. It holds no personal data: a subject id, which rule
  or request, and a receipt of table and field names with row counts, never values. Nobody edits it.
- ``SweepRun`` is one run of the nightly sweep (or a dry-run preview), with its counts per rule.

Period arithmetic is calendar-correct (dateutil's ``relativedelta``): a month after 31 January is the
last day of February, a year after 29 February is 28 February. A period is at most a century in any unit
(``PERIOD_LIMITS``): no law needs longer, and date arithmetic overflows not far beyond.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.models import HistoricalRecords

from privacy_registry.models import DataSubjectCategory, PersonalDataCategory, ProcessingActivity
from subjects.models import DataSubject


class PeriodUnit(models.TextChoices):
    DAYS = "days", _("days")
    MONTHS = "months", _("months")
    YEARS = "years", _("years")


# The longest period a rule may state, per unit: a hundred years. Longer is a typo, and the date arithmetic of
# every sweep overflows on it (year 10,000 and beyond).
PERIOD_LIMITS = {PeriodUnit.DAYS: 36525, PeriodUnit.MONTHS: 1200, PeriodUnit.YEARS: 100}


@dataclass(frozen=True)
class Period:
    amount: int
    unit: str

    @property
    def in_range(self) -> bool:
        return 0 <= self.amount <= PERIOD_LIMITS[PeriodUnit(self.unit)]

    def delta(self) -> relativedelta:
        return relativedelta(**{PeriodUnit(self.unit).value: self.amount})

    def after(self, day: date) -> date:
        """The day the period ends when it starts on ``day`` (month ends and leap days clamped)."""
        return day + self.delta()

    def __str__(self) -> str:
        singular = {PeriodUnit.DAYS: _("day"), PeriodUnit.MONTHS: _("month"), PeriodUnit.YEARS: _("year")}
        unit = singular[PeriodUnit(self.unit)] if self.amount == 1 else PeriodUnit(self.unit).label
        return f"{self.amount} {unit}"


class Phase(models.TextChoices):
    """Where a subject is in a rule: the end of the (first) period, or the end of the second one."""

    FIRST = "first", _("end of the period")
    FINAL = "final", _("end of the second period")


class RetentionRule(models.Model):
    class Trigger(models.TextChoices):
        # Values are the subjects.Engagement date fields the clock counts from; the last three are not dates.
        COLLECTED = "collected_on", _("collected")
        LAST_CONTACT = "last_contact_on", _("last contact or activity")
        RELATIONSHIP_ENDED = "relationship_ended_on", _("relationship ended")
        UNSUBSCRIBED = "unsubscribed_on", _("unsubscribed or consent withdrawn")
        LAST_EVENT = "last_event_on", _("last event registered for or attended")
        LAST_SERVICE = "last_service_on", _("last service delivered")
        NOT_STATED = "not_stated", _("not stated (cannot be enforced as written)")
        EVENT = "event", _("an event (named below), not a date")
        NOT_RECORDED = "", _("not yet recorded")

    class Action(models.TextChoices):
        ERASE = "erase", _("erase (Art. 17)")
        ANONYMISE = "anonymise", _("anonymise (identity scrubbed, statistics kept)")
        ERASE_OR_ANONYMISE = "erase_or_anonymise", _("erase or anonymise (either, as stated; the sweep erases)")
        RESTRICT_THEN_ERASE = "restrict_then_erase", _("restrict (block, Art. 18), then erase after a second period")
        # The statement says how long, not what happens then: the rule cannot be enforced as written (like the
        # trigger NOT_STATED), so it stays disabled and the sweep never picks an action for it.
        NOT_STATED = "not_stated", _("not stated")

    activity = models.ForeignKey(
        ProcessingActivity, on_delete=models.PROTECT, related_name="retention_rules",
        verbose_name=_("processing activity"),
    )
    subject_category = models.ForeignKey(
        DataSubjectCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="retention_rules",
        verbose_name=_("only subjects in category"),
        help_text=_("Leave empty when the rule covers everyone in the activity."),
    )
    data_category = models.ForeignKey(
        PersonalDataCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="retention_rules",
        verbose_name=_("only this data category"),
        help_text=_(
            "For a statement about one kind of data (e.g. cookies, call recordings). The sweep erases people, "
            "not single categories, so such a rule is kept for the record and the notice and not swept."
        ),
    )
    period_amount = models.PositiveIntegerField(
        _("period"), null=True, blank=True, help_text=_("Empty when the statement gives no period.")
    )
    period_unit = models.CharField(_("unit"), max_length=10, choices=PeriodUnit.choices, default=PeriodUnit.YEARS)
    period_is_ceiling = models.BooleanField(
        _("the period is a ceiling ('up to', 'at most')"), default=False,
        help_text=_("Tick when the statement gives the period as a maximum: the notice then says 'up to'. The sweep "
                    "enforces the ceiling."),
    )
    trigger = models.CharField(
        _("counted from"), max_length=30, choices=Trigger.choices, blank=True,
        help_text=_("The engagement date the period starts from. 'Not stated' when the statement gives none "
                    "(the rule is then kept disabled); 'not yet recorded' while nobody has looked."),
    )
    trigger_event = models.CharField(
        _("triggering event"), max_length=300, blank=True,
        help_text=_("For 'an event': what sets it off, e.g. 'a person under the minimum age is discovered'. "
                    "Record the event for the person (Retention events); the nightly sweep then acts when it is due."),
    )
    action = models.CharField(_("then"), max_length=30, choices=Action.choices, default=Action.ERASE)
    second_period_amount = models.PositiveIntegerField(
        _("erase after a further"), null=True, blank=True,
        help_text=_("Restrict then erase only: how long blocked data is kept. Empty when the statement does not say."),
    )
    second_period_unit = models.CharField(
        _("unit"), max_length=10, choices=PeriodUnit.choices, default=PeriodUnit.YEARS,
    )
    legal_reference = models.CharField(
        _("legal reference"), max_length=300, blank=True,
        help_text=_("The law, contract or policy that fixes the period, e.g. a bookkeeping act."),
    )
    statement = models.TextField(
        _("statement as written"), blank=True, help_text=_("The organisation's own words, quoted."),
    )
    backup_exception = models.CharField(
        _("kept in backups"), max_length=300, blank=True,
        help_text=_("When erased data stays in backups until they expire and is used for nothing else, say so "
                    "(e.g. 'until backups expire after 35 days'): the erasure receipt repeats it."),
    )
    enabled = models.BooleanField(
        _("enabled"), default=True, help_text=_("Only enabled rules are enforced by the sweep."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # history: registered in translation.py, after the translated fields (simple-history's documented way
    # with django-modeltranslation), so the history rows keep every language.

    class Meta:
        ordering = ["activity", "pk"]
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        constraints = [
            # A rule with no start date or no period cannot be enforced: enabling it would be a pretence.
            models.CheckConstraint(
                condition=Q(enabled=False) | (
                    ~Q(trigger__in=["not_stated", "", "event"]) & Q(period_amount__isnull=False)
                    & ~Q(action="not_stated")
                ),
                name="retention_rule_enabled_is_enforceable",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Retention rule #%(id)s") % {"id": self.pk}) if self.pk else str(_("New retention rule"))

    # --- what the rule says ----------------------------------------------------------------------------
    @property
    def period(self) -> Period | None:
        return Period(self.period_amount, self.period_unit) if self.period_amount is not None else None

    @property
    def second_period(self) -> Period | None:
        if self.action != self.Action.RESTRICT_THEN_ERASE or self.second_period_amount is None:
            return None
        return Period(self.second_period_amount, self.second_period_unit)

    @property
    def has_start(self) -> bool:
        """Whether the period starts from a date the sweep can read (an Engagement date)."""
        return self.trigger not in {self.Trigger.NOT_STATED, self.Trigger.NOT_RECORDED, self.Trigger.EVENT}

    @property
    def is_event_triggered(self) -> bool:
        return self.trigger == self.Trigger.EVENT

    @property
    def unenforceable_reason(self) -> str:
        """Why the statement cannot be enforced as written ("" when it can, at least in part)."""
        if self.is_event_triggered:
            return ""  # erased when the event is handled, not by the sweep
        if self.trigger == self.Trigger.NOT_RECORDED:
            return str(_("the date the period starts from is not recorded yet"))
        if not self.has_start:
            return str(_("the statement gives no date the period starts from"))
        if self.period_amount is None:
            return str(_("the statement gives no period"))
        if self.action == self.Action.NOT_STATED:
            return str(_("the statement does not say what happens to the data when the period ends"))
        if self.action == self.Action.RESTRICT_THEN_ERASE and self.second_period_amount is None:
            return str(_("it does not say how long blocked data is kept before it is erased"))
        return ""

    @property
    def is_swept(self) -> bool:
        """Whether the sweep acts on it: enabled, with a start and a period, about people rather than one category."""
        return (self.enabled and self.has_start and self.period_amount is not None and self.data_category_id is None
                and self.action != self.Action.NOT_STATED)

    def phases(self) -> list[tuple[Phase, str]]:
        """(phase, what happens) in the order the sweep runs them: erase what is past both periods first,
        so a subject never gets restricted and erased in the same night. None for an action not stated."""
        if self.action == self.Action.NOT_STATED:
            return []
        if self.action == self.Action.RESTRICT_THEN_ERASE:
            steps = [(Phase.FIRST, ErasureRecord.Action.RESTRICT)]
            if self.second_period is not None:
                steps.insert(0, (Phase.FINAL, ErasureRecord.Action.ERASE))
            return steps
        # "Erase or anonymise" is met by either: the sweep erases, which leaves nothing behind.
        action = ErasureRecord.Action.ANONYMISE if self.action == self.Action.ANONYMISE else ErasureRecord.Action.ERASE
        return [(Phase.FINAL, action)]

    def due_on(self, trigger_date: date, *, phase: Phase = Phase.FINAL) -> date:
        """The day a subject whose clock started on ``trigger_date`` becomes due in ``phase``."""
        if self.period is None:
            raise ValueError("a rule without a period is never due")
        due = self.period.after(trigger_date)
        if phase == Phase.FINAL and self.second_period is not None:
            due = self.second_period.after(due)
        return due

    def cutoff(self, as_of: date, *, phase: Phase = Phase.FINAL) -> date:
        """The latest trigger date that is due on ``as_of``: ``trigger <= cutoff`` ⇔ ``due_on(trigger) <= as_of``.

        Computed once per rule in Python, so the database compares a date column with a constant and an index
        range scan serves it. Subtracting the period is not enough: month ends clamp (31 January and
        28 January are both due a month later on 28 February), so the result is stepped to the exact edge.
        """
        candidate = as_of - self.period.delta()
        if phase == Phase.FINAL and self.second_period is not None:
            candidate -= self.second_period.delta()
        one_day = timedelta(days=1)
        while self.due_on(candidate, phase=phase) > as_of:
            candidate -= one_day
        while self.due_on(candidate + one_day, phase=phase) <= as_of:
            candidate += one_day
        return candidate

    def describe(self) -> str:
        if self.is_event_triggered:
            return str(_("when %(event)s: %(action)s") % {
                "event": self.trigger_event or _("the event occurs"), "action": self.get_action_display(),
            })
        if not self.has_start or self.period is None or self.action == self.Action.NOT_STATED:
            return str(_("not enforceable as written"))
        words = {"period": self.period, "trigger": self.get_trigger_display(), "action": self.get_action_display()}
        if self.period_amount == 0:
            text = str(_("when %(trigger)s: %(action)s") % words)
        else:
            text = str(_("%(period)s after %(trigger)s: %(action)s") % words)
        if self.action == self.Action.RESTRICT_THEN_ERASE:
            second = self.second_period
            text += " " + (str(_("(erased %(period)s later)") % {"period": second}) if second
                           else str(_("(erase period not stated)")))
        return text

    def public_words(self) -> str:
        """The rule as the public may read it, in the active language: "up to 8 years after the relationship ends,
        then erased". Never the admin's choice labels; "up to" when the period is a ceiling; nothing about the
        action when the statement does not give one; for a rule with no period, its statement only (a statement
        with no period is not turned into "then erased")."""
        if self.period is None:
            return self.statement or str(_("not stated"))
        period = str(self.period)
        if self.period_is_ceiling:
            period = str(_("up to %(period)s") % {"period": period})
        start = self._public_start()
        if start and self.period_amount == 0 and not self.period_is_ceiling:
            text = str(_("when %(start)s") % {"start": start})
        elif start:
            text = str(_("%(period)s after %(start)s") % {"period": period, "start": start})
        else:
            text = period
        then = self._public_action()
        return str(_("%(kept)s, %(then)s") % {"kept": text, "then": then}) if then else text

    def _public_start(self) -> str:
        """What starts the clock, as a clause a reader understands; "" when the statement gives no start."""
        if self.is_event_triggered:
            return self.trigger_event
        starts = {
            self.Trigger.COLLECTED: _("the data is collected"),
            self.Trigger.LAST_CONTACT: _("you were last in contact with us"),
            self.Trigger.RELATIONSHIP_ENDED: _("the relationship ends"),
            self.Trigger.UNSUBSCRIBED: _("you unsubscribe or withdraw your consent"),
            self.Trigger.LAST_EVENT: _("you last registered for or attended an event"),
            self.Trigger.LAST_SERVICE: _("we last provided a service to you"),
        }
        return str(starts.get(self.trigger, ""))

    def _public_action(self) -> str:
        """What happens then, in plain words; "" when the statement does not say."""
        if self.action == self.Action.RESTRICT_THEN_ERASE:
            second = self.second_period
            if second is not None:
                return str(_("then blocked, and erased %(period)s later") % {"period": second})
            return str(_("then blocked, and erased later (when is not stated)"))
        words = {
            self.Action.ERASE: _("then erased"),
            self.Action.ANONYMISE: _("then anonymised"),
            self.Action.ERASE_OR_ANONYMISE: _("then erased or anonymised"),
        }
        return str(words.get(self.action, ""))

    @property
    def periods_in_range(self) -> bool:
        """Whether both periods are within ``PERIOD_LIMITS`` (a rule saved before the bound may not be)."""
        return all(p.in_range for p in (self.period, self.second_period) if p is not None)

    def clean(self) -> None:
        errors = {}
        periods = (("period_amount", "period_unit"), ("second_period_amount", "second_period_unit"))
        for amount_field, unit_field in periods:
            amount, unit = getattr(self, amount_field), getattr(self, unit_field)
            if amount is not None and unit in PeriodUnit.values and not Period(amount, unit).in_range:
                errors[amount_field] = _(
                    "At most 100 years: %(days)s days, %(months)s months or %(years)s years."
                ) % {"days": PERIOD_LIMITS[PeriodUnit.DAYS], "months": PERIOD_LIMITS[PeriodUnit.MONTHS],
                     "years": PERIOD_LIMITS[PeriodUnit.YEARS]}
        if self.enabled and (not self.has_start or self.action == self.Action.NOT_STATED):
            # A statement with no start is entered as it reads and kept for the record: disabled, never a failed
            # save (RET002 reports it). An event-triggered rule is acted on when the event is handled.
            self.enabled = False
        if self.is_event_triggered and not self.trigger_event:
            errors["trigger_event"] = _("Name the event that triggers the erasure.")
        if self.is_event_triggered and self.period_amount is None:
            errors["period_amount"] = _("Give the time allowed after the event (0: at once).")
        if self.has_start and self.period_amount is None:
            errors["period_amount"] = _("Give the period, or set 'counted from' to 'not stated'.")
        if self.action != self.Action.RESTRICT_THEN_ERASE and self.second_period_amount is not None:
            errors["second_period_amount"] = _("Only 'restrict, then erase' has a second period.")
        if errors:
            raise ValidationError(errors)


# The triggers that name a subjects.Engagement date field: the sweep counts from these. The others (not stated, an
# event, not yet recorded) are not dates.
DATE_TRIGGERS: tuple[str, ...] = tuple(
    t.value for t in RetentionRule.Trigger
    if t not in {RetentionRule.Trigger.NOT_STATED, RetentionRule.Trigger.EVENT, RetentionRule.Trigger.NOT_RECORDED}
)


class LegalHold(models.Model):
    """Nothing held is erased: a subject (or everyone in an activity) kept for a claim, an audit, an authority."""

    subject = models.ForeignKey(
        DataSubject, on_delete=models.CASCADE, null=True, blank=True, related_name="legal_holds",
        verbose_name=_("data subject"),
    )
    activity = models.ForeignKey(
        ProcessingActivity, on_delete=models.PROTECT, null=True, blank=True, related_name="legal_holds",
        verbose_name=_("processing activity"),
    )
    reason = models.TextField(_("reason"), help_text=_("E.g. the claim or the authority's request; the legal ground."))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("placed by"),
    )
    placed_at = models.DateTimeField(_("placed at"), default=timezone.now)
    until = models.DateField(
        _("until"), null=True, blank=True, help_text=_("Last day of the hold. Empty: until released."),
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("released by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-placed_at"]
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(subject__isnull=False, activity__isnull=True) | Q(subject__isnull=True, activity__isnull=False)
                ),
                name="legal_hold_on_subject_or_activity",
            ),
        ]
        permissions = [
            ("place_legalhold", _("Can place a legal hold")),
            ("release_legalhold", _("Can release a legal hold")),
        ]

    def __str__(self) -> str:
        # Never the reason: it may name the person, and __str__ ends up in the admin log.
        if self.subject_id:
            return str(_("Legal hold #%(id)s on subject #%(subject)s") % {"id": self.pk, "subject": self.subject_id})
        return str(_("Legal hold #%(id)s on activity #%(activity)s") % {"id": self.pk, "activity": self.activity_id})

    def is_active(self, on: date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.released_at is None and (self.until is None or self.until >= on)

    def clean(self) -> None:
        if bool(self.subject_id) == bool(self.activity_id):
            raise ValidationError(_("A hold is on one subject or on one activity."))


class SweepRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")
        LOCKED_OUT = "locked_out", _("not run: another sweep was running")
        AWAITING_APPROVAL = "awaiting_approval", _("not run: no approved preview")
        EXCEEDS_APPROVAL = "exceeds_approval", _("not run: more than the approved preview")

    started_at = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    as_of = models.DateField(_("as of"), help_text=_("The cutoff day, fixed when the run starts."))
    # The scheduled run's time (the beat's cron): one run per window, however many beats or deliveries start one.
    window = models.DateTimeField(
        _("scheduled for"), null=True, blank=True,
        help_text=_("The scheduled time this run is for; empty for a run started by hand."),
    )
    dry_run = models.BooleanField(_("preview (dry run)"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RUNNING)
    chunk_size = models.PositiveIntegerField(_("chunk size"), default=1000)
    counts = models.JSONField(
        _("counts per rule"), default=dict, blank=True,
        help_text=_("Rule id → due, held, erased, anonymised, restricted, detached, kept, skipped, failed."),
    )
    sample = models.JSONField(
        _("sample of subject ids per rule"), default=dict, blank=True,
        help_text=_("A preview's first due subjects, by id."),
    )
    error = models.TextField(_("error"), blank=True, help_text=_("Exception names and ids only, never personal data."))
    rule_errors = models.JSONField(
        _("rules that could not be swept"), default=dict, blank=True,
        help_text=_("Rule id → why it was not swept (exception names and ids only). The other rules were swept."),
    )
    # An acting run with a cutoff later than today erases people before their time: only with an override given
    # by name, and who gave it and why stay on the run.
    future_as_of_by = models.CharField(
        _("future cutoff allowed by"), max_length=150, blank=True,
        help_text=_("The user (or the operating-system account of a command) who allowed a cutoff after today."),
    )
    future_as_of_reason = models.TextField(_("why the cutoff is after today"), blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("started by"), help_text=_("Empty for the scheduled run."),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    # A foreign key, not one-to-one: a run that failed part-way leaves the approval standing for its retry.
    preview = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="executions",
        verbose_name=_("approved preview carried out"),
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("sweep run")
        verbose_name_plural = _("sweep runs")
        constraints = [
            # One acting run at a time, on any database (PostgreSQL adds an advisory lock on top, which a
            # killed worker's connection releases by itself).
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="running", dry_run=False), name="retention_one_running_sweep",
            ),
            # One run per scheduled window: a second beat (or a redelivered task) for a window whose run is going
            # or done cannot start another; a failed one leaves the window to its retry.
            models.UniqueConstraint(
                fields=["window"], condition=Q(status__in=["running", "succeeded"]),
                name="retention_one_sweep_per_window",
            ),
        ]
        permissions = [
            ("preview_sweeprun", _("Can preview the retention sweep (dry run)")),
            ("approve_sweeprun", _("Can approve a retention sweep preview")),
        ]

    def __str__(self) -> str:
        kind = _("Preview") if self.dry_run else _("Sweep")
        return f"{kind} #{self.pk} ({self.as_of:%Y-%m-%d})" if self.as_of else f"{kind} #{self.pk}"

    def totals(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for counts in (self.counts or {}).values():
            for key, value in counts.items():
                totals[key] = totals.get(key, 0) + value
        return totals

    def summary(self) -> str:
        totals = self.totals()
        acted = sum(totals.get(k, 0) for k in ("erased", "anonymised", "restricted", "detached"))
        return ngettext("%(n)d subject", "%(n)d subjects", acted) % {"n": acted}


class ErasureRecord(models.Model):
    """Proof of one erasure, anonymisation or restriction. Holds no personal data; never edited."""

    class Action(models.TextChoices):
        ERASE = "erase", _("erased")
        ANONYMISE = "anonymise", _("anonymised")
        RESTRICT = "restrict", _("restricted")

    class Reason(models.TextChoices):
        RETENTION = "retention", _("retention period ended")
        RIGHTS_REQUEST = "rights_request", _("data subject's request (Art. 17)")
        ADMIN = "admin", _("erased by staff in the admin")
        REPLAY = "replay", _("erased again after a restore from backup")

    # The subject's id as a plain column: no database constraint, nothing cascades, and the record outlives
    # anything done to the subject row. The relation exists only so the subject's page can list its records.
    subject = models.ForeignKey(
        DataSubject, on_delete=models.DO_NOTHING, db_constraint=False, related_name="erasure_records",
        verbose_name=_("data subject"),
    )
    erased_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    rule = models.ForeignKey(
        RetentionRule, on_delete=models.PROTECT, null=True, blank=True, related_name="erasure_records",
        verbose_name=_("retention rule"),
    )
    request_ref = models.CharField(
        _("request reference"), max_length=100, blank=True,
        help_text=_("The rights request or ticket number; never a name or an address."),
    )
    run = models.ForeignKey(
        SweepRun, on_delete=models.PROTECT, null=True, blank=True, related_name="erasure_records",
        verbose_name=_("sweep run"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("by"),
    )
    receipt = models.JSONField(
        _("receipt"), default=dict,
        help_text=_("Per table: the fields scrubbed and how, and how many rows. Names and counts, never values."),
    )

    class Meta:
        ordering = ["-erased_at", "-pk"]
        verbose_name = _("erasure record")
        verbose_name_plural = _("erasure records")
        constraints = [
            # A subject is erased (or anonymised) once: a batch delivered twice writes no second record.
            models.UniqueConstraint(
                fields=["subject", "action"], condition=Q(action__in=["erase", "anonymise"]),
                name="erasure_record_once_per_subject",
            ),
        ]
        permissions = [("erase_datasubject", _("Can erase a data subject at once (admin action)"))]

    def __str__(self) -> str:
        return str(_("Erasure record #%(id)s") % {"id": self.pk})


# --- vendor follow-ups (Art. 17(2), 19) -----------------------------------------------------------------------


# The name a SystemErasureChannel gives its webhook secret (the key in PROCESSOR_ERASURE_WEBHOOK_SECRETS).
WEBHOOK_SECRET_NAME = r"^[a-z0-9][a-z0-9_.-]{0,49}\Z"


class ErasureChannel(models.TextChoices):
    EMAIL = "email", _("e-mail to the vendor's privacy contact")
    WEBHOOK = "webhook", _("signed JSON webhook")
    HUBSPOT = "hubspot", _("HubSpot GDPR delete API")


class SystemErasureChannel(models.Model):
    """How a system's vendor is told about an erasure, when not by e-mail to its privacy contact (the default).

    A webhook is signed with the secret its ``secret_name`` names in PROCESSOR_ERASURE_WEBHOOK_SECRETS (the
    environment or a ``_FILE``), or with PROCESSOR_ERASURE_WEBHOOK_SECRET when it names none. Only the name is
    stored here: a dump of the database holds no secret.
    """

    system = models.OneToOneField(
        "privacy_registry.System", on_delete=models.CASCADE, related_name="erasure_channel",
        verbose_name=_("system"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=ErasureChannel.choices,
                               default=ErasureChannel.EMAIL)
    webhook_url = models.URLField(
        _("webhook URL"), blank=True,
        help_text=_("Webhook only. The body is signed with HMAC-SHA256 under the secret named below."),
    )
    secret_name = models.CharField(
        _("webhook secret name"), max_length=50, blank=True,
        validators=[RegexValidator(WEBHOOK_SECRET_NAME, _("Lower-case letters, digits, '.', '_' and '-' only."))],
        help_text=_(
            "Webhook only. The name of this vendor's secret in PROCESSOR_ERASURE_WEBHOOK_SECRETS (set in the "
            "environment, never here). Empty: the shared PROCESSOR_ERASURE_WEBHOOK_SECRET."
        ),
    )

    class Meta:
        verbose_name = _("erasure channel")
        verbose_name_plural = _("erasure channels")

    def __str__(self) -> str:
        return str(_("Erasure channel of system #%(id)s") % {"id": self.system_id})

    def clean(self) -> None:
        errors = {}
        if self.channel == ErasureChannel.WEBHOOK and not self.webhook_url:
            errors["webhook_url"] = _("A webhook channel needs its URL.")
        if self.channel != ErasureChannel.WEBHOOK:
            if self.secret_name:
                errors["secret_name"] = _("Only a webhook is signed: leave the secret name empty.")
        elif self.secret_name and self.secret_name not in settings.PROCESSOR_ERASURE_WEBHOOK_SECRETS:
            errors["secret_name"] = _(
                "No webhook secret named %(name)s is configured: add it to PROCESSOR_ERASURE_WEBHOOK_SECRETS "
                "in the environment first."
            ) % {"name": self.secret_name}
        elif not self.secret_name and not settings.PROCESSOR_ERASURE_WEBHOOK_SECRET:
            errors["secret_name"] = _(
                "PROCESSOR_ERASURE_WEBHOOK_SECRET is not set: name this vendor's secret in "
                "PROCESSOR_ERASURE_WEBHOOK_SECRETS, or set the shared one."
            )
        if errors:
            raise ValidationError(errors)


class ProcessorErasure(models.Model):
    """One vendor to tell about one erasure or restriction, tracked until the vendor confirms (Art. 17(2), 19).

    Erasure: the vendor needs the person's id in its own system, which the erasure replaces by a keyed hash. So
    the id is captured before the scrub and kept here *sealed* (encrypted under a key outside the database, see
    ``retention.followups``) until the vendor confirms; confirming empties it. Restriction: the subject's system
    record keeps its id, so nothing is copied here; the notice reads it when it is sent. Nothing else here is
    personal: ``last_error`` holds status codes, exception names and setting names, never a response body.

    At most one row per erasure record and system record (per erasure record and system for a row without one),
    and one not-yet-linked capture per system record: a batch delivered twice, a hook run twice or a replay opens
    nothing twice. ``system_record`` keeps its id when the system record is deleted (no database constraint, like
    ``subject``): set to null instead, two such rows of one record in one system would collide.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending: to be sent")
        SENT = "sent", _("sent: awaiting the vendor's confirmation")
        CONFIRMED = "confirmed", _("confirmed by the vendor")
        FAILED = "failed", _("failed: needs a person")

    class Kind(models.TextChoices):
        ERASURE = "erasure", _("erasure (Art. 17(2), 19)")
        RESTRICTION = "restriction", _("restriction of processing (Art. 18, 19)")

    erasure_record = models.ForeignKey(
        ErasureRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="processor_erasures",
        verbose_name=_("erasure record"), help_text=_("Empty only inside the erasure's own transaction."),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.ERASURE)
    subject = models.ForeignKey(
        DataSubject, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+",
        verbose_name=_("data subject"),
    )
    system = models.ForeignKey(
        "privacy_registry.System", on_delete=models.PROTECT, related_name="processor_erasures",
        verbose_name=_("system"),
    )
    system_record = models.ForeignKey(
        "subjects.SystemRecord", on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True,
        related_name="+", verbose_name=_("system record"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=ErasureChannel.choices,
                               default=ErasureChannel.EMAIL)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    reminders = models.PositiveIntegerField(_("reminders sent"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("confirmed by"),
    )
    external_id_sealed = models.TextField(
        _("id in the vendor's system (sealed)"), blank=True, editable=False,
        help_text=_("Encrypted; emptied when the vendor confirms. Empty for a restriction notice."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("vendor follow-up")
        verbose_name_plural = _("vendor follow-ups")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="processor_erasure_due_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["erasure_record", "system_record"], condition=Q(system_record__isnull=False),
                name="processor_erasure_once_per_system_record",
            ),
            models.UniqueConstraint(
                fields=["erasure_record", "system"], condition=Q(system_record__isnull=True),
                name="processor_erasure_once_per_system",
            ),
            # Captured before the scrub, not linked to its record yet: once per system record.
            models.UniqueConstraint(
                fields=["system_record"], condition=Q(erasure_record__isnull=True, system_record__isnull=False),
                name="processor_erasure_one_open_capture",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Follow-up #%(id)s (system #%(system)s)") % {"id": self.pk, "system": self.system_id})


# --- event-triggered rules --------------------------------------------------------------------------------------


class RetentionEvent(models.Model):
    """The event an event-triggered rule waits for, recorded for one subject ("a person under the minimum age is
    discovered"): when it occurred, who recorded it and why, and the day the rule acts on it (occurred + period).

    The nightly sweep carries out the pending ones that are due, through the same engine as the rest of the sweep
    (holds respected, history scrubbed, journal written, vendors told), and records them on its run. One event per
    rule and subject, unless cancelled. ``reason`` is free text and may name the person: it goes with the subject.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending: to be carried out when due")
        AWAITING_APPROVAL = "awaiting", _("awaiting approval: not carried out until a DPO approves it")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    class Outcome(models.TextChoices):
        NONE = "", _("not yet")
        ERASED = "erased", _("erased")
        ANONYMISED = "anonymised", _("anonymised")
        RESTRICTED = "restricted", _("restricted, to be erased later")
        DETACHED = "detached", _("removed from the activity (still in another)")
        ALREADY_ERASED = "already_erased", _("already erased otherwise")

    rule = models.ForeignKey(
        RetentionRule, on_delete=models.PROTECT, related_name="events", verbose_name=_("retention rule"),
    )
    subject = models.ForeignKey(
        DataSubject, on_delete=models.PROTECT, related_name="retention_events", verbose_name=_("data subject"),
    )
    occurred_on = models.DateField(_("event occurred on"))
    reason = models.TextField(
        _("what happened"),
        help_text=_("How the event became known, e.g. a ticket number. Never a name or an address."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    # restrict_on: for "restrict, then erase" the day the restriction is due; due_on is always the day the event is
    # done (erased, anonymised): occurred + period (+ the second period).
    restrict_on = models.DateField(_("restricted on"), null=True, blank=True)
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True, default="")
    handled_at = models.DateTimeField(_("carried out at"), null=True, blank=True)
    run = models.ForeignKey(
        SweepRun, on_delete=models.PROTECT, null=True, blank=True, related_name="events",
        verbose_name=_("sweep run"),
    )
    erasure_record = models.ForeignKey(
        ErasureRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("erasure record"),
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("cancelled by"),
    )
    cancel_reason = models.TextField(_("why cancelled"), blank=True)
    # An event whose rule erases at once, recorded by someone without the erase permission, waits for a DPO's
    # approval; who approved it (or the recorder, when they hold that permission) is kept.
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("approved by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("retention event")
        verbose_name_plural = _("retention events")
        indexes = [models.Index(fields=["status", "due_on"], name="retention_event_due_idx")]
        constraints = [
            # Recorded twice is one event: a second one would only be a second erasure of the same person.
            models.UniqueConstraint(
                fields=["rule", "subject"], condition=~Q(status="cancelled"), name="retention_event_once_per_rule",
            ),
        ]
        permissions = [("cancel_retentionevent", _("Can cancel a pending retention event"))]

    def __str__(self) -> str:
        return str(_("Retention event #%(id)s") % {"id": self.pk}) if self.pk else str(_("New retention event"))
