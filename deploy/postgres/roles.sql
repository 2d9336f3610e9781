-- The role and database of one aggregator node. Run as a superuser
-- (psql -U postgres -f roles.sql), once per node: the leader and the
-- helper never share a database, and should not share a server.
--
-- The service connects as infermargin_leader and creates its own
-- tables when it starts (it runs its migrations). Row-level security
-- keeps one company's rows from another's only because this role is
-- neither a superuser nor BYPASSRLS: the store refuses to start as a
-- role that is either.

-- Set the password from a secret store, not in this file:
--   psql -U postgres -v pw="$(vault kv get -field=pw secret/im/db)" \
--        -f roles.sql
CREATE ROLE infermargin_leader
	LOGIN
	NOSUPERUSER
	NOBYPASSRLS
	NOCREATEDB
	NOCREATEROLE
	NOREPLICATION
	PASSWORD :'pw';

CREATE DATABASE infermargin_leader OWNER infermargin_leader;

-- Nobody else may connect, or create objects in the public schema.
REVOKE ALL ON DATABASE infermargin_leader FROM PUBLIC;

\connect infermargin_leader
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT CREATE, USAGE ON SCHEMA public TO infermargin_leader;
