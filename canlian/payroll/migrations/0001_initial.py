"""The payment rolls and what hangs on them, taken over from the benefits app (benefits 0006)
with their tables: state only, nothing in the database changes but the content types, which
are renamed from benefits.* to payroll.* so that permissions and anything else pointing at
them follow the models.

Audit entries keep the target type they were written with ("benefits.roll" before the move,
"payroll.roll" after): they are chained by HMAC and never rewritten."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = (
    "ruleset",
    "roll",
    "line",
    "stop",
    "bankexport",
    "reconciliation",
    "paymentresult",
    "recovery",
)


def _relabel(apps, schema_editor, source, target):
    content_type = apps.get_model("contenttypes", "ContentType")
    rows = content_type.objects.using(schema_editor.connection.alias)
    for model in MODELS:
        if not rows.filter(app_label=target, model=model).exists():
            rows.filter(app_label=source, model=model).update(app_label=target)


def forwards(apps, schema_editor):
    _relabel(apps, schema_editor, "benefits", "payroll")


def backwards(apps, schema_editor):
    _relabel(apps, schema_editor, "payroll", "benefits")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("benefits", "0006_rolls_to_payroll"),
        ("people", "0007_sealed_phones_and_masks"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='RuleSet',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('digest', models.CharField(max_length=64, unique=True)),
                        ('month', models.DateField()),
                        ('region', models.CharField(max_length=12)),
                        ('rules_version', models.CharField(max_length=32)),
                        ('values', models.JSONField()),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'db_table': 'benefits_ruleset',
                    },
                ),
                migrations.CreateModel(
                    name='Line',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('programme', models.CharField(choices=[('living', 'Living subsidy for disabled persons in difficulty'), ('care', 'Care subsidy for severely disabled persons')], max_length=8, verbose_name='programme')),
                        ('month', models.DateField(verbose_name='month paid for')),
                        ('kind', models.CharField(choices=[('regular', 'Monthly payment'), ('back_pay', 'Back pay'), ('adjustment', 'Adjustment')], max_length=12, verbose_name='kind')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=10, verbose_name='amount (yuan)')),
                        ('reason', models.CharField(blank=True, max_length=200, verbose_name='reason')),
                        ('account', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='benefits.paymentaccount')),
                        ('added_by', models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('person', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='people.person')),
                    ],
                    options={
                        'verbose_name': 'payment line',
                        'db_table': 'benefits_line',
                        'ordering': ['roll_id', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='Reconciliation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('file_name', models.CharField(max_length=200)),
                        ('paid', models.PositiveIntegerField()),
                        ('paid_total', models.DecimalField(decimal_places=2, max_digits=14)),
                        ('failed', models.PositiveIntegerField()),
                        ('failed_total', models.DecimalField(decimal_places=2, max_digits=14)),
                        ('agrees', models.BooleanField()),
                        ('differences', models.JSONField()),
                        ('by_name', models.CharField(max_length=150)),
                        ('at', models.DateTimeField(auto_now_add=True)),
                        ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'benefits_reconciliation',
                        'ordering': ['-at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='PaymentResult',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('paid', 'Paid'), ('failed', 'Failed')], max_length=8, verbose_name='result')),
                        ('reason', models.CharField(blank=True, max_length=200, verbose_name='reason')),
                        ('line', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='result', to='payroll.line')),
                        ('reconciliation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='payroll.reconciliation')),
                    ],
                    options={
                        'db_table': 'benefits_paymentresult',
                    },
                ),
                migrations.CreateModel(
                    name='Recovery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reason', models.CharField(max_length=200, verbose_name='reason')),
                        ('status', models.CharField(choices=[('open', 'To recover'), ('recovered', 'Recovered'), ('waived', 'Written off')], default='open', max_length=10, verbose_name='status')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('resolved_at', models.DateTimeField(blank=True, null=True)),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('line', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='recovery', to='payroll.line')),
                        ('resolved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'recovery',
                        'db_table': 'benefits_recovery',
                        'ordering': ['status', '-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='Roll',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('county', models.CharField(max_length=6, verbose_name='county')),
                        ('programme', models.CharField(choices=[('living', 'Living subsidy for disabled persons in difficulty'), ('care', 'Care subsidy for severely disabled persons')], max_length=8, verbose_name='programme')),
                        ('month', models.DateField(verbose_name='month')),
                        ('status', models.CharField(choices=[('draft', 'Draft, awaiting approval'), ('approved', 'Approved')], default='draft', max_length=8, verbose_name='status')),
                        ('line_count', models.PositiveIntegerField(default=0, verbose_name='lines')),
                        ('total', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='total (yuan)')),
                        ('stopped_count', models.PositiveIntegerField(default=0, verbose_name='stopped')),
                        ('prepared_by_name', models.CharField(max_length=150, verbose_name='prepared by')),
                        ('prepared_at', models.DateTimeField(verbose_name='prepared at')),
                        ('approved_at', models.DateTimeField(blank=True, null=True, verbose_name='approved at')),
                        ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('prepared_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'payment roll',
                        'db_table': 'benefits_roll',
                        'ordering': ['-month', 'county', 'programme'],
                    },
                ),
                migrations.AddField(
                    model_name='reconciliation',
                    name='roll',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reconciliations', to='payroll.roll'),
                ),
                migrations.AddField(
                    model_name='line',
                    name='roll',
                    field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='lines', to='payroll.roll'),
                ),
                migrations.CreateModel(
                    name='BankExport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('file_name', models.CharField(max_length=200)),
                        ('lines', models.PositiveIntegerField()),
                        ('total', models.DecimalField(decimal_places=2, max_digits=14)),
                        ('full_accounts', models.BooleanField()),
                        ('sha256', models.CharField(max_length=64)),
                        ('by_name', models.CharField(max_length=150)),
                        ('at', models.DateTimeField(auto_now_add=True)),
                        ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('roll', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='exports', to='payroll.roll')),
                    ],
                    options={
                        'db_table': 'benefits_bankexport',
                        'ordering': ['-at', '-id'],
                    },
                ),
                migrations.AddField(
                    model_name='line',
                    name='rule_set',
                    field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='payroll.ruleset'),
                ),
                migrations.CreateModel(
                    name='Stop',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('conditions', models.JSONField()),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='people.person')),
                        ('roll', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='stops', to='payroll.roll')),
                    ],
                    options={
                        'db_table': 'benefits_stop',
                        'ordering': ['roll_id', 'person_id'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='roll',
                    constraint=models.UniqueConstraint(fields=('county', 'programme', 'month'), name='benefits_one_roll'),
                ),
                migrations.AddIndex(
                    model_name='line',
                    index=models.Index(fields=['roll', 'person'], name='benefits_li_roll_id_f99dd6_idx'),
                ),
                migrations.AddIndex(
                    model_name='line',
                    index=models.Index(condition=models.Q(('kind', 'back_pay')), fields=['month', 'programme'], name='benefits_back_pay_month'),
                ),
                migrations.AddConstraint(
                    model_name='line',
                    constraint=models.UniqueConstraint(condition=models.Q(('kind', 'adjustment'), _negated=True), fields=('person', 'programme', 'month'), name='benefits_one_payment_a_month'),
                ),
                migrations.AddConstraint(
                    model_name='line',
                    constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='benefits_line_positive'),
                ),
                migrations.AddConstraint(
                    model_name='stop',
                    constraint=models.UniqueConstraint(fields=('roll', 'person'), name='benefits_one_stop_a_roll'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
