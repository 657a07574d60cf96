"""The programmes of the two subsidies (两项补贴). No tables yet: applications, enrolments and
payment rolls are still to be built."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Programme(models.TextChoices):
    LIVING = "living", _("Living subsidy for disabled persons in difficulty")
    CARE = "care", _("Care subsidy for severely disabled persons")
