-- A process's bus listener that lost its connection to PostgreSQL heard none of the NOTIFYs
-- sent meanwhile (docs/ARCHITECTURE.md, "The live stream"). Once listening again, it loads the
-- events stored after the last one it had, from every account; then each under its own
-- account's row-level security, as it loads an announced one. These two narrow functions are
-- the only cross-tenant reads the bus makes, and they return ids only.
CREATE FUNCTION rf_last_event_id()
    RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT coalesce(max(id), 0) FROM escalation_events $$;

CREATE FUNCTION rf_events_after(p_after bigint)
    RETURNS TABLE (account_id uuid, id bigint)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT account_id, id FROM escalation_events WHERE id > p_after ORDER BY id $$;

REVOKE ALL ON FUNCTION rf_last_event_id() FROM PUBLIC;
REVOKE ALL ON FUNCTION rf_events_after(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rf_last_event_id() TO rf_app;
GRANT EXECUTE ON FUNCTION rf_events_after(bigint) TO rf_app;
