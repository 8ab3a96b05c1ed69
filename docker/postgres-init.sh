#!/bin/sh
# Creates the bridge's database beside Keycloak's, each with its own owner.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" <<SQL
CREATE ROLE bridge LOGIN PASSWORD '${BRIDGE_DB_PASSWORD}';
CREATE DATABASE bridge OWNER bridge;
SQL
