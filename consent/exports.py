"""Consent's contribution to the Art. 30 exports: the "link to record of consent" that the ICO, DPC and CNIL
templates ask for, per activity, through the register's annotator registry (``ConsentConfig.ready()`` plugs it
in; the register never imports this app). One query per export, whatever its size."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import ConsentPurpose, ConsentRecord


def consent_records(activity_ids: Sequence[int]) -> Mapping[int, Sequence[str]]:
    """Per activity: each consent purpose covering one of its purposes, with the consents in force and the link to
    their records in the admin."""
    purposes = (
        ConsentPurpose.objects.filter(register_purposes__activity_id__in=activity_ids)
        .annotate(in_force=Count("records", filter=Q(records__state=ConsentRecord.State.GIVEN), distinct=True))
        .values_list("pk", "name", "wording_version", "in_force", "register_purposes__activity_id")
        .order_by("name", "pk")
        .distinct()
    )
    changelist = reverse("admin:consent_consentrecord_changelist")
    lines: dict[int, list[str]] = defaultdict(list)
    for pk, name, version, in_force, activity_id in purposes:
        text = _("%(purpose)s (wording v%(version)s): %(count)s consents in force, records at %(url)s") % {
            "purpose": name, "version": version, "count": in_force,
            "url": f"{settings.PUBLIC_BASE_URL}{changelist}?purpose__id__exact={pk}",
        }
        if text not in lines[activity_id]:
            lines[activity_id].append(text)
    return dict(lines)
