-- "Applied, awaiting verification": a fix that is in but can't be judged yet (a client to
-- power-cycle, directory replication, a sync to run). Non-terminal, with what it waits on.

ALTER TABLE suggested_fixes ADD COLUMN pending_reason text;
ALTER TABLE suggested_fixes DROP CONSTRAINT suggested_fixes_status_check;
ALTER TABLE suggested_fixes ADD CONSTRAINT suggested_fixes_status_check
    CHECK (status IN ('suggested', 'applied_verifying', 'applied_success', 'applied_failed',
                      'applied_partial', 'applied_pending', 'dismissed'));
ALTER TABLE suggested_fixes ADD CONSTRAINT suggested_fixes_pending_reason_check
    CHECK (status <> 'applied_pending' OR length(btrim(pending_reason)) > 0);
