-- Suggested fixes on a troubleshooting session and what became of them, and the note a
-- session is resolved with.

CREATE TABLE suggested_fixes (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id     uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    session_id     uuid NOT NULL REFERENCES troubleshooting_sessions (id) ON DELETE CASCADE,
    title          text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 500),
    details        text CHECK (details IS NULL OR length(details) <= 4000),
    suggested_by   uuid REFERENCES users (id),
    status         text NOT NULL DEFAULT 'suggested'
                   CHECK (status IN ('suggested', 'applied_verifying', 'applied_success', 'applied_failed',
                                     'applied_partial', 'dismissed')),
    partial_notes  text,
    outcome_notes  text,
    applied_at     timestamptz,
    verified_at    timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    -- A partial outcome always says what is still wrong.
    CHECK (status <> 'applied_partial' OR length(btrim(partial_notes)) > 0)
);
CREATE INDEX suggested_fixes_session_idx ON suggested_fixes (session_id, created_at);

ALTER TABLE troubleshooting_sessions ADD COLUMN resolution_note text,
    ADD COLUMN resolved_at timestamptz;

GRANT SELECT, INSERT, UPDATE ON suggested_fixes TO rf_app;
ALTER TABLE suggested_fixes ENABLE ROW LEVEL SECURITY;
ALTER TABLE suggested_fixes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON suggested_fixes USING (account_id = rf_current_account())
    WITH CHECK (account_id = rf_current_account());
