-- Exposed to the internet (docs/SECURITY.md): the application role writes only the columns it
-- needs, a password is set only by redeeming a reset link, sign-in attempts are counted in the
-- database for every server process, and old rows are pruned.

-- Table-wide UPDATE let a request change anyone's role, `is_super_admin` or password hash in
-- its tenant. Now: only the columns the product writes; the password through
-- rf_redeem_password_reset below; subscriptions not at all (plans change outside requests).
REVOKE UPDATE ON accounts, users, subscriptions FROM rf_app;
GRANT UPDATE (name, session_idle_minutes, session_absolute_minutes, updated_at) ON accounts TO rf_app;
GRANT UPDATE (name, last_login_at, updated_at) ON users TO rf_app;
-- A new user is never a site admin: that is `create-site-admin`'s, through ADMIN_DATABASE_URL.
REVOKE INSERT ON users FROM rf_app;
GRANT INSERT (id, account_id, email, name, role, email_verified_at, password_hash, created_at,
    updated_at) ON users TO rf_app;

-- Redeems a reset link of the current tenant and sets the user's password in one statement's
-- worth of locking: the link must be unused and unexpired, and every other open link of the
-- same user ends with it. Returns the user, or NULL when the link is unusable.
CREATE FUNCTION rf_redeem_password_reset(p_token_hash text, p_password_hash text, p_now timestamptz)
    RETURNS uuid
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
DECLARE
    v_user uuid;
BEGIN
    UPDATE password_reset_tokens SET used_at = p_now
        WHERE token_hash = p_token_hash AND used_at IS NULL AND expires_at > p_now
          AND account_id = rf_current_account()
        RETURNING user_id INTO v_user;
    IF v_user IS NULL THEN
        RETURN NULL;
    END IF;
    UPDATE password_reset_tokens SET used_at = p_now WHERE user_id = v_user AND used_at IS NULL;
    UPDATE users SET password_hash = p_password_hash,
                     email_verified_at = coalesce(email_verified_at, p_now),
                     updated_at = p_now
        WHERE id = v_user AND deleted_at IS NULL;
    RETURN v_user;
END
$$;
REVOKE ALL ON FUNCTION rf_redeem_password_reset(text, text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rf_redeem_password_reset(text, text, timestamptz) TO rf_app;

-- Sign-in attempts per key (an e-mail, an address, or both; each stored as its SHA-256, so a
-- key is never longer than 64 characters and holds no address or e-mail in the clear), in a
-- fixed window. Not tenant data, and not readable by the application role at all: only
-- rf_sign_in_attempt, rf_sign_in_give_back and rf_prune touch it.
CREATE TABLE sign_in_attempts (
    key           text PRIMARY KEY CHECK (key ~ '^[0-9a-f]{64}$'),
    window_start  timestamptz NOT NULL,
    attempts      integer NOT NULL
);

-- Counts one attempt against each of `p_keys` before the password is checked, so a burst of
-- parallel guesses cannot pass a limit: when any key already has its `p_limits` attempts in
-- the window, nothing is counted and the answer is the seconds until that key opens again;
-- otherwise every key counts one more and the answer is 0. The rows are locked in key order,
-- so concurrent attempts on the same keys queue instead of deadlocking.
CREATE FUNCTION rf_sign_in_attempt(p_keys text[], p_limits integer[], p_window_seconds integer,
                                   p_now timestamptz)
    RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
DECLARE
    v_window interval := make_interval(secs => p_window_seconds);
    v_wait integer := 0;
    v_row record;
BEGIN
    INSERT INTO sign_in_attempts (key, window_start, attempts)
        SELECT k, p_now, 0 FROM unnest(p_keys) AS k ORDER BY k
        ON CONFLICT (key) DO NOTHING;
    FOR v_row IN
        SELECT a.window_start, a.attempts, l.max_attempts
        FROM sign_in_attempts a JOIN unnest(p_keys, p_limits) AS l(key, max_attempts) USING (key)
        ORDER BY a.key
        FOR UPDATE OF a
    LOOP
        IF v_row.window_start + v_window > p_now AND v_row.attempts >= v_row.max_attempts THEN
            v_wait := greatest(v_wait,
                ceil(extract(epoch FROM v_row.window_start + v_window - p_now))::integer, 1);
        END IF;
    END LOOP;
    IF v_wait > 0 THEN
        RETURN v_wait;
    END IF;
    UPDATE sign_in_attempts
        SET window_start = CASE WHEN window_start + v_window <= p_now THEN p_now ELSE window_start END,
            attempts = CASE WHEN window_start + v_window <= p_now THEN 1 ELSE attempts + 1 END
        WHERE key = ANY (p_keys);
    RETURN 0;
END
$$;

-- An attempt that was no guess (the sign-in succeeded, or its password was never checked)
-- is given back on `p_refund`; `p_clear` (after a success: the member's own failures from
-- that address) start again from none.
CREATE FUNCTION rf_sign_in_give_back(p_refund text[], p_clear text[])
    RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
        UPDATE sign_in_attempts SET attempts = greatest(attempts - 1, 0) WHERE key = ANY (p_refund);
        UPDATE sign_in_attempts SET attempts = 0 WHERE key = ANY (p_clear);
    $$;

REVOKE ALL ON FUNCTION rf_sign_in_attempt(text[], integer[], integer, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION rf_sign_in_give_back(text[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rf_sign_in_attempt(text[], integer[], integer, timestamptz) TO rf_app;
GRANT EXECUTE ON FUNCTION rf_sign_in_give_back(text[], text[]) TO rf_app;

-- What no request needs any more, across every tenant: sign-in windows that ended, refresh
-- tokens a day past their expiry (an expired token is refused before its row is read), reset
-- links a day past theirs. Each server process calls it now and then; a second call at the
-- same time finds nothing left to delete.
CREATE FUNCTION rf_prune(p_now timestamptz, p_window_seconds integer)
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
    RETURN v_count + v_n;
END
$$;
REVOKE ALL ON FUNCTION rf_prune(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rf_prune(timestamptz, integer) TO rf_app;
