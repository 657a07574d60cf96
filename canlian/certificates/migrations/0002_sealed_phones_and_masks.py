"""Applicants' phone numbers sealed like the registry's (same contexts, so that values copy as
ciphertext); ID masks that the other fields of a page cannot complete (canlian.lib.masks)."""

from django.db import migrations, models

from canlian.lib import remask
from canlian.lib.sealed import Kind, Sealed


def forwards(apps, schema_editor):
    Application = apps.get_model("certificates", "Application")
    Application.objects.update(id_number_masked=remask.id_mask_sql("id_number_masked"))
    remask.seal_column(
        Application,
        "phone",
        Sealed("phone_cipher", "phone_masked", "person.phone", Kind.PHONE),
    )
    remask.seal_column(
        Application,
        "guardian_phone",
        Sealed(
            "guardian_phone_cipher", "guardian_phone_masked", "person.guardian_phone", Kind.PHONE
        ),
    )


class Migration(migrations.Migration):
    dependencies = [("certificates", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="application",
            name="phone_cipher",
            field=models.BinaryField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="application",
            name="phone_masked",
            field=models.CharField(blank=True, max_length=20, verbose_name="phone"),
        ),
        migrations.AddField(
            model_name="application",
            name="guardian_phone_cipher",
            field=models.BinaryField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="application",
            name="guardian_phone_masked",
            field=models.CharField(blank=True, max_length=20, verbose_name="guardian's phone"),
        ),
        # Not reversible: going back would drop the sealed values with nothing to restore.
        migrations.RunPython(forwards, elidable=True),
        migrations.RemoveField(model_name="application", name="phone"),
        migrations.RemoveField(model_name="application", name="guardian_phone"),
    ]
