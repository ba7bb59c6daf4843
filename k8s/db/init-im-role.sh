#!/bin/sh
# Run by the postgres image's entrypoint once, when it initialises an empty data directory (k8s/overlays/dev):
# creates the im role and database before the server accepts TCP connections, so nodes never see it half made.
psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
  -v role=im -v database=im -v password="$IM_DB_PASSWORD" -f /im-db-init/im-role.sql
