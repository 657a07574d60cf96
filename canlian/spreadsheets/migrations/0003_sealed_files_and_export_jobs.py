"""Uploads and reports move out of the database into encrypted files (canlian.lib.sealedfiles);
export jobs for registry exports too large for a web request."""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import migrations, models

import canlian.lib.sealedfiles


def files_out_of_the_database(apps, schema_editor):
    ImportJob = apps.get_model("spreadsheets", "ImportJob")
    storage = canlian.lib.sealedfiles.sealed_storage
    for job in ImportJob.objects.all().iterator(chunk_size=50):
        job.upload = storage.save(f"imports/{job.pk}{_extension(job.filename)}",
                                  ContentFile(bytes(job.content)))  # fmt: skip
        if job.old_report:
            job.report = storage.save(f"reports/{job.pk}.xlsx", ContentFile(bytes(job.old_report)))
        job.save(update_fields=["upload", "report"])


def _extension(filename):
    return "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


class Migration(migrations.Migration):
    dependencies = [
        ("spreadsheets", "0002_importjob_source"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(model_name="importjob", old_name="report", new_name="old_report"),
        migrations.AddField(
            model_name="importjob",
            name="upload",
            field=models.FileField(
                default="", max_length=200, storage=canlian.lib.sealedfiles.sealed_storage,
                upload_to="imports/%Y/%m/",
            ),  # fmt: skip
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="importjob",
            name="report",
            field=models.FileField(
                blank=True, max_length=200, storage=canlian.lib.sealedfiles.sealed_storage,
                upload_to="reports/%Y/%m/",
            ),  # fmt: skip
        ),
        # Not reversible: going back would drop the files with nothing to restore.
        migrations.RunPython(files_out_of_the_database, elidable=True),
        migrations.RemoveField(model_name="importjob", name="content"),
        migrations.RemoveField(model_name="importjob", name="old_report"),
        migrations.CreateModel(
            name="ExportJob",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True,
                                        serialize=False)),  # fmt: skip
                ("region", models.CharField(max_length=12)),
                ("source", models.CharField(blank=True, max_length=64)),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="asked for at")),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("filters", models.JSONField(default=dict)),
                ("description", models.CharField(blank=True, max_length=300, verbose_name="what")),
                ("full", models.BooleanField(default=False, verbose_name="full values")),
                ("format", models.CharField(max_length=4, verbose_name="format")),
                ("status", models.CharField(
                    choices=[("queued", "Waiting to be written"), ("writing", "Writing"),
                             ("done", "Ready to download"), ("failed", "Failed")],
                    default="queued", max_length=16, verbose_name="status",
                )),  # fmt: skip
                ("rows_total", models.PositiveIntegerField(blank=True, null=True)),
                ("rows_done", models.PositiveIntegerField(default=0)),
                ("file", models.FileField(
                    blank=True, max_length=200, storage=canlian.lib.sealedfiles.sealed_storage,
                    upload_to="exports/%Y/%m/",
                )),  # fmt: skip
                ("error", models.TextField(blank=True)),
                ("created_by", models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT, related_name="+",
                    to=settings.AUTH_USER_MODEL,
                )),  # fmt: skip
            ],
            options={"verbose_name": "export", "ordering": ["-created_at"]},
        ),
        migrations.AddIndex(
            model_name="exportjob",
            index=models.Index(fields=["created_by", "status"], name="spreadsheet_created_ef888e_idx"),
        ),
        migrations.AddConstraint(
            model_name="exportjob",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["queued", "writing"])),
                fields=("created_by",), name="spreadsheets_one_running_export_per_user",
            ),  # fmt: skip
        ),
    ]
