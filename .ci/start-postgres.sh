#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the test suite and prints the URL to use as
# HOLDFAST_TEST_POSTGRES_URL. Usage: eval "$(bash .ci/start-postgres.sh DIR)"; stop it with
# `pg_ctl -D DIR/data -m fast -w stop`. Runs as root without systemd.
set -euo pipefail
dir=${1:?usage: start-postgres.sh DIR}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
port=${HOLDFAST_TEST_PG_PORT:-55432}
data=$dir/data
mkdir -p "$dir"
rm -rf "$data"
mkdir -p "$data"
chown -R postgres:postgres "$dir"
runuser -u postgres -- "$bin/initdb" -D "$data" -U postgres --auth-local=trust \
  --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
runuser -u postgres -- "$bin/pg_ctl" -D "$data" -l "$data/server.log" \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
  -w start >/dev/null
runuser -u postgres -- "$bin/psql" -h "$data" -p "$port" -U postgres -q \
  -c "CREATE ROLE holdfast LOGIN PASSWORD 'holdfast' CREATEDB" \
  -c "CREATE DATABASE holdfast OWNER holdfast" >/dev/null
echo "export HOLDFAST_TEST_POSTGRES_URL=postgres://holdfast:holdfast@127.0.0.1:$port/holdfast"
echo "export HOLDFAST_TEST_PG_STOP='runuser -u postgres -- $bin/pg_ctl -D $data -m fast -w stop'"
