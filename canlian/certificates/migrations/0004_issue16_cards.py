"""Card number suffixes (B1, B2, …) for replaced cards and the table of cancelled card numbers.

Existing replacements are numbered in date order, person by person, by the rule the services
follow (certificates.cards): the card of a category and grade carries the suffix after the
highest cancelled for it; a replacement takes the next one and cancels the card it replaces. A
replacement recorded before the reason was a choice is taken as "damaged" when its reason says
so (损, 破, damaged) and as "lost" otherwise: either way the old number is cancelled.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

DAMAGE_WORDS = ("损", "破", "damag")


def _reason(text):
    text = (text or "").lower()
    return "damaged" if any(word in text for word in DAMAGE_WORDS) else "lost"


def number_replacements(apps, schema_editor):
    Application = apps.get_model("certificates", "Application")
    Certificate = apps.get_model("certificates", "Certificate")
    CancelledCard = apps.get_model("certificates", "CancelledCard")
    Person = apps.get_model("people", "Person")
    for app in Application.objects.filter(kind="replacement", replacement_reason=""):
        app.replacement_reason = _reason(app.reason)
        app.save(update_fields=["replacement_reason"])
    holders = (
        Certificate.objects.filter(issue="replacement")
        .values_list("person_id", flat=True)
        .distinct()
        .order_by("person_id")
    )
    for person_id in holders.iterator():
        certificates = Certificate.objects.filter(person_id=person_id).select_related("application")
        cancelled = {}  # (category, grade) -> highest suffix cancelled
        previous = None
        for certificate in certificates.order_by("issued_on", "id"):
            key = (certificate.category, certificate.grade)
            suffix = cancelled.get(key, -1) + 1
            replaces = certificate.issue == "replacement" and previous is not None
            if replaces:
                suffix = max(previous.card_suffix, suffix) + 1
            certificate.card_suffix = suffix
            certificate.save(update_fields=["card_suffix"])
            if replaces:
                app = certificate.application
                CancelledCard.objects.create(
                    person_id=person_id,
                    category=previous.category,
                    grade=previous.grade,
                    suffix=previous.card_suffix,
                    certificate=previous,
                    replaced_by=certificate,
                    reason=app.replacement_reason if app else "lost",
                    cancelled_on=certificate.issued_on,
                    cancelled_by_id=(app.decided_by_id or app.received_by_id) if app else None,
                )
                old = (previous.category, previous.grade)
                cancelled[old] = max(cancelled.get(old, -1), previous.card_suffix)
            previous = certificate
        valid = certificates.filter(status="valid").first() or previous
        Person.objects.filter(pk=person_id).update(card_suffix=valid.card_suffix)


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0003_issue16_workflow"),
        ("people", "0008_issue16_card_suffix"),
        ("places", "0002_jiaozuo_base"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CancelledCard",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "category",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (1, "Visual"),
                            (2, "Hearing"),
                            (3, "Speech"),
                            (4, "Physical"),
                            (5, "Intellectual"),
                            (6, "Mental"),
                            (7, "Multiple"),
                        ],
                        verbose_name="disability category",
                    ),
                ),
                (
                    "grade",
                    models.PositiveSmallIntegerField(
                        choices=[(1, "Grade 1"), (2, "Grade 2"), (3, "Grade 3"), (4, "Grade 4")],
                        verbose_name="disability grade",
                    ),
                ),
                (
                    "suffix",
                    models.PositiveSmallIntegerField(default=0, verbose_name="card number suffix"),
                ),
                (
                    "reason",
                    models.CharField(
                        choices=[("lost", "Lost"), ("damaged", "Damaged")],
                        max_length=8,
                        verbose_name="reason",
                    ),
                ),
                ("cancelled_on", models.DateField(verbose_name="cancelled on")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "verbose_name": "cancelled card number",
                "ordering": ["person", "cancelled_on", "id"],
            },
        ),
        migrations.AddField(
            model_name="application",
            name="replacement_reason",
            field=models.CharField(
                blank=True,
                choices=[("lost", "Lost"), ("damaged", "Damaged")],
                max_length=8,
                verbose_name="lost or damaged",
            ),
        ),
        migrations.AddField(
            model_name="certificate",
            name="card_suffix",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="card number suffix"),
        ),
        migrations.AddField(
            model_name="cancelledcard",
            name="cancelled_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="cancelledcard",
            name="certificate",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cancelled_cards",
                to="certificates.certificate",
            ),
        ),
        migrations.AddField(
            model_name="cancelledcard",
            name="person",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cancelled_cards",
                to="people.person",
            ),
        ),
        migrations.AddField(
            model_name="cancelledcard",
            name="replaced_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="certificates.certificate",
            ),
        ),
        migrations.AddConstraint(
            model_name="cancelledcard",
            constraint=models.UniqueConstraint(
                fields=("person", "category", "grade", "suffix"),
                name="cancelled_card_unique_number",
            ),
        ),
        migrations.AddConstraint(
            model_name="cancelledcard",
            constraint=models.CheckConstraint(
                condition=models.Q(("category__gte", 1), ("category__lte", 7)),
                name="cancelled_card_category_1_7",
            ),
        ),
        migrations.AddConstraint(
            model_name="cancelledcard",
            constraint=models.CheckConstraint(
                condition=models.Q(("grade__gte", 1), ("grade__lte", 4)),
                name="cancelled_card_grade_1_4",
            ),
        ),
        migrations.RunPython(number_replacements, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="certificate",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("issue", "replacement"), _negated=True),
                    ("card_suffix__gte", 1),
                    _connector="OR",
                ),
                name="certificate_replacement_has_suffix",
            ),
        ),
        migrations.AddConstraint(
            model_name="certificate",
            constraint=models.UniqueConstraint(
                condition=models.Q(("issue", "replacement")),
                fields=("person", "category", "grade", "card_suffix"),
                name="certificate_replacement_suffix_once",
            ),
        ),
    ]
