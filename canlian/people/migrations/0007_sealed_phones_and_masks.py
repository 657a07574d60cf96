"""Phone numbers sealed like ID numbers and accounts (ciphertext and mask); ID and account
masks that the other fields of a page cannot complete (canlian.lib.masks)."""

from django.db import migrations, models

from canlian.lib import remask
from canlian.lib.sealed import Kind, Sealed


def forwards(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    Person.objects.update(id_number_masked=remask.id_mask_sql("id_number_masked"))
    Person.objects.exclude(bank_account_masked="").update(
        bank_account_masked=remask.account_mask_sql("bank_account_masked")
    )
    remask.seal_column(
        Person, "phone", Sealed("phone_cipher", "phone_masked", "person.phone", Kind.PHONE)
    )
    remask.seal_column(
        Person,
        "guardian_phone",
        Sealed(
            "guardian_phone_cipher", "guardian_phone_masked", "person.guardian_phone", Kind.PHONE
        ),
    )


class Migration(migrations.Migration):
    dependencies = [("people", "0006_fewer_write_indexes")]

    operations = [
        migrations.AddField(
            model_name="person",
            name="phone_cipher",
            field=models.BinaryField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="person",
            name="phone_masked",
            field=models.CharField(blank=True, max_length=20, verbose_name="phone"),
        ),
        migrations.AddField(
            model_name="person",
            name="guardian_phone_cipher",
            field=models.BinaryField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="person",
            name="guardian_phone_masked",
            field=models.CharField(blank=True, max_length=20, verbose_name="guardian's phone"),
        ),
        # Not reversible: going back would drop the sealed values with nothing to restore.
        migrations.RunPython(forwards, elidable=True),
        migrations.RemoveField(model_name="person", name="phone"),
        migrations.RemoveField(model_name="person", name="guardian_phone"),
    ]
