//! Every server function, each with a body of the right shape: the catalogue the sweeps over
//! the whole API walk (hostile callers, plan gating), checked against what the app registers.

use serde_json::{json, Value};
use std::collections::BTreeSet;
use uuid::Uuid;

/// Records of every kind an endpoint can name by id.
pub struct Ids {
    pub session: Uuid,
    pub resolved_session: Uuid,
    pub fix: Uuid,
    pub handoff: Uuid,
    pub article: Uuid,
    pub notification: Uuid,
    pub webhook: Uuid,
    pub login: Uuid,
    pub invitation: Uuid,
    pub member: Uuid,
}

/// Every endpoint that names a record, with a body of the right shape.
pub fn id_calls(ids: &Ids) -> Vec<(&'static str, Value)> {
    let s = ids.session;
    vec![
        ("/api/sessions/get", json!({ "session_id": s })),
        (
            "/api/sessions/message",
            json!({ "session_id": s, "body": "hello" }),
        ),
        (
            "/api/sessions/step",
            json!({ "session_id": s, "action": "Rebooted" }),
        ),
        ("/api/sessions/resolution-draft", json!({ "session_id": s })),
        (
            "/api/presence",
            json!({ "session_id": s, "state": "viewing" }),
        ),
        (
            "/api/sessions/resolve",
            json!({ "session_id": s, "resolution_note": "Done" }),
        ),
        (
            "/api/handoffs/create",
            json!({ "session_id": s, "intent": "escalate", "reason": "x" }),
        ),
        ("/api/handoffs/claim", json!({ "handoff_id": ids.handoff })),
        ("/api/handoffs/get", json!({ "handoff_id": ids.handoff })),
        (
            "/api/fixes/suggest",
            json!({ "session_id": s, "title": "Reboot" }),
        ),
        (
            "/api/fixes/outcome",
            json!({ "fix_id": ids.fix, "outcome": "dismissed" }),
        ),
        ("/api/kb/get", json!({ "article_id": ids.article })),
        (
            "/api/kb/draft",
            json!({ "session_id": ids.resolved_session }),
        ),
        (
            "/api/kb/convert",
            json!({ "session_id": ids.resolved_session, "title": "t", "body": "b" }),
        ),
        (
            "/api/notifications/read",
            json!({ "notification_id": ids.notification }),
        ),
        (
            "/api/account/webhooks/remove",
            json!({ "webhook_id": ids.webhook }),
        ),
        (
            "/api/account/security/revoke-session",
            json!({ "session_id": ids.login }),
        ),
        (
            "/api/account/invitations/revoke",
            json!({ "invitation_id": ids.invitation }),
        ),
        (
            "/api/account/members/update-role",
            json!({ "user_id": ids.member, "role": "viewer" }),
        ),
        (
            "/api/account/members/deactivate",
            json!({ "user_id": ids.member }),
        ),
        (
            "/api/account/members/reactivate",
            json!({ "user_id": ids.member }),
        ),
    ]
}

/// Every endpoint that lists or shows the caller's own account.
pub fn list_calls() -> Vec<(&'static str, Value)> {
    vec![
        ("/api/sessions/list", json!({})),
        ("/api/handoffs/queue", json!({})),
        ("/api/handoffs/targets", json!({})),
        ("/api/kb/list", json!({})),
        ("/api/notifications/list", json!({})),
        ("/api/account/webhooks", json!({})),
        ("/api/account/security", json!({})),
        ("/api/account/members", json!({})),
        ("/api/auth/options", json!({})),
        ("/api/auth/session", json!({})),
        ("/api/auth/current", json!({})),
    ]
}

/// Endpoints that name no existing record (they create, or act on the caller alone).
pub fn other_calls() -> Vec<(&'static str, Value)> {
    vec![
        (
            "/api/auth/login",
            json!({ "email": "owner@globex.test", "password": "wrong" }),
        ),
        ("/api/auth/refresh", json!({})),
        ("/api/auth/logout", json!({})),
        (
            "/api/auth/forgot-password",
            json!({ "email": "nobody@example.test" }),
        ),
        (
            "/api/auth/reset-password",
            json!({ "token": "x", "password": "a new password" }),
        ),
        (
            "/api/sessions/create",
            json!({ "problem_summary": "Printer" }),
        ),
        (
            "/api/account/security/update",
            json!({ "session_idle_minutes": 60 }),
        ),
        (
            "/api/account/security/revoke-sessions",
            json!({ "scope": "others" }),
        ),
        (
            "/api/account/webhooks/add",
            json!({ "kind": "slack", "url": "https://example.test/hook" }),
        ),
        (
            "/api/auth/signup",
            json!({ "account_name": "X", "name": "X", "email": "x@x.test", "password": "a new password" }),
        ),
        ("/api/auth/verify-email", json!({ "token": "x" })),
        ("/api/auth/invitation", json!({ "token": "x" })),
        (
            "/api/auth/accept-invitation",
            json!({ "token": "x", "name": "X", "password": "a new password" }),
        ),
        (
            "/api/account/invitations/create",
            json!({ "email": "someone@acme.test", "role": "viewer" }),
        ),
    ]
}

pub fn registered_paths() -> BTreeSet<String> {
    leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect()
}

impl Ids {
    /// Ids that name nothing.
    pub fn random() -> Self {
        Ids {
            session: Uuid::new_v4(),
            resolved_session: Uuid::new_v4(),
            fix: Uuid::new_v4(),
            handoff: Uuid::new_v4(),
            article: Uuid::new_v4(),
            notification: Uuid::new_v4(),
            webhook: Uuid::new_v4(),
            login: Uuid::new_v4(),
            invitation: Uuid::new_v4(),
            member: Uuid::new_v4(),
        }
    }
}

/// Every call of the catalogue.
pub fn every_call(ids: &Ids) -> Vec<(&'static str, Value)> {
    id_calls(ids)
        .into_iter()
        .chain(list_calls())
        .chain(other_calls())
        .collect()
}
