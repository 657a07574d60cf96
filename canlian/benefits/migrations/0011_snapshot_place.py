"""Eligibility snapshots keep the household's place to the village (was its county), so that
a township's kept months add up to its county's. Months kept before this migration hold the
county's six digits: they still count for the city and the county; take them again
(`canlian subsidy snapshot --month … --through …`) for their townships."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("benefits", "0010_eligibility_snapshots")]

    operations = [
        migrations.RemoveIndex(model_name="eligiblemonth", name="benefits_eligible_month_county"),
        migrations.RenameField(model_name="eligiblemonth", old_name="county", new_name="place"),
        migrations.AlterField(
            model_name="eligiblemonth", name="place", field=models.CharField(max_length=12)
        ),
        migrations.AddIndex(
            model_name="eligiblemonth",
            index=models.Index(fields=["month", "place"], name="benefits_eligible_month_place"),
        ),
    ]
