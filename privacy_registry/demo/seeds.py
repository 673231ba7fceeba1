"""Load the seed organisations (`seed_data`) into the register.

Design note:
- Adds what is missing, never overwrites (``demo.ensure``): every row is found by its natural key (organisation
  slug; vendor name + engaging vendor; system, measure or activity name within its organisation; purpose, source
  or recipient within its activity; a transfer by activity, destination, destination as stated and vendor, where
  an unnamed destination or no vendor is part of the key as NULL) and created only when it is not there. A row
  that is there is left as it is, even where it differs from the seed: `make run` loads the demo on every start,
  and the difference is a DPO's edit. Many-to-many sets are given to the rows created in the run only; a
  translation fills a language column only while it is empty and always was (``demo.fill_blanks``). A second
  run saves nothing, so simple-history records nothing and `updated_at` stays put.
- Never deletes: rows a DPO added to a demo organisation, or rows left behind when the seed text is
  corrected, stay until someone removes them in the admin.
- One transaction: a failure half-way leaves the register as it was; the next run starts over.
- Every history row it writes carries the reason "demo data".
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import models, transaction

from privacy_registry.models import (
    Country,
    DataSource,
    DataSubjectCategory,
    NoticeStatement,
    Organisation,
    PersonalDataCategory,
    PrivacyContact,
    ProcessingActivity,
    Purpose,
    Recipient,
    SecurityMeasure,
    System,
    Transfer,
    Vendor,
)
from privacy_registry.services import record_save

from . import ensure, fill_blanks, seed_data
from .seed_data import ActivitySeed, OrganisationSeed, VendorSeed
from .translations import TRANSLATIONS, rows

REASON = "demo data"
CONTROLLER = ProcessingActivity.RecordType.CONTROLLER

M = TypeVar("M", bound=models.Model)


class _Loader:
    """Holds the lookups of one run (countries, vendors, categories) and counts the rows it saved."""

    def __init__(self) -> None:
        self.countries: dict[str, Country] = {}
        self.vendors: dict[str, Vendor] = {}
        self.subject_categories: dict[str, DataSubjectCategory] = {}
        self.data_categories: dict[str, PersonalDataCategory] = {}
        self.created: set[tuple[type[models.Model], int]] = set()
        self.saved = 0

    # -- generic writes -------------------------------------------------------------------------------------

    def sync(self, model: type[M], *, key: dict[str, Any], values: dict[str, Any]) -> M:
        """The row found by `key`, or a new one made of `values` (an existing row is never written: ``ensure``)."""
        instance, created = ensure(model, key=key, values=values, save=self._save)
        if created:
            self.created.add((model, instance.pk))
        return instance

    def _save(self, instance: models.Model) -> None:
        instance.full_clean(validate_unique=False, validate_constraints=False)
        record_save(instance=instance, reason=REASON)
        self.saved += 1

    def sync_m2m(self, instance: models.Model, field: str, targets: Iterable[models.Model]) -> None:
        """Give a row created in this run its many-to-many set; a row that was there keeps the set it has."""
        if (type(instance), instance.pk) not in self.created:
            return
        # The history row simple-history writes for the m2m change reads the reason from the instance.
        instance._change_reason = REASON
        getattr(instance, field).set(list(targets))
        self.saved += 1

    def translations(self) -> None:
        """The demo's register texts in Swedish and Danish (``translations.TRANSLATIONS``), where still blank."""
        for (model, field, slug), texts in TRANSLATIONS.items():
            for english, languages in texts.items():
                for instance in rows(model, field, slug, english):
                    values = {f"{field}_{language}": text for language, text in languages.items()}
                    fill_blanks(instance, values, save=self._save_translation)

    def _save_translation(self, instance: models.Model) -> None:
        record_save(instance=instance, reason=REASON)
        self.saved += 1

    def country(self, code: str | None) -> Country | None:
        if code is None:
            return None
        if code not in self.countries:
            self.countries[code] = Country.objects.get(code=code)
        return self.countries[code]

    # -- the register ---------------------------------------------------------------------------------------

    def vendor(self, seed: VendorSeed, organisations: dict[str, Organisation]) -> Vendor:
        engaged_by = self.vendors[seed.engaged_by] if seed.engaged_by else None
        vendor = self.sync(
            Vendor,
            key={"name": seed.name, "engaged_by": engaged_by},
            values={
                "legal_name": seed.legal_name,
                "role": seed.role,
                "category": seed.category,
                "company": self.vendors[seed.company] if seed.company else None,
                "organisation": organisations[seed.organisation] if seed.organisation else None,
                "service": seed.service,
                "country": self.country(seed.country),
                "website": seed.website,
                "dpa_signed_on": seed.dpa_signed_on,
                "dpa_url": seed.dpa_url,
                "dpa_in_place": seed.dpa_in_place,
                "notes": seed.notes,
            },
        )
        self.vendors[seed.name] = vendor
        return vendor

    def organisation(self, seed: OrganisationSeed, organisations: dict[str, Organisation]) -> Organisation:
        org = self.sync(
            Organisation,
            key={"slug": seed.slug},
            values={
                "name": seed.name,
                "trading_name": seed.trading_name,
                "registration_number": seed.registration_number,
                "registry_details": seed.registry_details,
                "street_address": seed.street_address,
                "postal_code": seed.postal_code,
                "city": seed.city,
                "country": self.country(seed.country),
                "email": seed.email,
                "phone": seed.phone,
                "website": seed.website,
                "role": seed.role,
                "representative": organisations[seed.representative] if seed.representative else None,
                "lead_authority": seed.lead_authority,
                "binding_language_note": seed.binding_language_note,
                "applicable_law": seed.applicable_law,
                "rights_request_requirements": seed.rights_request_requirements,
                "retention_policy_url": seed.retention_policy_url,
                "primary_language": seed.primary_language,
            },
        )
        for contact in seed.contacts:
            self.sync(
                PrivacyContact,
                key={"organisation": org, "role": contact.role, "name": contact.name},
                values={
                    "email": contact.email, "phone": contact.phone, "postal_address": contact.postal_address,
                    "url": contact.url,
                },
            )
        for order, statement in enumerate(seed.statements):
            # Keyed by the text in the policy's language: a DPO's rewording is a new text, and stays theirs.
            self.sync(
                NoticeStatement,
                key={"organisation": org, "topic": statement.topic, f"text_{statement.language}": statement.text},
                values={"order": order},
            )
        return org

    def activity(
        self,
        org: Organisation,
        seed: ActivitySeed,
        systems: dict[str, System],
        measures: dict[str, SecurityMeasure],
    ) -> ProcessingActivity:
        activity = self.sync(
            ProcessingActivity,
            key={"organisation": org, "name": seed.name},
            values={
                "record_type": seed.record_type,
                "business_function": seed.business_function,
                "description": seed.description,
                "status": ProcessingActivity.Status.ACTIVE,
                "controllers_served": seed.controllers_served,
                "retention_statement": seed.retention_statement,
                "retention_policy_deviation": seed.retention_policy_deviation,
                "profiling": seed.profiling,
                "automated_decision_making": seed.automated_decision_making,
                "automated_logic": seed.automated_logic,
            },
        )
        for order, purpose in enumerate(seed.purposes):
            self.sync(
                Purpose,
                key={"activity": activity, "description": purpose.description},
                values={
                    "legal_basis": purpose.legal_basis,
                    # Silent policy, controller's record: "not stated" (a processor's record holds no basis of its own).
                    "legal_basis_not_stated": not purpose.legal_basis and seed.record_type == CONTROLLER,
                    "legal_basis_as_stated": purpose.legal_basis_as_stated,
                    "legal_basis_detail": purpose.legal_basis_detail,
                    "legitimate_interest": purpose.legitimate_interest,
                    "provision_requirement": purpose.provision_requirement,
                    "consequence_of_not_providing": purpose.consequence_of_not_providing,
                    "retention_statement": purpose.retention_statement,
                    "direct_marketing": purpose.direct_marketing,
                    "order": order,
                },
            )
        for source in seed.sources:
            self.sync(DataSource, key={"activity": activity, "kind": source.kind, "description": source.description},
                      values={})
        for recipient in seed.recipients:
            row = self.sync(
                Recipient,
                key={"activity": activity, "kind": recipient.kind, "description": recipient.description},
                values={
                    "vendor": self.vendors[recipient.vendor] if recipient.vendor else None,
                    "country": self.country(recipient.country),
                },
            )
            self.sync_m2m(row, "data_categories", (self.data_categories[n] for n in recipient.data_categories))
        for transfer in seed.transfers:
            # filter(destination=None) and filter(vendor=None) match IS NULL, so an unnamed destination is a key.
            self.sync(
                Transfer,
                key={
                    "activity": activity,
                    "destination": self.country(transfer.destination),
                    "destination_description": transfer.destination_description,
                    "vendor": self.vendors[transfer.vendor] if transfer.vendor else None,
                },
                values={"mechanism": transfer.mechanism, "derogation": transfer.derogation, "notes": transfer.notes},
            )
        self.sync_m2m(activity, "subject_categories", (self.subject_categories[n] for n in seed.subject_categories))
        self.sync_m2m(activity, "data_categories", (self.data_categories[n] for n in seed.data_categories))
        self.sync_m2m(activity, "systems", (systems[n] for n in seed.systems))
        self.sync_m2m(activity, "security_measures", (measures[n] for n in seed.security_measures))
        return activity

    def load(self) -> dict[str, int]:
        for category in seed_data.SUBJECT_CATEGORIES:
            self.subject_categories[category.name] = self.sync(
                DataSubjectCategory,
                key={"name": category.name},
                values={
                    "description": category.description,
                    "minimum_age": category.minimum_age,
                    "age_check": category.age_check,
                },
            )
        for category in seed_data.DATA_CATEGORIES:
            self.data_categories[category.name] = self.sync(
                PersonalDataCategory, key={"name": category.name}, values={"description": category.description}
            )
        organisations: dict[str, Organisation] = {}
        # Representatives first, so an organisation can point at its representative in one pass.
        for seed in sorted(seed_data.ORGANISATIONS, key=lambda o: o.representative is not None):
            organisations[seed.slug] = self.organisation(seed, organisations)
        # Seed order puts a company before its services and an engaging vendor before its sub-processors.
        for vendor in seed_data.VENDORS:
            self.vendor(vendor, organisations)

        counts = dict.fromkeys(
            ("organisations", "contacts", "systems", "security_measures", "activities", "purposes", "sources",
             "recipients", "transfers"),
            0,
        )
        for seed in seed_data.ORGANISATIONS:
            org = organisations[seed.slug]
            systems = {}
            for system in seed.systems:
                systems[system.name] = self.sync(
                    System,
                    key={"organisation": org, "name": system.name},
                    values={
                        "kind": system.kind,
                        "vendor": self.vendors[system.vendor] if system.vendor else None,
                        "description": system.description,
                        "erasure_method": system.erasure_method,
                    },
                )
                self.sync_m2m(systems[system.name], "hosting_countries", map(self.country, system.hosting_countries))
            measures = {
                measure.name: self.sync(
                    SecurityMeasure,
                    key={"organisation": org, "name": measure.name},
                    values={"kind": measure.kind, "description": measure.description},
                )
                for measure in seed.security_measures
            }
            for activity in seed.activities:
                self.activity(org, activity, systems, measures)
                counts["purposes"] += len(activity.purposes)
                counts["sources"] += len(activity.sources)
                counts["recipients"] += len(activity.recipients)
                counts["transfers"] += len(activity.transfers)
            counts["organisations"] += 1
            counts["contacts"] += len(seed.contacts)
            counts["systems"] += len(seed.systems)
            counts["security_measures"] += len(seed.security_measures)
            counts["activities"] += len(seed.activities)
        self.translations()

        return {
            **counts,
            "vendors": len(seed_data.VENDORS),
            "subject_categories": len(seed_data.SUBJECT_CATEGORIES),
            "data_categories": len(seed_data.DATA_CATEGORIES),
            "rows_saved": self.saved,
        }


@transaction.atomic
def load() -> dict[str, int]:
    """Add what is missing of the seed organisations' register; returns the seeded rows per kind and the rows saved."""
    return _Loader().load()
