#!/bin/sh
# One-shot schema set-up for the compose cluster (service temporal-admin-tools, image temporalio/admin-tools): creates
# the persistence and visibility databases if they are missing and brings both schemas to the versions this
# admin-tools release ships. Safe to run again: an existing database is kept, update-schema only applies what is
# missing. Connection from SQL_HOST, SQL_PORT, SQL_USER, SQL_PASSWORD, SQL_PLUGIN (read by temporal-sql-tool itself).
set -eu

schema_root=/etc/temporal/schema/postgresql/v12

tries=0
until nc -z "$SQL_HOST" "$SQL_PORT"; do
  tries=$((tries + 1))
  [ "$tries" -lt 60 ] || { echo "PostgreSQL at $SQL_HOST:$SQL_PORT did not answer" >&2; exit 1; }
  sleep 1
done

for pair in "${DBNAME:-temporal}:temporal" "${VISIBILITY_DBNAME:-temporal_visibility}:visibility"; do
  db=${pair%%:*}
  dir=${pair#*:}
  # A database that already exists is fine (a second `up`); any other problem shows in setup-schema right after.
  temporal-sql-tool --db "$db" create-database || echo "database $db: kept as it is"
  temporal-sql-tool --db "$db" setup-schema -v 0.0
  temporal-sql-tool --db "$db" update-schema -d "$schema_root/$dir/versioned"
  echo "database $db: schema up to date"
done
