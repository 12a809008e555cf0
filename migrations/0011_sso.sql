-- Single sign-on (docs/API.md §12, docs/SECURITY.md "Single sign-on").

-- The `state` of every sign-on attempt that reached its callback, hashed, until the attempt
-- would have expired anyway: a state works once. No tenant owns an attempt, so only the definer
-- functions below touch the table.
CREATE TABLE sso_spent_states (
    state_hash  text PRIMARY KEY CHECK (state_hash ~ '^[0-9a-f]{64}$'),
    expires_at  timestamptz NOT NULL
);

-- Spends a state: true the first time, false for every later use.
CREATE FUNCTION rf_spend_sso_state(p_state_hash text, p_expires_at timestamptz)
    RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
BEGIN
    INSERT INTO sso_spent_states (state_hash, expires_at) VALUES (p_state_hash, p_expires_at)
        ON CONFLICT (state_hash) DO NOTHING;
    RETURN FOUND;
END
$$;
REVOKE ALL ON FUNCTION rf_spend_sso_state(text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rf_spend_sso_state(text, timestamptz) TO rf_app;

-- Pruning now also forgets spent states and used or lapsed verification links.
CREATE OR REPLACE FUNCTION rf_prune(p_now timestamptz, p_window_seconds integer)
    RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
DECLARE
    v_count bigint := 0;
    v_n bigint;
BEGIN
    DELETE FROM sign_in_attempts
        WHERE window_start + make_interval(secs => p_window_seconds) <= p_now;
    GET DIAGNOSTICS v_n = ROW_COUNT;
    v_count := v_count + v_n;
    DELETE FROM refresh_tokens WHERE expires_at < p_now - interval '1 day';
    GET DIAGNOSTICS v_n = ROW_COUNT;
    v_count := v_count + v_n;
    DELETE FROM password_reset_tokens WHERE expires_at < p_now - interval '1 day';
    GET DIAGNOSTICS v_n = ROW_COUNT;
    v_count := v_count + v_n;
    DELETE FROM email_verifications WHERE expires_at < p_now - interval '1 day';
    GET DIAGNOSTICS v_n = ROW_COUNT;
    v_count := v_count + v_n;
    DELETE FROM sso_spent_states WHERE expires_at < p_now;
    GET DIAGNOSTICS v_n = ROW_COUNT;
    RETURN v_count + v_n;
END
$$;
