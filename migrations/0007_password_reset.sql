-- Password reset: single-use tokens with an expiry, stored only as their SHA-256.

CREATE TABLE password_reset_tokens (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash  text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX password_reset_tokens_user_idx ON password_reset_tokens (user_id);

GRANT SELECT, INSERT, UPDATE ON password_reset_tokens TO rf_app;
ALTER TABLE password_reset_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE password_reset_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON password_reset_tokens USING (account_id = rf_current_account())
    WITH CHECK (account_id = rf_current_account());

-- Redeeming a link happens before anyone is signed in: which account a token belongs to, and
-- nothing more (like rf_login_lookup).
CREATE FUNCTION rf_reset_token_account(p_token_hash text)
    RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT account_id FROM password_reset_tokens WHERE token_hash = p_token_hash $$;
REVOKE ALL ON FUNCTION rf_reset_token_account(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rf_reset_token_account(text) TO rf_app;
