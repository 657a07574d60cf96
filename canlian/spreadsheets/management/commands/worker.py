"""`canlian worker`: run background tasks (imports) from the database queue."""

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    help = "Run queued background tasks (spreadsheet imports). Stop with Ctrl-C."
