"""The two subsidies (两项补贴): programmes, dated parameters and eligibility rules."""

from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "canlian.benefits"
    verbose_name = "两项补贴"
