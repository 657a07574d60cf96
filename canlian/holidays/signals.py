"""Signals of the holiday calendar."""

from django.dispatch import Signal

# Sent inside the transaction that entered or replaced a year's official schedule, with
# `year` and `acting_user`: deadlines counted on that year can be counted again.
schedule_changed = Signal()
