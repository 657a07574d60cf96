"""Monthly payment rolls of the two subsidies (发放花名册), bank files and recoveries."""

from django.apps import AppConfig


class PayrollConfig(AppConfig):
    name = "canlian.payroll"
    label = "payroll"
    verbose_name = "补贴发放"
