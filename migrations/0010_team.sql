-- The team (docs/API.md §12): members who can be deactivated and come back, invitations by
-- e-mail, e-mail verification links, and the single sign-on identities a member signs in with.

-- A deactivated member keeps their row, their sessions, messages and handoffs, but no longer
-- signs in, refreshes, calls the API or gets notifications. `active` is that one rule, kept
-- by the database: every query that means "a member who is here" says `active`.
ALTER TABLE users ADD COLUMN deactivated_at timestamptz;
ALTER TABLE users ADD COLUMN active boolean
    GENERATED ALWAYS AS (deleted_at IS NULL AND deactivated_at IS NULL) STORED;
CREATE INDEX users_active_role_idx ON users (account_id, role) WHERE active;

-- Owners and admins change roles and (de)activate members; the rules are in domain::team, and
-- every such change first locks its account's row so that two of them run one after the other.
GRANT UPDATE (role, deactivated_at) ON users TO rf_app;

CREATE OR REPLACE FUNCTION rf_login_lookup(p_email text)
    RETURNS TABLE (user_id uuid, account_id uuid, password_hash text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
        SELECT id, account_id, password_hash FROM users
        WHERE email = lower(btrim(p_email)) AND active
    $$;

-- Whether any user anywhere has this address (e-mail addresses are unique across accounts):
-- sign-up and invitations refuse a taken one up front rather than on the unique index.
CREATE FUNCTION rf_email_taken(p_email text)
    RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT EXISTS (SELECT 1 FROM users WHERE email = lower(btrim(p_email))) $$;
REVOKE ALL ON FUNCTION rf_email_taken(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rf_email_taken(text) TO rf_app;

CREATE TABLE invitations (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id        uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    email             text NOT NULL CHECK (email = lower(email) AND position('@' IN email) > 1),
    role              text NOT NULL CHECK (role IN ('owner', 'admin', 'engineer', 'viewer')),
    invited_by        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash        text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    created_at        timestamptz NOT NULL,
    expires_at        timestamptz NOT NULL,
    accepted_at       timestamptz,
    accepted_user_id  uuid REFERENCES users (id) ON DELETE SET NULL,
    -- Revoked by an owner or admin, or (set to its expiry) when a lapsed one gives way to a new
    -- invitation of the same address.
    revoked_at        timestamptz
);
-- One open invitation per address and account: a second is refused while the first is open.
CREATE UNIQUE INDEX invitations_open_email_key ON invitations (account_id, email)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;

GRANT SELECT, INSERT ON invitations TO rf_app;
GRANT UPDATE (accepted_at, accepted_user_id, revoked_at) ON invitations TO rf_app;
ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON invitations USING (account_id = rf_current_account())
    WITH CHECK (account_id = rf_current_account());

-- An invitation link is opened before anyone is signed in: which account its token belongs
-- to, and nothing more (like rf_reset_token_account).
CREATE FUNCTION rf_invitation_account(p_token_hash text)
    RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT account_id FROM invitations WHERE token_hash = p_token_hash $$;
REVOKE ALL ON FUNCTION rf_invitation_account(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rf_invitation_account(text) TO rf_app;

CREATE TABLE email_verifications (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash  text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL
);
GRANT SELECT, INSERT ON email_verifications TO rf_app;
ALTER TABLE email_verifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE email_verifications FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON email_verifications USING (account_id = rf_current_account())
    WITH CHECK (account_id = rf_current_account());

-- Verifies an address with its link, by anyone holding it: once, before it expires, for a
-- member still here. Returns the user, or NULL when the link is unusable.
CREATE FUNCTION rf_verify_email(p_token_hash text, p_now timestamptz)
    RETURNS uuid
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
DECLARE
    v_user uuid;
BEGIN
    UPDATE email_verifications v SET used_at = p_now
        FROM users u
        WHERE v.token_hash = p_token_hash AND v.used_at IS NULL AND v.expires_at > p_now
          AND u.id = v.user_id AND u.active
        RETURNING v.user_id INTO v_user;
    IF v_user IS NOT NULL THEN
        UPDATE users SET email_verified_at = coalesce(email_verified_at, p_now), updated_at = p_now
            WHERE id = v_user;
    END IF;
    RETURN v_user;
END
$$;
REVOKE ALL ON FUNCTION rf_verify_email(text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rf_verify_email(text, timestamptz) TO rf_app;

-- How a member signs in besides a password: one row per provider account (the ID token's
-- `sub`, unique per issuer), linked when they first sign in with it.
CREATE TABLE user_identities (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider    text NOT NULL CHECK (provider IN ('microsoft', 'google')),
    subject     text NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
    created_at  timestamptz NOT NULL,
    UNIQUE (provider, subject),
    UNIQUE (user_id, provider)
);
GRANT SELECT, INSERT ON user_identities TO rf_app;
ALTER TABLE user_identities ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_identities FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON user_identities USING (account_id = rf_current_account())
    WITH CHECK (account_id = rf_current_account());
