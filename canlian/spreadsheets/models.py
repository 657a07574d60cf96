"""Import and export jobs: uploaded files, reports and exported files (encrypted at rest,
canlian.lib.sealedfiles) and the state of the background work on them."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from canlian.accounts.roles import Perm
from canlian.accounts.scoping import scoped
from canlian.lib.sealedfiles import sealed_storage

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor


class ImportJobQuerySet(models.QuerySet["ImportJob"]):
    def visible_to(self, user: Actor) -> ImportJobQuerySet:
        """Jobs of the user's subtree, for those who may change the registry."""
        return scoped(self, user, perm=Perm.CHANGE_PERSON, field="region", sees_all=False)


class Job(models.Model):
    """What import and export jobs share: who asked, where, when, and their progress."""

    RUNNING: ClassVar[frozenset[str]] = frozenset()

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    region = models.CharField(max_length=12)
    # Where the request came from (its audit source), given to the entries the background
    # task writes.
    source = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        abstract = True

    # Each kind of job has its own `status` field and choices.
    status: str

    @property
    def running(self) -> bool:
        return self.status in self.RUNNING

    def progress(self) -> dict[str, object]:
        """What a running job's page polls (canlian.js)."""
        return {
            "status": self.status,
            "label": str(self.get_status_display()),  # type: ignore[attr-defined]
            "running": self.running,
            "rows_done": self.rows_done,
            "rows_total": self.rows_total,
        }


class ImportJob(Job):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be checked")
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Checked, no problems: not imported yet")
        REJECTED = "rejected", _("Problems found: nothing imported")
        APPLYING = "applying", _("Importing")
        APPLIED = "applied", _("Imported")
        FAILED = "failed", _("Failed: nothing imported")

    RUNNING = frozenset({Status.QUEUED, Status.CHECKING, Status.APPLYING})

    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    filename = models.CharField(_("file"), max_length=255)
    upload = models.FileField(storage=sealed_storage, upload_to="imports/%Y/%m/", max_length=200)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    summary = models.JSONField(default=dict)
    problems = models.JSONField(default=list)  # the first problems, for the page
    changes = models.JSONField(default=list)  # the first changes, for the page
    report = models.FileField(
        storage=sealed_storage, upload_to="reports/%Y/%m/", max_length=200, blank=True
    )

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["region", "created_at"])]
        verbose_name = _("import")

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def extension(self) -> str:
        return "." + self.filename.rsplit(".", 1)[-1].lower() if "." in self.filename else ""

    def jobs_ahead(self) -> int | None:
        """How many jobs of the background worker come before this waiting check: every
        user's imports and exports uploaded or asked for earlier and still waiting, and those
        being worked on now (the worker takes them one after another). None unless waiting.
        Only a count: nothing of the other jobs is shown."""
        if self.status != self.Status.QUEUED:
            return None
        S, E = ImportJob.Status, ExportJob.Status
        imports = ImportJob.objects.filter(
            models.Q(status=S.QUEUED, created_at__lt=self.created_at)
            | models.Q(status__in=(S.CHECKING, S.APPLYING))
        ).exclude(pk=self.pk)
        exports = ExportJob.objects.filter(
            models.Q(status=E.QUEUED, created_at__lt=self.created_at) | models.Q(status=E.WRITING)
        )
        return imports.count() + exports.count()

    def waiting(self) -> str:
        """The waiting check's place in the queue, in words ("" unless waiting)."""
        ahead = self.jobs_ahead()
        if ahead is None:
            return ""
        if not ahead:
            return str(_("Waiting: this check is next."))
        return ngettext(
            "Waiting: %(n)s job is ahead of this one.",
            "Waiting: %(n)s jobs are ahead of this one.",
            ahead,
        ) % {"n": f"{ahead:,}"}

    def progress(self) -> dict[str, object]:
        """What a running job's page polls, with the place in the queue while it waits."""
        return {**super().progress(), "ahead": self.jobs_ahead(), "waiting": self.waiting()}


class ExportJobQuerySet(models.QuerySet["ExportJob"]):
    def visible_to(self, user: Actor) -> ExportJobQuerySet:
        """A user's own exports: an export is made for the one who asked, with their rights."""
        if not getattr(user, "is_authenticated", False) or not user.can(Perm.EXPORT_PERSON):
            return self.none()
        return self.filter(created_by_id=user.pk)


class ExportJob(Job):
    """A registry export too large for a web request, written by the worker."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be written")
        WRITING = "writing", _("Writing")
        DONE = "done", _("Ready to download")
        FAILED = "failed", _("Failed")

    RUNNING = frozenset({Status.QUEUED, Status.WRITING})

    created_at = models.DateTimeField(_("asked for at"), auto_now_add=True)
    filters = models.JSONField(default=dict)
    description = models.CharField(_("what"), max_length=300, blank=True)
    full = models.BooleanField(_("full values"), default=False)
    format = models.CharField(_("format"), max_length=4)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    file = models.FileField(
        storage=sealed_storage, upload_to="exports/%Y/%m/", max_length=200, blank=True
    )

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "status"])]
        verbose_name = _("export")
        constraints = [
            # One running export per person: the database keeps two requests from both
            # starting one.
            models.UniqueConstraint(
                fields=["created_by"],
                condition=models.Q(status__in=["queued", "writing"]),
                name="spreadsheets_one_running_export_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.description} ({self.get_status_display()})"


class WorkerBeat(models.Model):
    """A running background worker, seen at `seen_at` (canlian worker writes it every
    WORKER_BEAT_SECONDS and removes it when it stops): what /healthz reads."""

    name = models.CharField(max_length=100, primary_key=True)  # host and process number
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} {self.seen_at:%Y-%m-%d %H:%M:%S}"
