//! The knowledge base over the real router and database: a resolved session becomes an article
//! once, drafted from its record; every member reads articles, only the session's writers make
//! them; and the free plan's lifetime quota of three conversions holds exactly, also when
//! conversions race and when articles disappear.

use crate::common::{call, login_as, resolve, seeded_router, Answer, Session};
use axum::Router;
use domain::{db, seed};
use futures::future::join_all;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

async fn set_plan(pool: &PgPool, plan: &str, status: &str) {
    sqlx::query("UPDATE subscriptions SET plan = $2, status = $3 WHERE account_id = $1")
        .bind(seed::demo_account_id("acme"))
        .bind(plan)
        .bind(status)
        .execute(pool)
        .await
        .unwrap();
}

/// A session of `who`'s, resolved with `note` (the account must be on Pro to make it).
async fn resolved_session(router: &Router, who: &Session, summary: &str, note: &str) -> Uuid {
    let res = call(
        router,
        who,
        "/api/sessions/create",
        json!({ "problem_summary": summary, "psa_ticket_id": "#4410" }),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let id: Uuid = res.json()["id"].as_str().unwrap().parse().unwrap();
    resolve(router, who, id, note).await;
    id
}

async fn convert(router: &Router, who: &Session, session_id: Uuid) -> Answer {
    call(
        router,
        who,
        "/api/kb/convert",
        json!({
            "session_id": session_id,
            "title": "Outlook keeps asking for a password",
            "body": "Problem\nOutlook prompts.\n\nResolution\nCleared the cached credentials.",
        }),
    )
    .await
}

fn assert_quota_refusal(res: &Answer, used: i64) {
    assert_eq!(res.status, 402, "{}", res.body);
    let answer = res.json();
    assert_eq!(answer["error"], "subscription_required");
    assert_eq!(
        (&answer["plan"], &answer["status"]),
        (&json!("free"), &json!("active"))
    );
    assert_eq!(answer["quota"], "kb_conversions");
    assert_eq!(
        (&answer["limit"], &answer["count"]),
        (&json!(3), &json!(used))
    );
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("3 knowledge-base conversions"),
        "{}",
        res.body
    );
}

