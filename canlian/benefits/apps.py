"""The two subsidies (两项补贴): programmes, dated parameters and eligibility rules."""

from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "canlian.benefits"
    verbose_name = "两项补贴"

    def ready(self) -> None:
        from canlian.audit import actions
        from canlian.benefits.models import Channel, Decision, Programme, Step
        from canlian.benefits.selectors import person_section
        from canlian.people import sections

        sections.register(
            sections.Section("subsidies", "benefits/_person_section.html", person_section)
        )
        actions.register_values("programme", Programme.choices)
        actions.register_values("channel", Channel.choices)
        actions.register_values("step", Step.choices)
        actions.register_values("decision", Decision.choices)
