"""A blind index of each ID number's last six characters (people.models.tail_index), for the
registry's search by the last 4-6 characters beside a name or an area; filled for the persons
already on the registry."""

from django.db import migrations, models

from canlian.accounts import reveal
from canlian.lib.sealed import Kind, Sealed

ID_NUMBER = Sealed("id_number_cipher", "id_number_masked", "person.id_number", Kind.ID_NUMBER)
TAIL_CONTEXT = "person.id_number.tail6"  # people.models.TAIL_CONTEXT when written
BATCH = 2000


def forwards(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    pending = Person.objects.filter(id_tail_index="").order_by("pk")
    last = 0
    while True:
        batch = list(pending.filter(pk__gt=last).only("pk", "id_number_cipher")[:BATCH])
        if not batch:
            return
        for person in batch:
            person.id_tail_index = reveal.tail_index(
                cipher=person.id_number_cipher, spec=ID_NUMBER, context=TAIL_CONTEXT
            )
        Person.objects.bulk_update(batch, ["id_tail_index"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("people", "0009_issue16_poverty_status")]

    operations = [
        migrations.AddField(
            model_name="person",
            name="id_tail_index",
            field=models.CharField(blank=True, db_index=True, max_length=64),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
    ]
