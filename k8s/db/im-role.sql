-- The PostgreSQL role and database of im-platform: a login role that owns its database and nothing else (not a
-- superuser, cannot create databases or roles). Owning the database is what the node needs: it runs its own
-- migrations into the public schema at start (PostgreSQL 15 gives that schema to the database owner).
-- Run as a superuser, connected to the database postgres; safe to run again (it then only sets the password):
--   psql "postgresql://postgres@HOST:5432/postgres" -v ON_ERROR_STOP=1 \
--     -v role=im -v database=im -v password="$IM_DB_PASSWORD" -f k8s/db/im-role.sql
SELECT format('CREATE ROLE %I', :'role')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', :'role', :'password') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'database', :'role')
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'database') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'database') \gexec
