"""Disability certificates: applications, assessments, certificates, objections, tours, checks."""

from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "canlian.certificates"
    verbose_name = "残疾人证"

    def ready(self) -> None:
        from canlian.audit import actions
        from canlian.certificates import services
        from canlian.certificates.choices import CancelReason, Kind, ReplacementReason
        from canlian.certificates.models import Application
        from canlian.holidays.signals import schedule_changed

        schedule_changed.connect(services.recount_deadlines, dispatch_uid="certificates")
        actions.register_values("reason", CancelReason.choices, actions=["certificate.cancel"])
        actions.register_values(
            "reason",
            ReplacementReason.choices,
            actions=["certificate.card_cancel"],
        )
        actions.register_values("kind", Kind.choices, actions=["certificate.apply"])
        actions.register_fields(Application)  # deadlines recounted: before/after
