-- Session policy (seed: session-expiration commit 1): per-account overrides of the idle and
-- absolute session windows, in minutes. NULL means "use the system default". The app validates
-- bounds and the effective idle <= absolute; the database can only see the case where both are set.
ALTER TABLE accounts
    ADD COLUMN session_idle_minutes integer CHECK (session_idle_minutes > 0),
    ADD COLUMN session_absolute_minutes integer CHECK (session_absolute_minutes > 0),
    ADD CONSTRAINT accounts_session_idle_le_absolute CHECK (
        session_idle_minutes IS NULL
        OR session_absolute_minutes IS NULL
        OR session_idle_minutes <= session_absolute_minutes
    );

-- When a refresh token was rotated (consumed by a successful or failed refresh), and why it was
-- revoked otherwise. Lets refresh tell a concurrent rotation from a replay.
ALTER TABLE refresh_tokens
    ADD COLUMN rotated_at timestamptz,
    ADD COLUMN revoked_reason text;

-- Sign-in has no tenant yet: these two narrow functions are the only reads that cross tenants,
-- and each returns just what authentication needs. They run as their owner (SECURITY DEFINER)
-- with a pinned search_path.
CREATE FUNCTION rf_login_lookup(p_email text)
    RETURNS TABLE (user_id uuid, account_id uuid, password_hash text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
        SELECT id, account_id, password_hash FROM users
        WHERE email = lower(btrim(p_email)) AND deleted_at IS NULL
    $$;

CREATE FUNCTION rf_user_account(p_user_id uuid)
    RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT account_id FROM users WHERE id = p_user_id AND deleted_at IS NULL $$;

REVOKE ALL ON FUNCTION rf_login_lookup(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION rf_user_account(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rf_login_lookup(text) TO rf_app;
GRANT EXECUTE ON FUNCTION rf_user_account(uuid) TO rf_app;
