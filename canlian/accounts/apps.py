"""Staff accounts, roles and jurisdiction scope."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "canlian.accounts"
    verbose_name = "账户"
