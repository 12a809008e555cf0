//! The error reference (docs/API.md §2) read off real answers: every code it lists, with its
//! status and details, produced by a call over HTTP, and the list itself compared with what
//! the calls produced, so that neither the reference nor the server can drift alone.

use crate::{
    auth_http::forged,
    common::{call, login_as, post_json, post_with_cookies, seeded_router, Answer},
    escalation::{escalate, jane_session},
};
use chrono::Utc;
use domain::{db, seed};
use serde_json::json;
use sqlx::PgPool;
use std::collections::BTreeSet;
use uuid::Uuid;

/// `(status, code)` of every row of the reference's error table.
fn the_reference() -> BTreeSet<(u16, String)> {
    let doc = include_str!("../../docs/API.md");
    let table = &doc[doc.find("## 2. Errors").unwrap()..doc.find("## 3.").unwrap()];
    table
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let status = cells.get(1)?.parse().ok()?;
            Some((status, cells.get(2)?.trim_matches('`').to_owned()))
        })
        .collect()
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn every_error_code_of_the_reference_comes_from_a_real_answer(pool: PgPool) {
    let router = seeded_router(pool.clone()).await;
    let jane = login_as(&router, "jane@acme.test").await;
    let sam = login_as(&router, "sam@acme.test").await;
    let alex = login_as(&router, "alex@acme.test").await;
    let val = login_as(&router, "val@acme.test").await;
    let nina = login_as(&router, "nina@globex.test").await;
    let session = jane_session(&router, &jane).await;
    let handoff = escalate(&router, &jane, session).await["id"].clone();
    let claim = json!({ "handoff_id": handoff });
    // The escalator's own claim, while the escalation is still unclaimed.
    let own = call(&router, &jane, "/api/handoffs/claim", &claim).await;
    assert_eq!(
        call(&router, &sam, "/api/handoffs/claim", &claim)
            .await
            .status,
        200
    );
    sqlx::query("UPDATE subscriptions SET status = 'locked' WHERE account_id = $1")
        .bind(seed::demo_account_id("globex"))
        .execute(&pool)
        .await
        .unwrap();
    let now = Utc::now().timestamp();
    let wrong = r#"{"email":"owner@globex.test","password":"guess"}"#;

    let mut answers: Vec<(&str, Answer)> = vec![
        ("bad JSON", post_json(&router, "/api/auth/login", "{").await),
        (
            "wrong password",
            post_json(&router, "/api/auth/login", wrong).await,
        ),
        (
            "no token",
            post_json(&router, "/api/auth/session", "{}").await,
        ),
        (
            "no refresh token",
            post_json(&router, "/api/auth/refresh", "{}").await,
        ),
        (
            "an idle login",
            post_with_cookies(
                &router,
                "/api/auth/refresh",
                "{}",
                &[forged(&jane.refresh, |c| c.exp = now - 1)],
            )
            .await,
        ),
        (
            "a login past its maximum",
            post_with_cookies(
                &router,
                "/api/auth/refresh",
                "{}",
                &[forged(&jane.refresh, |c| {
                    c.auth_time = Some(now - 14 * 24 * 3600)
                })],
            )
            .await,
        ),
        (
            "a lapsed plan",
            call(&router, &nina, "/api/sessions/list", json!({})).await,
        ),
        (
            "a viewer acting",
            call(
                &router,
                &val,
                "/api/sessions/create",
                json!({ "problem_summary": "x" }),
            )
            .await,
        ),
        ("claiming one's own", own),
        (
            "no such session",
            call(
                &router,
                &jane,
                "/api/sessions/get",
                json!({ "session_id": Uuid::new_v4() }),
            )
            .await,
        ),
        (
            "second to claim",
            call(&router, &alex, "/api/handoffs/claim", &claim).await,
        ),
        (
            "a huge body",
            post_json(&router, "/api/auth/login", &"x".repeat(100_000)).await,
        ),
        (
            "an empty problem",
            call(
                &router,
                &jane,
                "/api/sessions/create",
                json!({ "problem_summary": " " }),
            )
            .await,
        ),
    ];
    for _ in 0..5 {
        post_json(&router, "/api/auth/login", wrong).await;
    }
    answers.push((
        "a guessing client",
        post_json(&router, "/api/auth/login", wrong).await,
    ));

    let mut seen = BTreeSet::new();
    for (what, res) in &answers {
        let body = res.json();
        let code = body["error"]
            .as_str()
            .unwrap_or_else(|| panic!("{what}: {}", res.body));
        assert!(body["message"].is_string(), "{what}: {}", res.body);
        let detailed = match code {
            "subscription_required" => body["plan"] == "pro" && body["status"] == "locked",
            "already_claimed" => {
                body["claimed_by"]["name"] == "Sam Senior" && body["claimed_at"].is_string()
            }
            "validation_failed" => body["fields"]["problem_summary"].is_string(),
            "rate_limited" => {
                body["retry_after"]
                    .as_u64()
                    .map(|s| s.to_string())
                    .as_deref()
                    == res.headers.get("retry-after").and_then(|v| v.to_str().ok())
            }
            _ => true,
        };
        assert!(detailed, "{what}: the details of {code}: {}", res.body);
        seen.insert((res.status, code.to_owned()));
    }
    // What only a process can show: a body that never arrives (tests/processes/exposure.rs),
    // and the answer to a bug or an outage (tests/processes/faults.rs).
    let elsewhere = BTreeSet::from([
        (408, "bad_request".to_owned()),
        (500, "internal_error".to_owned()),
    ]);
    let reference: BTreeSet<(u16, String)> =
        the_reference().difference(&elsewhere).cloned().collect();
    assert_eq!(seen, reference);
}

