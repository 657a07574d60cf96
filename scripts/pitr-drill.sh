#!/usr/bin/env bash
# Point-in-time restore drill (docs/operations.md, "Backups and restore"): on a throwaway
# PostgreSQL cluster of its own (initdb under /tmp, port 5439; never the server on 5432), with
# WAL archiving on: load a small demo, take a base backup, make a change, note the time, make
# another change, restore the base backup to that time from the archive, and check that the
# first change is there, the second is not, and the audit chain verifies; then run
# `canlian backup-check` on the restored database. Prints its figures
# as a Markdown block for bench/RESULTS.md. The cluster and its files are removed at the end.
#
#   scripts/pitr-drill.sh [PERSONS]        (default 2000 demo persons)
set -euo pipefail
cd "$(dirname "$0")/.."
PERSONS="${1:-2000}"
PORT="${PITR_PORT:-5439}"
PGBIN="${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}"
CANLIAN="$PWD/.venv/bin/canlian"
DIR="$(mktemp -d /tmp/canlian-pitr-XXXXXX)"
chmod 755 "$DIR"
DB="canlian_backup_pitr"

# initdb refuses to run as root: the cluster belongs to the postgres account then.
if [[ $(id -u) -eq 0 ]]; then
  OWNER=postgres
  as_owner() { runuser -u "$OWNER" -- "$@"; }
else
  OWNER="$(id -un)"
  as_owner() { "$@"; }
fi
mkdir -p "$DIR/archive" "$DIR/keys"
chown "$OWNER" "$DIR" "$DIR/archive"

stop_all() {
  for data in "$DIR/data" "$DIR/restored"; do
    [[ -f "$data/postmaster.pid" ]] && as_owner "$PGBIN/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true
  done
  rm -rf "$DIR"
}
trap stop_all EXIT

now() { date +%s.%N; }
seconds() { python3 -c "print(f'{$2 - $1:.1f}')"; }
mb() { du -sb "$1" | awk '{printf "%.1f MB", $1 / 1000000}'; }
sql() { psql -h "$DIR" -p "$PORT" -U postgres -d "$DB" -Atq -c "$1"; }

echo "== cluster: $DIR (port $PORT, $("$PGBIN/postgres" --version))"
as_owner "$PGBIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
cat >>"$DIR/data/postgresql.conf" <<EOF
port = $PORT
listen_addresses = ''
unix_socket_directories = '$DIR'
wal_level = replica
archive_mode = on
archive_command = 'test ! -f $DIR/archive/%f && cp %p $DIR/archive/%f'
archive_timeout = 60
EOF
as_owner "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/data.log" -w start >/dev/null
psql -h "$DIR" -p "$PORT" -U postgres -d postgres -qc "CREATE DATABASE $DB"

export DATABASE_URL="postgres://postgres@/$DB?host=$DIR&port=$PORT"
export CANLIAN_KEY_DIR="$DIR/keys" DEBUG=False SECRET_KEY="pitr-drill-$(python3 -c 'import secrets; print(secrets.token_urlsafe(40))')"
export TASKS_BACKEND=immediate LOG_LEVEL=ERROR
"$CANLIAN" create-keys >/dev/null
t0=$(now)
"$CANLIAN" migrate --verbosity 0
"$CANLIAN" demo --persons "$PERSONS" >/dev/null
t_demo=$(seconds "$t0" "$(now)")
persons_demo=$(sql "SELECT count(*) FROM people_person")
echo "== demo: $persons_demo persons in ${t_demo} s"

t0=$(now)
as_owner "$PGBIN/pg_basebackup" -h "$DIR" -p "$PORT" -U postgres -D "$DIR/base" -X stream -c fast
t_base=$(seconds "$t0" "$(now)")
size_base=$(mb "$DIR/base")
echo "== base backup: $size_base in ${t_base} s"

