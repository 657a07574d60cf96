"""Citizens' self-service: pages for applicants and their families, open without a staff
account."""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "canlian.portal"
    verbose_name = "公众服务"
