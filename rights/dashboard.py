"""Rights requests' alerts at the top of the admin dashboard (plugged into ``privacy_registry.dashboard`` from
``RightsConfig.ready()``): requests whose execution was interrupted, in progress longer than
``RIGHTS_EXECUTION_STALE_AFTER_MINUTES``. Only for a user who may view requests."""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from privacy_registry.dashboard import Alert, Level

from . import selectors
from .models import Status

VIEW_PERMISSION = "rights.view_rightsrequest"


def stuck_execution_alerts(user) -> list[Alert]:
    """One count of the requests stuck in progress, linked to the requests in progress."""
    if not user.has_perm(VIEW_PERMISSION):
        return []
    minutes = settings.RIGHTS_EXECUTION_STALE_AFTER_MINUTES
    stuck = selectors.requests_execution_stuck(cutoff=timezone.now() - timedelta(minutes=minutes)).count()
    if not stuck:
        return []
    message = ngettext(
        "%(n)d rights request has been in progress for more than %(minutes)d minutes: its execution was interrupted. "
        "It is carried out again every 15 minutes; select it and choose “Carry out again” to do it now, or see its "
        "timeline if it stays.",
        "%(n)d rights requests have been in progress for more than %(minutes)d minutes: their execution was "
        "interrupted. They are carried out again every 15 minutes; select them and choose “Carry out again” to do it "
        "now, or see their timelines if they stay.", stuck,
    ) % {"n": stuck, "minutes": minutes}
    url = reverse("admin:rights_rightsrequest_changelist") + f"?status__exact={Status.IN_PROGRESS}"
    return [Alert(level=Level.WARNING, message=message, url=url, link_text=gettext("Open the requests in progress"))]
