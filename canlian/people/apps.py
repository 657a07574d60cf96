"""The registry of disabled persons."""

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "canlian.people"
    verbose_name = "残疾人信息"

    def ready(self) -> None:
        from canlian.audit import actions
        from canlian.people.models import Category, Grade, Person, StatusKind

        actions.register_values("grade", Grade.choices)
        actions.register_values("category", Category.choices)
        actions.register_fields(Person)  # a new person's "after"
        actions.register_values(
            "kind", StatusKind.choices, actions=["person.status.add", "person.status.end"]
        )
