"""Change history and access log."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "canlian.audit"
    verbose_name = "审计"
