"""The suffix of the current card number (B1, B2, … after replacements; 0 for none)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0007_sealed_phones_and_masks"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="card_suffix",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="card number suffix"),
        ),
    ]
