"""The subsidy page's record of lookups gives way to the one of every public page
(accounts.PublicLookup, kept a day: nothing to carry over)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('benefits', '0008_issue16_rules'),
    ]

    operations = [
        migrations.DeleteModel(
            name='ProgressLookup',
        ),
    ]
