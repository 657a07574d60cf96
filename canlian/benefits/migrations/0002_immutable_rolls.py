"""The database itself keeps payment rolls immutable: a line is never changed, and neither an
approved roll nor its lines can be changed or deleted, nor can a line be added to an approved
roll (a correction is an adjustment line in a later roll). Drafts may be discarded whole.

On PostgreSQL the check of new lines runs once per statement over its new rows (a transition
table), not once per row: a month's rolls are written by COPY, a million lines at a time."""

from django.db import migrations

MESSAGE_LINE = "payment lines are immutable"
MESSAGE_ROLL = "an approved payment roll is immutable"

POSTGRES_FORBID = f"""
CREATE OR REPLACE FUNCTION benefits_line_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION '{MESSAGE_LINE}';
    END IF;
    IF EXISTS (SELECT 1 FROM benefits_roll WHERE id = OLD.roll_id AND status = 'approved') THEN
        RAISE EXCEPTION '{MESSAGE_ROLL}';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER benefits_line_immutable BEFORE UPDATE OR DELETE ON benefits_line
    FOR EACH ROW EXECUTE FUNCTION benefits_line_immutable();
CREATE OR REPLACE FUNCTION benefits_roll_immutable() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'approved' THEN
        RAISE EXCEPTION '{MESSAGE_ROLL}';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER benefits_roll_immutable BEFORE UPDATE OR DELETE ON benefits_roll
    FOR EACH ROW EXECUTE FUNCTION benefits_roll_immutable();
CREATE OR REPLACE FUNCTION benefits_line_not_into_approved() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM benefits_line_new n JOIN benefits_roll r ON r.id = n.roll_id
        WHERE r.status = 'approved'
    ) THEN
        RAISE EXCEPTION '{MESSAGE_ROLL}';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER benefits_line_not_into_approved AFTER INSERT ON benefits_line
    REFERENCING NEW TABLE AS benefits_line_new
    FOR EACH STATEMENT EXECUTE FUNCTION benefits_line_not_into_approved();
"""
POSTGRES_ALLOW = """
DROP TRIGGER IF EXISTS benefits_line_immutable ON benefits_line;
DROP TRIGGER IF EXISTS benefits_roll_immutable ON benefits_roll;
DROP TRIGGER IF EXISTS benefits_line_not_into_approved ON benefits_line;
DROP FUNCTION IF EXISTS benefits_line_immutable();
DROP FUNCTION IF EXISTS benefits_roll_immutable();
DROP FUNCTION IF EXISTS benefits_line_not_into_approved();
"""
SQLITE_FORBID = [
    "CREATE TRIGGER IF NOT EXISTS benefits_line_no_update BEFORE UPDATE ON benefits_line "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE_LINE}'); END;",
    "CREATE TRIGGER IF NOT EXISTS benefits_line_no_delete BEFORE DELETE ON benefits_line "
    "WHEN (SELECT status FROM benefits_roll WHERE id = OLD.roll_id) = 'approved' "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE_ROLL}'); END;",
    "CREATE TRIGGER IF NOT EXISTS benefits_roll_no_update BEFORE UPDATE ON benefits_roll "
    f"WHEN OLD.status = 'approved' BEGIN SELECT RAISE(ABORT, '{MESSAGE_ROLL}'); END;",
    "CREATE TRIGGER IF NOT EXISTS benefits_roll_no_delete BEFORE DELETE ON benefits_roll "
    f"WHEN OLD.status = 'approved' BEGIN SELECT RAISE(ABORT, '{MESSAGE_ROLL}'); END;",
    "CREATE TRIGGER IF NOT EXISTS benefits_line_not_into_approved BEFORE INSERT ON benefits_line "
    "WHEN (SELECT status FROM benefits_roll WHERE id = NEW.roll_id) = 'approved' "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE_ROLL}'); END;",
]
SQLITE_TRIGGERS = [
    "benefits_line_no_update",
    "benefits_line_no_delete",
    "benefits_roll_no_update",
    "benefits_roll_no_delete",
    "benefits_line_not_into_approved",
]


def forbid(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORBID)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FORBID:
            schema_editor.execute(statement)


def allow(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_ALLOW)
    elif schema_editor.connection.vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("benefits", "0001_payments")]
    operations = [migrations.RunPython(forbid, allow)]
