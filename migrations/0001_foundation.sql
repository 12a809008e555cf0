-- Foundation: accounts, users, subscriptions, refresh tokens, audit events, and the row-level
-- security that keeps every tenant's rows to itself.

-- The role request transactions switch to (SET LOCAL ROLE). Not a superuser, no BYPASSRLS,
-- cannot log in. Roles are cluster-wide, so creation tolerates a concurrent creator.
DO $$
BEGIN
    CREATE ROLE rf_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;

-- A non-superuser that runs the migrations must be able to switch to rf_app.
DO $$
BEGIN
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        EXECUTE format('GRANT rf_app TO %I', current_user);
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO rf_app;

-- The tenant of the current transaction; NULL outside a tenant transaction, which matches no row.
CREATE FUNCTION rf_current_account() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('app.account_id', true), '')::uuid $$;

CREATE TABLE accounts (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id        uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    email             text NOT NULL CHECK (email = lower(email) AND position('@' IN email) > 1),
    name              text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    role              text NOT NULL CHECK (role IN ('owner', 'admin', 'engineer', 'viewer')),
    is_super_admin    boolean NOT NULL DEFAULT false,
    email_verified_at timestamptz,
    password_hash     text,
    last_login_at     timestamptz,
    deleted_at        timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_account_id_idx ON users (account_id);

CREATE TABLE subscriptions (
    account_id  uuid PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    plan        text NOT NULL CHECK (plan IN ('free', 'pro')),
    status      text NOT NULL CHECK (status IN ('active', 'past_due', 'locked', 'canceled')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per refresh token ever minted. A login is a family: every rotation of it shares
-- family_id, so one login can be listed and revoked as a whole.
CREATE TABLE refresh_tokens (
    jti         uuid PRIMARY KEY,
    account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id   uuid NOT NULL,
    issued_at   timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    user_agent  text
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_live_account_idx ON refresh_tokens (account_id) WHERE revoked_at IS NULL;
CREATE INDEX refresh_tokens_live_user_idx ON refresh_tokens (user_id) WHERE revoked_at IS NULL;

-- Append-only for the application role: it may insert and read, never change or delete.
CREATE TABLE audit_events (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id     uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    actor_user_id  uuid REFERENCES users (id) ON DELETE SET NULL,
    event_type     text NOT NULL,
    payload        jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_events_account_idx ON audit_events (account_id, created_at DESC);

GRANT SELECT, INSERT, UPDATE ON accounts, users, subscriptions, refresh_tokens TO rf_app;
GRANT SELECT, INSERT ON audit_events TO rf_app;

-- Row-level security, enabled and forced on every tenant table.
ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON accounts
    USING (id = rf_current_account()) WITH CHECK (id = rf_current_account());

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON users
    USING (account_id = rf_current_account()) WITH CHECK (account_id = rf_current_account());

ALTER TABLE subscriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE subscriptions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON subscriptions
    USING (account_id = rf_current_account()) WITH CHECK (account_id = rf_current_account());

ALTER TABLE refresh_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE refresh_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON refresh_tokens
    USING (account_id = rf_current_account()) WITH CHECK (account_id = rf_current_account());

ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_events
    USING (account_id = rf_current_account()) WITH CHECK (account_id = rf_current_account());
