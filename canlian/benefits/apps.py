"""The two subsidies (两项补贴): programmes, dated parameters and eligibility rules."""

from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "canlian.benefits"
    verbose_name = "两项补贴"

    def ready(self) -> None:
        from canlian.benefits.selectors import person_section
        from canlian.people import sections

        sections.register(
            sections.Section("subsidies", "benefits/_person_section.html", person_section)
        )
