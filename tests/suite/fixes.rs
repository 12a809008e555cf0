//! Suggested fixes and their outcomes over the real API and a real database: the transitions
//! the server allows, what each requires, the `applied_at` / `verified_at` stamps, and what
//! the escalation package and the resolution note make of a fix awaiting verification.

use crate::common::{call, login_as, resolve, seeded_router, wait_for, Answer, Session};
use axum::Router;
use domain::db;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

/// A session of Jane's with one suggested fix; returns (session id, fix id).
async fn session_with_fix(router: &Router, jane: &Session) -> (Uuid, String) {
    let res = call(
        router,
        jane,
        "/api/sessions/create",
        json!({
            "problem_summary": "Mapped drives missing after a password change",
        }),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let session_id: Uuid = res.json()["id"].as_str().unwrap().parse().unwrap();
    let res = call(
        router,
        jane,
        "/api/fixes/suggest",
        json!({
            "session_id": session_id, "title": "Reset the machine account",
        }),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let fix = res.json();
    assert_eq!(fix["status"], "suggested");
    assert!(fix["applied_at"].is_null() && fix["verified_at"].is_null());
    (session_id, fix["id"].as_str().unwrap().to_owned())
}

async fn outcome(router: &Router, who: &Session, fix_id: &str, body: Value) -> Answer {
    let mut body = body;
    body["fix_id"] = json!(fix_id);
    call(router, who, "/api/fixes/outcome", body).await
}

fn field_error(res: &Answer, field: &str) -> String {
    assert_eq!(res.status, 422, "{}", res.body);
    assert_eq!(res.json()["error"], "validation_failed");
    res.json()["fields"][field]
        .as_str()
        .unwrap_or_else(|| panic!("no message for {field}: {}", res.body))
        .to_owned()
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn waiting_to_verify_needs_a_reason_and_is_applied_but_not_verified(pool: PgPool) {
    let router = seeded_router(pool).await;
    let jane = login_as(&router, "jane@acme.test").await;
    let (_, fix) = session_with_fix(&router, &jane).await;

    // The seed's first case: no reason, no pending.
    for reason in [json!(null), json!("   ")] {
        let res = outcome(
            &router,
            &jane,
            &fix,
            json!({
                "outcome": "applied_pending", "pending_reason": reason,
            }),
        )
        .await;
        assert!(field_error(&res, "pending_reason").contains("waiting on"));
    }

    // Second: the reason is stored; applied_at is stamped, verified_at is not.
    let res = outcome(&router, &jane, &fix, json!({
        "outcome": "applied_pending", "pending_reason": "The client power-cycles the router tonight",
    }))
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let pending = res.json();
    assert_eq!(pending["status"], "applied_pending");
    assert_eq!(
        pending["pending_reason"],
        "The client power-cycles the router tonight"
    );
    assert!(!pending["applied_at"].is_null());
    assert!(
        pending["verified_at"].is_null(),
        "pending is parked, not verified"
    );

    // Third: recording pending again updates the reason and keeps the first applied_at.
    let res = outcome(&router, &jane, &fix, json!({
        "outcome": "applied_pending", "pending_reason": "Directory replication to the branch office",
    }))
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let updated = res.json();
    assert_eq!(
        updated["pending_reason"],
        "Directory replication to the branch office"
    );
    assert_eq!(updated["applied_at"], pending["applied_at"]);
    assert!(updated["verified_at"].is_null());

    // Fourth: pending → worked stamps verified_at; applied_at stays; the reason stays on record.
    let res = outcome(
        &router,
        &jane,
        &fix,
        json!({ "outcome": "applied_success" }),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let worked = res.json();
    assert_eq!(worked["status"], "applied_success");
    assert!(!worked["verified_at"].is_null());
    assert_eq!(worked["applied_at"], pending["applied_at"]);
    assert_eq!(
        worked["pending_reason"],
        "Directory replication to the branch office"
    );

    // A verdict is final.
    for next in [
        "applied_pending",
        "applied_failed",
        "dismissed",
        "applied_verifying",
        "suggested",
    ] {
        let res = outcome(
            &router,
            &jane,
            &fix,
            json!({
                "outcome": next, "pending_reason": "x", "notes": "x",
            }),
        )
        .await;
        assert!(
            field_error(&res, "outcome").contains("can't be marked"),
            "{next}"
        );
    }
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn every_allowed_transition_stamps_what_it_should(pool: PgPool) {
    let router = seeded_router(pool).await;
    let jane = login_as(&router, "jane@acme.test").await;
    // (path of outcomes from suggested, whether applied_at / verified_at end up set)
    let paths: &[(&[&str], bool, bool)] = &[
        (&["applied_verifying"], true, false),
        (&["applied_verifying", "applied_success"], true, true),
        (&["applied_verifying", "applied_failed"], true, true),
        (&["applied_verifying", "applied_partial"], true, true),
        (&["applied_verifying", "applied_pending"], true, false),
        (&["applied_verifying", "dismissed"], true, false),
        (&["applied_pending", "applied_failed"], true, true),
        (&["applied_pending", "applied_partial"], true, true),
        (&["applied_pending", "dismissed"], true, false),
        // Back to waiting: no longer verified.
        (&["applied_partial", "applied_pending"], true, false),
        (&["applied_partial", "applied_success"], true, true),
        (&["dismissed"], false, false),
        (&["applied_success"], true, true),
    ];
    for (path, applied, verified) in paths {
        let (_, fix) = session_with_fix(&router, &jane).await;
        let mut last = Value::Null;
        for step in *path {
            let res = outcome(&router, &jane, &fix, json!({
                "outcome": step, "notes": "Two of five drives came back", "pending_reason": "A reboot tonight",
            }))
            .await;
            assert_eq!(res.status, 200, "{path:?} at {step}: {}", res.body);
            last = res.json();
            assert_eq!(last["status"], *step);
        }
        assert_eq!(
            !last["applied_at"].is_null(),
            *applied,
            "{path:?} applied_at"
        );
        assert_eq!(
            !last["verified_at"].is_null(),
            *verified,
            "{path:?} verified_at"
        );
    }

    // Refused: back to suggested or verifying once settled, partial without notes, nonsense.
    let (_, fix) = session_with_fix(&router, &jane).await;
    let res = outcome(
        &router,
        &jane,
        &fix,
        json!({ "outcome": "applied_partial" }),
    )
    .await;
    assert!(field_error(&res, "notes").contains("still isn't working"));
    let res = outcome(&router, &jane, &fix, json!({ "outcome": "fixed_probably" })).await;
    field_error(&res, "outcome");
    let res = outcome(&router, &jane, &fix, json!({ "outcome": "suggested" })).await;
    field_error(&res, "outcome");
    outcome(
        &router,
        &jane,
        &fix,
        json!({ "outcome": "applied_pending", "pending_reason": "A reboot" }),
    )
    .await;
    let res = outcome(
        &router,
        &jane,
        &fix,
        json!({ "outcome": "applied_verifying" }),
    )
    .await;
    field_error(&res, "outcome");
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn only_the_session_writers_record_outcomes_and_other_accounts_see_nothing(pool: PgPool) {
    let router = seeded_router(pool).await;
    let (jane, sam, val, grace) = (
        login_as(&router, "jane@acme.test").await,
        login_as(&router, "sam@acme.test").await,
        login_as(&router, "val@acme.test").await,
        login_as(&router, "owner@globex.test").await,
    );
    let (session_id, fix) = session_with_fix(&router, &jane).await;
    let applied = json!({ "outcome": "applied_verifying" });
    // Sam can't even see Jane's private session; Val never acts; Globex gets nothing.
    assert_eq!(
        outcome(&router, &sam, &fix, applied.clone()).await.status,
        404
    );
    assert_eq!(
        outcome(&router, &val, &fix, applied.clone()).await.status,
        403
    );
    let res = outcome(&router, &grace, &fix, applied.clone()).await;
    assert_eq!(
        (res.status, res.json()["error"].as_str()),
        (404, Some("not_found"))
    );
    let res = call(
        &router,
        &grace,
        "/api/fixes/suggest",
        json!({
            "session_id": session_id, "title": "Sneak one in",
        }),
    )
    .await;
    assert_eq!(res.status, 404);
    // Nothing changed.
    let res = call(
        &router,
        &jane,
        "/api/sessions/get",
        json!({ "session_id": session_id }),
    )
    .await;
    let fixes = res.json()["fixes"].as_array().unwrap().clone();
    assert_eq!(fixes.len(), 1);
    assert_eq!(fixes[0]["status"], "suggested");
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_pending_fix_leads_the_escalation_and_is_provisional_in_the_resolution_note(
    pool: PgPool,
) {
    let router = seeded_router(pool).await;
    let (jane, sam) = (
        login_as(&router, "jane@acme.test").await,
        login_as(&router, "sam@acme.test").await,
    );
    let (session_id, fix) = session_with_fix(&router, &jane).await;
    outcome(
        &router,
        &jane,
        &fix,
        json!({
            "outcome": "applied_pending", "pending_reason": "AD replication to the branch office",
        }),
    )
    .await;

    // The draft calls it provisional and names what it waits on.
    let res = call(
        &router,
        &jane,
        "/api/sessions/resolution-draft",
        json!({ "session_id": session_id }),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let draft = res.json().as_str().unwrap().to_owned();
    assert!(
        draft.contains("Provisional: \"Reset the machine account\" was applied and is awaiting verification (waiting on: AD replication to the branch office)"),
        "{draft}"
    );

    // Escalated, the package leads with it as the hypothesis.
    let res = call(
        &router,
        &jane,
        "/api/handoffs/create",
        json!({
            "session_id": session_id, "intent": "escalate", "reason": "Out of ideas while we wait",
        }),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let handoff_id = res.json()["id"].clone();
    assert_eq!(
        res.json()["snapshot"]["fixes"][0]["status"],
        "applied_pending"
    );
    let assessment = wait_for(async || {
        let h = call(
            &router,
            &sam,
            "/api/handoffs/get",
            json!({ "handoff_id": handoff_id }),
        )
        .await
        .json();
        Some(h["ai_assessment"].clone()).filter(|a| !a.is_null())
    })
    .await;
    let cause = assessment["likely_causes"][0].as_str().unwrap_or_default();
    assert!(
        cause.starts_with("Leading hypothesis: \"Reset the machine account\""),
        "{assessment}"
    );
    assert!(cause.contains("AD replication"), "{assessment}");

    // Resolved with the note: out of the queue, the note on record.
    let res = call(
        &router,
        &jane,
        "/api/sessions/resolve",
        json!({
            "session_id": session_id, "resolution_note": "   ",
        }),
    )
    .await;
    field_error(&res, "resolution_note");
    let resolved = resolve(&router, &jane, session_id, &draft).await;
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["resolution_note"], json!(draft));
    let queue = call(&router, &sam, "/api/handoffs/queue", json!({}))
        .await
        .json();
    assert!(
        !queue
            .as_array()
            .unwrap()
            .iter()
            .any(|q| q["session_id"] == json!(session_id)),
        "a resolved session leaves the queue"
    );
}
