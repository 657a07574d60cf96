"""Staff accounts, roles and jurisdiction scope."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "canlian.accounts"
    verbose_name = "账户"

    def ready(self) -> None:
        from canlian.accounts.models import User
        from canlian.audit import actions

        actions.register_fields(User)  # an account change's before/after