async fn overview(router: &Router, who: &Session) -> Value {
    let res = call(router, who, "/api/kb/list", json!({})).await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.json()
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn the_free_plan_converts_three_sessions_in_its_lifetime_then_answers_402(pool: PgPool) {
    let router = seeded_router(pool.clone()).await;
    let jane = login_as(&router, "jane@acme.test").await;
    let mut sessions = Vec::new();
    for i in 0..5 {
        sessions.push(resolved_session(&router, &jane, &format!("Problem {i}"), "Fixed it").await);
    }
    set_plan(&pool, "free", "active").await;
    let start = overview(&router, &jane).await;
    assert_eq!(start["quota"], json!({ "used": 0, "limit": 3 }));
    assert_eq!(start["candidates"].as_array().unwrap().len(), 5);

    for (n, session) in sessions[..3].iter().enumerate() {
        let res = convert(&router, &jane, *session).await;
        assert_eq!(res.status, 200, "conversion {}: {}", n + 1, res.body);
    }
    let full = overview(&router, &jane).await;
    assert_eq!(full["quota"], json!({ "used": 3, "limit": 3 }));
    assert_eq!(full["articles"].as_array().unwrap().len(), 3);

    // The fourth is refused with the limit and the count, and nothing is saved.
    assert_quota_refusal(&convert(&router, &jane, sessions[3]).await, 3);
    let after = overview(&router, &jane).await;
    assert_eq!(after["articles"].as_array().unwrap().len(), 3);
    assert_eq!(after["candidates"].as_array().unwrap().len(), 2);

    // Lifetime: articles that disappear do not give the allowance back.
    sqlx::query("DELETE FROM kb_articles WHERE account_id = $1")
        .bind(seed::demo_account_id("acme"))
        .execute(&pool)
        .await
        .unwrap();
    assert_quota_refusal(&convert(&router, &jane, sessions[3]).await, 3);

    // Pro converts without a limit; the count goes on.
    set_plan(&pool, "pro", "active").await;
    let res = convert(&router, &jane, sessions[3]).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(
        overview(&router, &jane).await["quota"],
        json!({ "used": 4, "limit": null })
    );
    // A lapsed Pro account falls back to the free allowance (and is over it).
    set_plan(&pool, "pro", "locked").await;
    let res = convert(&router, &jane, sessions[4]).await;
    assert_eq!(res.status, 402, "{}", res.body);
    assert_eq!(
        (res.json()["limit"].clone(), res.json()["count"].clone()),
        (json!(3), json!(4))
    );
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn racing_conversions_at_the_last_free_slot_let_exactly_one_through(pool: PgPool) {
    let router = seeded_router(pool.clone()).await;
    let jane = login_as(&router, "jane@acme.test").await;
    let mut sessions = Vec::new();
    for i in 0..6 {
        sessions.push(resolved_session(&router, &jane, &format!("Problem {i}"), "Fixed it").await);
    }
    set_plan(&pool, "free", "active").await;
    for session in &sessions[..2] {
        assert_eq!(convert(&router, &jane, *session).await.status, 200);
    }
    let answers = join_all(sessions[2..].iter().map(|s| convert(&router, &jane, *s))).await;
    let won: Vec<&Answer> = answers.iter().filter(|a| a.status == 200).collect();
    assert_eq!(
        won.len(),
        1,
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    for lost in answers.iter().filter(|a| a.status != 200) {
        assert_quota_refusal(lost, 3);
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM kb_articles")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 3);
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn an_article_is_drafted_from_its_session_and_made_once(pool: PgPool) {
    let router = seeded_router(pool.clone()).await;
    let jane = login_as(&router, "jane@acme.test").await;
    let res = call(
        &router,
        &jane,
        "/api/sessions/create",
        json!({ "problem_summary": "VPN drops every 10 minutes\nOnly on the home Wi-Fi", "psa_ticket_id": "7781" }),
    )
    .await;
    let session: Uuid = res.json()["id"].as_str().unwrap().parse().unwrap();
    for (path, body) in [
        (
            "/api/sessions/step",
            json!({ "session_id": session, "action": "Checked the client logs", "outcome": "failed" }),
        ),
        (
            "/api/fixes/suggest",
            json!({ "session_id": session, "title": "Turn off the router's SIP ALG" }),
        ),
    ] {
        let res = call(&router, &jane, path, body).await;
        assert_eq!(res.status, 200, "{}", res.body);
    }
    let fixes = call(
        &router,
        &jane,
        "/api/sessions/get",
        json!({ "session_id": session }),
    )
    .await;
    let fix_id = fixes.json()["fixes"][0]["id"].clone();
    let res = call(
        &router,
        &jane,
        "/api/fixes/outcome",
        json!({ "fix_id": fix_id, "outcome": "applied_success" }),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);

    // Not yet resolved: no draft, no article.
    let res = call(
        &router,
        &jane,
        "/api/kb/draft",
        json!({ "session_id": session }),
    )
    .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.json()["fields"]["session_id"]
        .as_str()
        .unwrap()
        .contains("Resolve"));
    resolve(
        &router,
        &jane,
        session,
        "Disabled SIP ALG on the home router.",
    )
    .await;

    let draft = call(
        &router,
        &jane,
        "/api/kb/draft",
        json!({ "session_id": session }),
    )
    .await;
    assert_eq!(draft.status, 200, "{}", draft.body);
    let draft = draft.json();
    assert_eq!(draft["title"], "VPN drops every 10 minutes");
    let body = draft["body"].as_str().unwrap();
    for part in [
        "Problem\nVPN drops every 10 minutes\nOnly on the home Wi-Fi",
        "Resolution\nDisabled SIP ALG on the home router.",
        "- Turn off the router's SIP ALG (worked)",
        "1. Checked the client logs (failed)",
    ] {
        assert!(body.contains(part), "{part:?} missing from {body}");
    }

    // Bad input loses nothing and says which field.
    let res = call(
        &router,
        &jane,
        "/api/kb/convert",
        json!({ "session_id": session, "title": "  ", "body": body }),
    )
    .await;
    assert_eq!(res.status, 422);
    assert!(res.json()["fields"]["title"].is_string());

    let res = call(
        &router,
        &jane,
        "/api/kb/convert",
        json!({ "session_id": session, "title": "VPN drops on home Wi-Fi", "body": body }),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let article = res.json();
    assert_eq!(article["psa_ticket_id"], "7781");
    assert_eq!(article["author_name"], "Jane Junior");
    assert_eq!(article["source_session_id"], json!(session));

    // Once only: a second conversion is refused and not counted.
    let again = convert(&router, &jane, session).await;
    assert_eq!(again.status, 422, "{}", again.body);
    assert!(again.json()["fields"]["session_id"]
        .as_str()
        .unwrap()
        .contains("already"));
    let kb = overview(&router, &jane).await;
    assert_eq!(kb["quota"]["used"], 1);
    assert!(kb["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["id"] != json!(session)));

    // Everyone in the account reads it, a viewer included; a viewer cannot write one.
    let val = login_as(&router, "val@acme.test").await;
    let res = call(
        &router,
        &val,
        "/api/kb/get",
        json!({ "article_id": article["id"] }),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["body"], json!(body));
    let viewer_kb = overview(&router, &val).await;
    assert_eq!(viewer_kb["articles"][0]["title"], "VPN drops on home Wi-Fi");
    assert_eq!(viewer_kb["candidates"], json!([]));
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn only_the_sessions_writers_convert_it_and_other_accounts_see_nothing(pool: PgPool) {
    let router = seeded_router(pool.clone()).await;
    let jane = login_as(&router, "jane@acme.test").await;
    let session =
        resolved_session(&router, &jane, "Printer offline", "Reinstalled the driver").await;
    // Sam shares Jane's account but not this (private, resolved) session.
    let sam = login_as(&router, "sam@acme.test").await;
    for path in ["/api/kb/draft", "/api/kb/convert"] {
        let body = json!({ "session_id": session, "title": "t", "body": "b" });
        assert_eq!(call(&router, &sam, path, body).await.status, 404, "{path}");
    }
    let val = login_as(&router, "val@acme.test").await;
    assert_eq!(convert(&router, &val, session).await.status, 403);

    let article = convert(&router, &jane, session).await.json();
    let globex = login_as(&router, "owner@globex.test").await;
    let res = call(
        &router,
        &globex,
        "/api/kb/get",
        json!({ "article_id": article["id"] }),
    )
    .await;
    assert_eq!(res.status, 404, "{}", res.body);
    assert!(!res.body.contains("Outlook"));
    assert_eq!(
        call(
            &router,
            &globex,
            "/api/kb/convert",
            json!({ "session_id": session, "title": "t", "body": "b" })
        )
        .await
        .status,
        404
    );
    let theirs = overview(&router, &globex).await;
    assert_eq!(theirs["articles"], json!([]));
    assert_eq!(theirs["quota"]["used"], 0);
}
