"""The record of attempts on the public lookup pages, which limits guessing on all of them
together (canlian.accounts.public_lookups)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_user_session_epoch'),
    ]

    operations = [
        migrations.CreateModel(
            name='PublicLookup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('page', models.CharField(max_length=16)),
                ('client', models.CharField(max_length=64)),
                ('code', models.CharField(max_length=10)),
                ('found', models.BooleanField()),
                ('at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'indexes': [models.Index(fields=['client', 'at'], name='accounts_pu_client_d3cc1a_idx'), models.Index(fields=['code', 'at'], name='accounts_pu_code_5ec5ba_idx')],
            },
        ),
    ]
