//! Plan gating (docs/API.md §10) over the real router: every Pro call answers 402 with the plan and
//! status unless the account is on an active or past-due Pro plan; sign-in, the account and its
//! security never do, so a lapsed account can still get in and put things right.

use crate::common::{
    endpoints::{every_call, Ids},
    login_as, post_with_cookies, seeded_router, send, Answer, Session,
};
use axum::{body::Body, http::Request, Router};
use domain::{db, seed};
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

/// Every Pro server function, with a body of the right shape.
fn gated() -> Vec<(&'static str, Value)> {
    let id = Uuid::new_v4();
    vec![
        (
            "/api/sessions/create",
            json!({ "problem_summary": "Printer offline" }),
        ),
        ("/api/sessions/list", json!({})),
        ("/api/sessions/get", json!({ "session_id": id })),
        (
            "/api/sessions/message",
            json!({ "session_id": id, "body": "hi" }),
        ),
        (
            "/api/sessions/step",
            json!({ "session_id": id, "action": "Rebooted" }),
        ),
        (
            "/api/sessions/resolution-draft",
            json!({ "session_id": id }),
        ),
        (
            "/api/presence",
            json!({ "session_id": id, "state": "viewing" }),
        ),
        (
            "/api/sessions/resolve",
            json!({ "session_id": id, "resolution_note": "Done" }),
        ),
        (
            "/api/handoffs/create",
            json!({ "session_id": id, "intent": "escalate", "reason": "x" }),
        ),
        ("/api/handoffs/queue", json!({})),
        ("/api/handoffs/claim", json!({ "handoff_id": id })),
        ("/api/handoffs/get", json!({ "handoff_id": id })),
        ("/api/handoffs/targets", json!({})),
        (
            "/api/fixes/suggest",
            json!({ "session_id": id, "title": "Reboot" }),
        ),
        (
            "/api/fixes/outcome",
            json!({ "fix_id": id, "outcome": "dismissed" }),
        ),
    ]
}

async fn set_subscription(pool: &PgPool, plan: Option<(&str, &str)>) {
    let acme = seed::demo_account_id("acme");
    sqlx::query("DELETE FROM subscriptions WHERE account_id = $1")
        .bind(acme)
        .execute(pool)
        .await
        .unwrap();
    if let Some((plan, status)) = plan {
        sqlx::query("INSERT INTO subscriptions (account_id, plan, status) VALUES ($1, $2, $3)")
            .bind(acme)
            .bind(plan)
            .bind(status)
            .execute(pool)
            .await
            .unwrap();
    }
}

/// The stream's answer when it refuses `who`; `None` when it opens (and never ends).
async fn stream_refusal(router: &Router, who: &Session) -> Option<Answer> {
    let req = Request::get("/api/escalations/stream")
        .header("cookie", who.cookies().join("; "))
        .body(Body::empty())
        .unwrap();
    let res = tower::ServiceExt::oneshot(router.clone(), req)
        .await
        .unwrap();
    if res.status().is_success() {
        return None;
    }
    Some(crate::common::read_whole(res).await)
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_lapsed_account_gets_402_on_every_pro_call_and_nothing_else(pool: PgPool) {
    let router = seeded_router(pool.clone()).await;
    let owner = login_as(&router, "owner@acme.test").await;
    let expected = [
        (Some(("pro", "locked")), json!("pro"), json!("locked")),
        (Some(("pro", "canceled")), json!("pro"), json!("canceled")),
        (Some(("free", "active")), json!("free"), json!("active")),
        (None, Value::Null, Value::Null),
    ];
    for (subscription, plan, status) in expected {
        set_subscription(&pool, subscription).await;
        for (path, body) in gated() {
            let res = post_with_cookies(&router, path, &body.to_string(), &owner.cookies()).await;
            assert_eq!(res.status, 402, "{subscription:?} {path}: {}", res.body);
            let answer = res.json();
            assert_eq!(answer["error"], "subscription_required", "{path}");
            assert_eq!(
                (&answer["plan"], &answer["status"]),
                (&plan, &status),
                "{path}"
            );
        }
        let refused = stream_refusal(&router, &owner)
            .await
            .expect("the stream refuses");
        assert_eq!(refused.status, 402, "{subscription:?} stream");
        assert_eq!(
            refused.json(),
            json!({ "error": "subscription_required", "message": refused.json()["message"], "plan": plan, "status": status }),
            "{subscription:?} stream"
        );
        assert!(refused.json()["message"].is_string());
        // Everything else is on every plan: sign-in, the account and its team, the knowledge
        // base, the bell. Records that do not exist are 404, not 402.
        let gated_paths: Vec<&str> = gated().iter().map(|(path, _)| *path).collect();
        for (path, body) in every_call(&Ids::random()) {
            if gated_paths.contains(&path) {
                continue;
            }
            let res = post_with_cookies(&router, path, &body.to_string(), &owner.cookies()).await;
            assert_ne!(
                res.status, 402,
                "{subscription:?} {path} stays open: {}",
                res.body
            );
        }
        // Signing in (and refreshing) still works.
        let again = login_as(&router, "jane@acme.test").await;
        let res = post_with_cookies(&router, "/api/auth/refresh", "{}", &again.cookies()).await;
        assert_eq!(res.status, 200, "{}", res.body);
    }
    // The other account is untouched by Acme's lapse.
    let grace = login_as(&router, "owner@globex.test").await;
    let res = post_with_cookies(&router, "/api/sessions/list", "{}", &grace.cookies()).await;
    assert_eq!(res.status, 200);
}

/// The dashboard as `who`'s browser loads it.
async fn dashboard(router: &Router, who: &Session) -> crate::common::Answer {
    let req = Request::get("/")
        .header("accept", "text/html")
        .header("cookie", who.cookies().join("; "))
        .body(Body::empty())
        .unwrap();
    send(router, req).await
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn past_due_pro_keeps_working(pool: PgPool) {
    let router = seeded_router(pool.clone()).await;
    set_subscription(&pool, Some(("pro", "past_due"))).await;
    let jane = login_as(&router, "jane@acme.test").await;
    let res = post_with_cookies(&router, "/api/sessions/list", "{}", &jane.cookies()).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json().as_array().unwrap().len(), 3);
    assert!(stream_refusal(&router, &jane).await.is_none());
    // A page of the app shows the lapsed state only when the plan has lapsed.
    let res = dashboard(&router, &jane).await;
    assert!(!res.body.contains("Your plan has lapsed"));
    set_subscription(&pool, Some(("pro", "locked"))).await;
    let res = dashboard(&router, &jane).await;
    assert_eq!(res.status, 200);
    assert!(
        res.body.contains("Your plan has lapsed"),
        "the dashboard says so, server-rendered"
    );
    assert!(res.body.contains("Plan: pro · status: locked"));
}