/// The properties `schema` requires, through `allOf` and references.
fn required_of(doc: &serde_json::Value, schema: &serde_json::Value) -> Vec<String> {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.trim_start_matches("#/components/schemas/");
        return required_of(doc, &doc["components"]["schemas"][name]);
    }
    let own = schema["required"].as_array().into_iter().flatten();
    let mut required: Vec<String> = own.map(|f| f.as_str().unwrap().to_owned()).collect();
    for part in schema["allOf"].as_array().into_iter().flatten() {
        required.extend(required_of(doc, part));
    }
    required
}

/// Every `"$ref"` in `value`.
fn refs(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", serde_json::Value::String(r)) => out.push(r.clone()),
                    _ => refs(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// `/api/openapi.json` describes every server function the app registers, each a POST of JSON,
/// and every schema it names is in it; a real answer has what its description requires.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn the_description_for_machines_covers_every_server_function(pool: PgPool) {
    let router = seeded_router(pool).await;
    let res = crate::common::get(&router, "/api/openapi.json").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.headers["content-type"], "application/json");
    let doc = res.json();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );

    let described: BTreeSet<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(described, crate::common::endpoints::registered_paths());
    for (path, item) in doc["paths"].as_object().unwrap() {
        let post = &item["post"];
        assert!(
            post["requestBody"]["content"]["application/json"]["schema"].is_object(),
            "{path}"
        );
        assert!(
            post["responses"]["200"]["content"]["application/json"]["schema"].is_object(),
            "{path}"
        );
        assert_eq!(
            post["responses"]["default"]["content"]["application/json"]["schema"]["required"],
            json!(["error", "message"]),
            "{path}"
        );
    }
    let mut named = Vec::new();
    refs(&doc, &mut named);
    assert!(!named.is_empty());
    for r in named {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{r}"));
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{r} is described"
        );
    }

    // What sign-in answers has every property its description requires.
    let login = &doc["paths"]["/api/auth/login"]["post"];
    let required = required_of(
        &doc,
        &login["responses"]["200"]["content"]["application/json"]["schema"],
    );
    assert!(
        required.contains(&"user".to_owned()) && required.contains(&"idle_expires_at".to_owned())
    );
    let answer = post_json(
        &router,
        "/api/auth/login",
        r#"{"email":"jane@acme.test","password":"resolutionflow-demo"}"#,
    )
    .await
    .json();
    for field in required {
        assert!(answer.get(&field).is_some(), "{field} in {answer}");
    }
    assert!(
        login["requestBody"]["content"]["application/json"]["schema"]["required"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f != "token_in_body"),
        "a field with a default is not required"
    );
}
