-- The knowledge base: resolved sessions turned into articles, and the account's lifetime usage
-- that the free plan's quota counts.

CREATE TABLE kb_articles (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id         uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- A session becomes at most one article.
    source_session_id  uuid UNIQUE REFERENCES troubleshooting_sessions (id) ON DELETE SET NULL,
    title              text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    body               text NOT NULL CHECK (length(btrim(body)) BETWEEN 1 AND 20000),
    psa_ticket_id      text,
    created_by         uuid REFERENCES users (id),
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX kb_articles_account_idx ON kb_articles (account_id, created_at DESC);

-- Counters that only ever go up: "lifetime" means an account cannot win back quota by
-- deleting what it made.
CREATE TABLE account_usage (
    account_id      uuid PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    kb_conversions  integer NOT NULL DEFAULT 0 CHECK (kb_conversions >= 0)
);

GRANT SELECT, INSERT ON kb_articles TO rf_app;
GRANT SELECT, INSERT, UPDATE ON account_usage TO rf_app;
ALTER TABLE kb_articles ENABLE ROW LEVEL SECURITY;
ALTER TABLE kb_articles FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON kb_articles USING (account_id = rf_current_account())
    WITH CHECK (account_id = rf_current_account());
ALTER TABLE account_usage ENABLE ROW LEVEL SECURITY;
ALTER TABLE account_usage FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON account_usage USING (account_id = rf_current_account())
    WITH CHECK (account_id = rf_current_account());
