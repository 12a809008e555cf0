-- Troubleshooting sessions, their steps and chat, escalation handoffs, notifications, outbound
-- mail, chat webhooks, and the stored event log behind the live stream. Every table is a tenant
-- table with row-level security enabled and forced.

CREATE TABLE troubleshooting_sessions (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id         uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id            uuid NOT NULL REFERENCES users (id),
    problem_summary    text NOT NULL CHECK (length(btrim(problem_summary)) BETWEEN 1 AND 2000),
    psa_ticket_id      text CHECK (psa_ticket_id IS NULL OR length(psa_ticket_id) BETWEEN 1 AND 64),
    status             text NOT NULL DEFAULT 'active'
                       CHECK (status IN ('active', 'requesting_escalation', 'escalated', 'parked', 'resolved')),
    escalation_reason  text,
    escalated_to_id    uuid REFERENCES users (id),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX troubleshooting_sessions_user_idx ON troubleshooting_sessions (account_id, user_id, updated_at DESC);
CREATE INDEX troubleshooting_sessions_escalated_to_idx ON troubleshooting_sessions (escalated_to_id) WHERE escalated_to_id IS NOT NULL;

-- What the engineer tried, in order, and how it went.
CREATE TABLE session_steps (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    session_id  uuid NOT NULL REFERENCES troubleshooting_sessions (id) ON DELETE CASCADE,
    position    integer NOT NULL,
    action      text NOT NULL CHECK (length(btrim(action)) BETWEEN 1 AND 2000),
    outcome     text NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'worked', 'failed', 'partial')),
    notes       text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (session_id, position)
);

CREATE TABLE session_messages (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    session_id  uuid NOT NULL REFERENCES troubleshooting_sessions (id) ON DELETE CASCADE,
    author_id   uuid REFERENCES users (id),
    body        text NOT NULL CHECK (length(btrim(body)) BETWEEN 1 AND 20000),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX session_messages_session_idx ON session_messages (session_id, created_at);

CREATE TABLE session_handoffs (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id         uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    session_id         uuid NOT NULL REFERENCES troubleshooting_sessions (id) ON DELETE CASCADE,
    from_user_id       uuid NOT NULL REFERENCES users (id),
    intent             text NOT NULL CHECK (intent IN ('escalate', 'park')),
    reason             text NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 4000),
    target_user_id     uuid REFERENCES users (id),
    snapshot           jsonb NOT NULL,
    claimed_by         uuid REFERENCES users (id),
    claimed_at         timestamptz,
    ai_assessment      jsonb,
    assessment_status  text NOT NULL DEFAULT 'pending' CHECK (assessment_status IN ('pending', 'ready', 'unavailable', 'not_applicable')),
    created_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (target_user_id IS NULL OR target_user_id <> from_user_id),
    CHECK ((claimed_by IS NULL) = (claimed_at IS NULL))
);
CREATE INDEX session_handoffs_queue_idx ON session_handoffs (account_id, created_at DESC)
    WHERE intent = 'escalate' AND claimed_by IS NULL;

-- The bell.
CREATE TABLE notifications (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        text NOT NULL,
    title       text NOT NULL,
    link        text NOT NULL,
    read_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC);

-- One row per mail, whether it went over SMTP or only to the log.
CREATE TABLE outbound_emails (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    recipient   text NOT NULL,
    subject     text NOT NULL,
    body        text NOT NULL,
    status      text NOT NULL CHECK (status IN ('logged', 'sent', 'failed')),
    error       text,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Slack and Teams incoming webhooks of an account.
CREATE TABLE account_webhooks (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('slack', 'teams')),
    url         text NOT NULL CHECK (url ~ '^https?://'),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- The stream's events, stored so a reconnect with Last-Event-ID gets what it missed. NOTIFY
-- carries only the ids; the row carries the payload.
CREATE TABLE escalation_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    event_type  text NOT NULL,
    payload     jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX escalation_events_account_idx ON escalation_events (account_id, id);

GRANT SELECT, INSERT, UPDATE ON troubleshooting_sessions, session_steps, session_messages,
    session_handoffs, notifications, outbound_emails TO rf_app;
GRANT SELECT ON account_webhooks TO rf_app;
GRANT SELECT, INSERT ON escalation_events TO rf_app;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['troubleshooting_sessions', 'session_steps', 'session_messages',
        'session_handoffs', 'notifications', 'outbound_emails', 'account_webhooks', 'escalation_events']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (account_id = rf_current_account()) '
                       'WITH CHECK (account_id = rf_current_account())', t);
    END LOOP;
END
$$;
