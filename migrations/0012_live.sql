-- Live collaboration (CONTRACT §10, docs/ARCHITECTURE.md "The live stream").

-- Who an event is for: NULL is every member of the account who works the queue (an
-- escalation waiting for a senior); otherwise the users listed (a session's owner and claimer).
-- The stream and its replay both filter by it.
ALTER TABLE escalation_events ADD COLUMN audience uuid[];

-- Whatever ends a login, or changes what a member may do, is announced on one channel, so an
-- open stream in any process hears it at once. The database says it, not each code path that
-- revokes: a new way to end a login cannot forget to.
--   login:<family>:<user>:<reason>   a login ended (not a rotation)
--   user:<user>                      a member's role or standing changed
--   account:<account>                an account's plan changed

CREATE FUNCTION rf_announce_logins_ended() RETURNS trigger
    LANGUAGE plpgsql SET search_path = public, pg_temp
    AS $$
    BEGIN
        -- pg_notify folds identical payloads within a transaction: one per login.
        PERFORM pg_notify('rf_access_changes',
                          format('login:%s:%s:%s', n.family_id, n.user_id, n.revoked_reason))
        FROM new_rows n JOIN old_rows o USING (jti)
        WHERE o.revoked_at IS NULL AND n.revoked_at IS NOT NULL
          AND n.revoked_reason IS DISTINCT FROM 'rotated';
        RETURN NULL;
    END
    $$;

CREATE TRIGGER refresh_tokens_announce_ended
    AFTER UPDATE ON refresh_tokens
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rf_announce_logins_ended();

-- One function for both: TG_ARGV holds the payload's word and the column naming whom it is about.
CREATE FUNCTION rf_announce_access_changed() RETURNS trigger
    LANGUAGE plpgsql SET search_path = public, pg_temp
    AS $$
    BEGIN
        PERFORM pg_notify('rf_access_changes',
                          format('%s:%s', TG_ARGV[0], to_jsonb(NEW) ->> TG_ARGV[1]));
        RETURN NULL;
    END
    $$;

CREATE TRIGGER users_announce_changed
    AFTER UPDATE ON users
    FOR EACH ROW
    WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.active IS DISTINCT FROM NEW.active)
    EXECUTE FUNCTION rf_announce_access_changed('user', 'id');

CREATE TRIGGER subscriptions_announce_changed
    AFTER UPDATE ON subscriptions
    FOR EACH ROW
    WHEN (OLD.plan IS DISTINCT FROM NEW.plan OR OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION rf_announce_access_changed('account', 'account_id');