# A change before the noted time and one after: one person renamed each time, with an audit
# entry in the same transaction.
rename() {
  "$CANLIAN" shell -c "
from django.db import transaction
from canlian.audit import records
from canlian.people.models import Person
with transaction.atomic():
    person = Person.objects.order_by('id')[$1]
    Person.objects.filter(pk=person.pk).update(name='$2')
    records.record(acting_user=None, action='pitr.drill', target=person, detail={'name': '$2'})
print(person.pk)" | tail -n 1
}
before_id=$(rename 0 演练前改名)
sleep 2
target=$(sql "SELECT now()")
entries_at_target=$(sql "SELECT count(*) FROM audit_entry")
sleep 2
after_id=$(rename 1 演练后改名)
sql "SELECT pg_switch_wal()" >/dev/null
# Wait until the segment holding the second change is archived.
for _ in $(seq 60); do
  archived=$(sql "SELECT last_archived_wal FROM pg_stat_archiver")
  current=$(sql "SELECT pg_walfile_name(pg_current_wal_lsn())")
  [[ -n "$archived" && "$archived" < "$current" ]] || [[ "$archived" == "$current" ]] && break
  sleep 1
done
wal_files=$(ls "$DIR/archive" | wc -l)
size_wal=$(mb "$DIR/archive")
echo "== noted time $target; archive: $wal_files WAL files, $size_wal"

# The loss: the cluster is stopped and set aside; the base backup is restored to the time.
as_owner "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null
t0=$(now)
as_owner cp -a "$DIR/base" "$DIR/restored"
cat >>"$DIR/restored/postgresql.auto.conf" <<EOF
restore_command = 'cp $DIR/archive/%f %p'
recovery_target_time = '$target'
recovery_target_action = 'promote'
archive_mode = off
EOF
as_owner touch "$DIR/restored/recovery.signal"
as_owner "$PGBIN/pg_ctl" -D "$DIR/restored" -l "$DIR/restored.log" -w -t 600 start >/dev/null
for _ in $(seq 600); do
  [[ $(sql "SELECT pg_is_in_recovery()") == f ]] && break
  sleep 0.2
done
t_restore=$(seconds "$t0" "$(now)")
echo "== restored to $target in ${t_restore} s"

name_before=$(sql "SELECT name FROM people_person WHERE id = $before_id")
name_after=$(sql "SELECT name FROM people_person WHERE id = $after_id")
entries=$(sql "SELECT count(*) FROM audit_entry")
verify=$("$CANLIAN" audit_verify --checkpoints /dev/null 2>&1 | head -n 1 || true)
ok=yes
[[ "$name_before" == 演练前改名 ]] || { echo "FAIL: the change before the time is missing ($name_before)"; ok=no; }
[[ "$name_after" != 演练后改名 ]] || { echo "FAIL: the change after the time is there"; ok=no; }
[[ "$entries" == "$entries_at_target" ]] || { echo "FAIL: $entries audit entries, $entries_at_target at the time"; ok=no; }
[[ "$verify" == *'"broken_at": null'* ]] || { echo "FAIL: audit chain: $verify"; ok=no; }

# The restored database passes the daily check too: dumped, restored again, compared.
check_rc=0
check=$("$CANLIAN" backup-check --output "$DIR/check.dump" 2>&1) || check_rc=$?
echo "$check"
((check_rc == 0)) || { echo "FAIL: canlian backup-check exit $check_rc"; ok=no; }

cat <<EOF

## Point-in-time restore drill (PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}'))

- date: $(date -u '+%Y-%m-%d %H:%M UTC')
- machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB, $(python3 --version)
- \`scripts/pitr-drill.sh $PERSONS\`: a cluster of its own (initdb, port $PORT, wal_level=replica, archive_mode=on)
- demo load (migrate + \`canlian demo --persons $PERSONS\`): $persons_demo persons, ${t_demo} s
- base backup (\`pg_basebackup -X stream -c fast\`): $size_base, ${t_base} s
- WAL archived by the end: $wal_files files, $size_wal
- restore to the noted time (copy of the base backup, replay of the archive, promotion): ${t_restore} s
- after the restore: the change before the time there ($name_before), the change after it not ($name_after), $entries audit entries as at the time, audit chain $( [[ "$verify" == *'"broken_at": null'* ]] && echo verified || echo BROKEN)
- \`canlian backup-check\` on the restored database: $(echo "$check" | tail -n 2 | tr '\n' ' ')
- result: $( [[ $ok == yes ]] && echo passed || echo FAILED)
EOF
[[ $ok == yes ]]
