-- Where a session stands says what is true (docs/API.md §5, "Where a session stands"): an
-- escalation nobody has picked up yet is `requesting_escalation`, and `escalated` means a senior
-- has it. Until now both were written `escalated`; the latest escalation of each says which.
UPDATE troubleshooting_sessions s SET status = 'requesting_escalation'
 WHERE s.status = 'escalated'
   AND (SELECT h.claimed_by IS NULL FROM session_handoffs h
         WHERE h.session_id = s.id AND h.intent = 'escalate'
         ORDER BY h.created_at DESC, h.id DESC LIMIT 1);

-- A bell row knows the session it is about, so that it is handled (read) for everyone once the
-- escalation is picked up or the session resolved: nobody is left a badge for work that is done.
ALTER TABLE notifications
    ADD COLUMN session_id uuid REFERENCES troubleshooting_sessions (id) ON DELETE CASCADE;
UPDATE notifications n SET session_id = s.id
  FROM troubleshooting_sessions s
 WHERE n.kind = 'session.escalated' AND n.link = '/pilot/' || s.id || '?pickup=true';
UPDATE notifications n SET read_at = coalesce(n.read_at, now())
  FROM troubleshooting_sessions s
 WHERE n.session_id = s.id AND s.status IN ('escalated', 'resolved');
CREATE INDEX notifications_unread_session_idx ON notifications (session_id) WHERE read_at IS NULL;
