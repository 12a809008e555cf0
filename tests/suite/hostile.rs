//! Hostile callers over the real router and database:
//! - another account's ids, sent to every endpoint that takes one: 404, nothing leaked, nothing
//!   changed; and the lists of the other account show none of it;
//! - malformed input of every kind sent to every server function: never a 5xx, always the
//!   contract's error shape;
//! - a refresh storm with replays: no refresh token is ever accepted twice.
//!
//! The endpoint list is checked against the server functions the app registers, so a new
//! endpoint cannot slip past these tests.

use crate::common::{
    call,
    endpoints::{every_call, id_calls, list_calls, other_calls, registered_paths, Ids},
    login_as, post_with_cookies, seeded_router, send, Answer, Session,
};
use axum::{body::Body, http::Request, Router};
use domain::{db, seed};
use futures::future::join_all;
use serde_json::{json, Value};
use sqlx::PgPool;
use std::collections::{BTreeSet, HashSet};
use uuid::Uuid;

/// Text that only Acme's records contain.
const SECRET: &str = "ACME-ONLY printer on floor 7";

async fn ok(router: &Router, who: &Session, path: &str, body: Value) -> Value {
    let res = call(router, who, path, &body).await;
    assert_eq!(res.status, 200, "{path}: {}", res.body);
    res.json()
}

async fn acme_records(router: &Router, pool: &PgPool) -> (Ids, Session) {
    let jane = login_as(router, "jane@acme.test").await;
    let id = |v: &Value| v["id"].as_str().unwrap().parse::<Uuid>().unwrap();
    let session = id(&ok(
        router,
        &jane,
        "/api/sessions/create",
        json!({ "problem_summary": SECRET }),
    )
    .await);
    ok(
        router,
        &jane,
        "/api/sessions/step",
        json!({ "session_id": session, "action": SECRET }),
    )
    .await;
    let fix = id(&ok(
        router,
        &jane,
        "/api/fixes/suggest",
        json!({ "session_id": session, "title": SECRET }),
    )
    .await);
    let handoff = id(&ok(
        router,
        &jane,
        "/api/handoffs/create",
        json!({ "session_id": session, "intent": "escalate", "reason": SECRET }),
    )
    .await);
    let resolved_session = id(&ok(
        router,
        &jane,
        "/api/sessions/create",
        json!({ "problem_summary": SECRET }),
    )
    .await);
    ok(
        router,
        &jane,
        "/api/sessions/resolve",
        json!({ "session_id": resolved_session, "resolution_note": SECRET }),
    )
    .await;
    let article = id(&ok(
        router,
        &jane,
        "/api/kb/convert",
        json!({ "session_id": resolved_session, "title": SECRET, "body": SECRET }),
    )
    .await);
    // Made in place (mail and notifications go out in the background).
    let acme = seed::demo_account_id("acme");
    let notification: Uuid = sqlx::query_scalar(
        "INSERT INTO notifications (account_id, user_id, kind, title, link) VALUES ($1, $2, 'escalation', $3, '/') RETURNING id",
    )
    .bind(acme)
    .bind(jane.user_id)
    .bind(SECRET)
    .fetch_one(pool)
    .await
    .unwrap();
    let webhook: Uuid = sqlx::query_scalar(
        "INSERT INTO account_webhooks (account_id, kind, url) VALUES ($1, 'slack', 'https://hooks.slack.com/services/ACME') RETURNING id",
    )
    .bind(acme)
    .fetch_one(pool)
    .await
    .unwrap();
    let login = jane.family_id;
    let owner = login_as(router, "owner@acme.test").await;
    let invitation = ok(
        router,
        &owner,
        "/api/account/invitations/create",
        json!({ "email": "pat@acme.test", "role": "viewer" }),
    )
    .await["invitation_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let member = jane.user_id;
    let ids = Ids {
        session,
        resolved_session,
        fix,
        handoff,
        article,
        notification,
        webhook,
        login,
        invitation,
        member,
    };
    (ids, jane)
}

/// Endpoints only an account's owner may call.
/// What an engineer is refused (403) before anything is looked up: the owner's pages, and the
/// team's, which are an owner's or an admin's.
const OWNER_ONLY: [&str; 10] = [
    "/api/account/security",
    "/api/account/security/revoke-session",
    "/api/account/webhooks",
    "/api/account/webhooks/remove",
    "/api/account/members",
    "/api/account/invitations/revoke",
    "/api/account/members/update-role",
    "/api/account/members/deactivate",
    "/api/account/members/reactivate",
    "/api/account/invitations/create",
];

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn the_catalogue_covers_every_server_function(pool: PgPool) {
    let _router = seeded_router(pool).await;
    let listed: BTreeSet<String> = every_call(&Ids::random())
        .into_iter()
        .map(|(path, _)| path.to_owned())
        .collect();
    assert_eq!(listed, registered_paths());
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn another_accounts_ids_are_not_found_everywhere_and_nothing_changes(pool: PgPool) {
    let router = seeded_router(pool.clone()).await;
    let (ids, jane) = acme_records(&router, &pool).await;
    let before = acme_state(&pool).await;
    // Globex's owner and engineer: every role check passes, only the tenant differs.
    for email in ["owner@globex.test", "nina@globex.test"] {
        let intruder = login_as(&router, email).await;
        let is_owner = email.starts_with("owner@");
        for (path, body) in id_calls(&ids) {
            let res = call(&router, &intruder, path, &body).await;
            // Owner-only endpoints refuse a non-owner before looking anything up.
            let expected = if !is_owner && OWNER_ONLY.contains(&path) {
                403
            } else {
                404
            };
            assert_eq!(res.status, expected, "{email} {path}: {}", res.body);
            assert!(
                !res.body.contains("ACME") && !res.body.contains("acme"),
                "{path} leaks: {}",
                res.body
            );
        }
        for (path, body) in list_calls() {
            let res = call(&router, &intruder, path, &body).await;
            let expected = if !is_owner && OWNER_ONLY.contains(&path) {
                403
            } else {
                200
            };
            assert_eq!(res.status, expected, "{email} {path}: {}", res.body);
            for leak in [
                "ACME",
                "acme.test",
                &ids.session.to_string(),
                &ids.article.to_string(),
            ] {
                assert!(
                    !res.body.contains(leak),
                    "{path} shows {leak}: {}",
                    res.body
                );
            }
        }
    }
    assert_eq!(
        acme_state(&pool).await,
        before,
        "Acme's records are as they were"
    );
    // Jane's login survived the attempt to revoke it.
    let res = call(&router, &jane, "/api/auth/session", &json!({})).await;
    assert_eq!(res.status, 200, "{}", res.body);
}

/// Everything about Acme's records an intruder could have changed, as one comparable value.
async fn acme_state(pool: &PgPool) -> Vec<String> {
    let acme = seed::demo_account_id("acme");
    let mut state = Vec::new();
    for sql in [
        "SELECT string_agg(id || status || coalesce(resolution_note, ''), ',' ORDER BY id) FROM troubleshooting_sessions WHERE account_id = $1",
        "SELECT count(*)::text FROM session_messages WHERE account_id = $1",
        "SELECT count(*)::text FROM session_steps WHERE account_id = $1",
        "SELECT string_agg(id || coalesce(claimed_by::text, '-'), ',' ORDER BY id) FROM session_handoffs WHERE account_id = $1",
        "SELECT string_agg(id || status, ',' ORDER BY id) FROM suggested_fixes WHERE account_id = $1",
        "SELECT count(*)::text FROM kb_articles WHERE account_id = $1",
        "SELECT string_agg(id || coalesce(read_at::text, '-'), ',' ORDER BY id) FROM notifications WHERE account_id = $1",
        "SELECT count(*)::text FROM account_webhooks WHERE account_id = $1",
        "SELECT count(*)::text FROM refresh_tokens WHERE account_id = $1 AND revoked_at IS NOT NULL",
        "SELECT string_agg(id || role || coalesce(deactivated_at::text, '-'), ',' ORDER BY id) FROM users WHERE account_id = $1",
        "SELECT string_agg(id || coalesce(revoked_at::text, '-'), ',' ORDER BY id) FROM invitations WHERE account_id = $1",
    ] {
        let value: Option<String> = sqlx::query_scalar(sql).bind(acme).fetch_one(pool).await.unwrap();
        state.push(value.unwrap_or_default());
    }
    state
}

/// Bodies no server function should choke on, and whether each must be refused: anything but
/// a JSON object is (an empty body stands for `{}`; an object's unknown fields are ignored).
fn malformed_bodies() -> Vec<(&'static str, Vec<u8>, bool)> {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_object = format!("{}1{}", r#"{"a":"#.repeat(10_000), "}".repeat(10_000));
    vec![
        ("empty", Vec::new(), false),
        ("not JSON", b"hello".to_vec(), true),
        ("truncated", br#"{"session_id": "#.to_vec(), true),
        ("null", b"null".to_vec(), true),
        ("a number", b"42".to_vec(), true),
        ("a string", br#""session_id""#.to_vec(), true),
        ("an array", br#"[1, 2, 3]"#.to_vec(), true),
        // serde reads a struct from an array by position: `[]` would be every call without
        // arguments, `[null, null]` one whose arguments are all optional.
        ("an empty array", b"[]".to_vec(), true),
        ("an array of nulls", b"[null, null]".to_vec(), true),
        ("deep arrays", deep.into_bytes(), true),
        ("deep objects", deep_object.into_bytes(), false),
        (
            "invalid UTF-8",
            b"{\"email\": \"\xff\xfe\xfd\", \"title\": \"\xc3\x28\"}".to_vec(),
            true,
        ),
        (
            "NUL in a string",
            br#"{"problem_summary": "a\u0000b", "title": "a\u0000b", "body": "a\u0000b"}"#.to_vec(),
            false,
        ),
        ("huge", vec![b' '; 3 * 1024 * 1024], true),
    ]
}

/// Values of the wrong type (or size) for any field.
fn wrong_values() -> Vec<Value> {
    vec![
        json!(12345),
        json!(-1.5e300),
        json!(true),
        json!([]),
        json!({ "$ne": null }),
        json!("not-a-uuid"),
        json!("x".repeat(200_000)),
        json!(i64::MAX),
    ]
}

fn assert_contract_error(what: &str, res: &Answer) {
    assert!(res.status < 500, "{what}: {} {}", res.status, res.body);
    if res.status >= 400 {
        let body: Value = serde_json::from_str(&res.body)
            .unwrap_or_else(|_| panic!("{what}: not JSON: {}", res.body));
        assert!(
            body["error"].is_string() && body["message"].is_string(),
            "{what}: {}",
            res.body
        );
    }
}

async fn post_bytes(
    router: &Router,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
    who: &Session,
) -> Answer {
    let req = Request::post(path)
        .header("content-type", content_type)
        .header("cookie", who.cookies().join("; "))
        .body(Body::from(body))
        .unwrap();
    send(router, req).await
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn malformed_input_to_any_server_function_is_a_clear_4xx_never_a_5xx(pool: PgPool) {
    let router = seeded_router(pool.clone()).await;
    let (ids, _) = acme_records(&router, &pool).await;
    // Acme's owner, so that bodies of the right shape get past every role check.
    let owner = login_as(&router, "owner@acme.test").await;
    let paths = registered_paths();
    for path in &paths {
        for (what, body, must_refuse) in malformed_bodies() {
            let res = post_bytes(&router, path, "application/json", body, &owner).await;
            assert_contract_error(&format!("{path} {what}"), &res);
            assert!(
                res.status >= 400 || !must_refuse,
                "{path} accepted {what}: {}",
                res.body
            );
        }
        let res = post_bytes(&router, path, "text/plain", b"{}".to_vec(), &owner).await;
        assert_contract_error(&format!("{path} text/plain"), &res);
        let res = send(
            &router,
            Request::get(path.as_str()).body(Body::empty()).unwrap(),
        )
        .await;
        assert_contract_error(&format!("GET {path}"), &res);
    }
    // Every field of every well-formed body, in turn, of the wrong type or size; and missing.
    let shaped: Vec<(&str, Value)> = id_calls(&ids).into_iter().chain(other_calls()).collect();
    for (path, body) in shaped {
        let Value::Object(fields) = body else {
            unreachable!()
        };
        for field in fields.keys() {
            for wrong in wrong_values() {
                let mut bad = fields.clone();
                bad.insert(field.clone(), wrong.clone());
                let res = call(&router, &owner, path, &Value::Object(bad)).await;
                assert_contract_error(&format!("{path} {field}={wrong:.40}"), &res);
            }
            let mut missing = fields.clone();
            missing.remove(field);
            let res = call(&router, &owner, path, &Value::Object(missing)).await;
            assert_contract_error(&format!("{path} without {field}"), &res);
        }
    }
    // Still serving (the sweep's revoke-sessions without a scope signed everyone out).
    let owner = login_as(&router, "owner@acme.test").await;
    let res = call(&router, &owner, "/api/auth/session", &json!({})).await;
    assert_eq!(res.status, 200, "{}", res.body);
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_refresh_storm_with_replays_never_accepts_a_token_twice(pool: PgPool) {
    let router = seeded_router(pool.clone()).await;
    let keys = domain::auth::tokens::Keys::new(&crate::common::config(&[]).jwt_secret);
    let jti = |token: &str| {
        domain::auth::tokens::decode_refresh_any_age(&keys, token)
            .unwrap()
            .jti
    };
    let mut accepted: Vec<Uuid> = Vec::new();
    let mut seen_tokens: Vec<String> = Vec::new();
    // Eight logins; each round, every live token is presented 12 times at once, together with
    // every token spent in earlier rounds (replays).
    let mut live: Vec<String> = Vec::new();
    for _ in 0..8 {
        live.push(
            login_as(&router, "sam@acme.test")
                .await
                .refresh_token()
                .to_owned(),
        );
    }
    for _round in 0..5 {
        let mut attempts = Vec::new();
        for token in live
            .iter()
            .flat_map(|t| std::iter::repeat_n(t.clone(), 12))
            .chain(seen_tokens.clone())
        {
            let router = router.clone();
            attempts.push(async move {
                let body = json!({ "refresh_token": token }).to_string();
                let res = post_with_cookies(&router, "/api/auth/refresh", &body, &[]).await;
                (token, res)
            });
        }
        let answers = join_all(attempts).await;
        seen_tokens.append(&mut live);
        for (token, res) in answers {
            assert!(
                res.status == 200 || res.status == 401,
                "{}: {}",
                res.status,
                res.body
            );
            if res.status == 200 {
                accepted.push(jti(&token));
                live.push(
                    crate::common::cookie_pair(&res, "rf_refresh")
                        .unwrap()
                        .split_once('=')
                        .unwrap()
                        .1
                        .to_owned(),
                );
            } else {
                assert_eq!(res.json()["error"], "invalid_refresh_token", "{}", res.body);
            }
        }
    }
    let unique: HashSet<&Uuid> = accepted.iter().collect();
    assert_eq!(
        unique.len(),
        accepted.len(),
        "a refresh token was accepted twice"
    );
    // Each login rotated once per round, no more and no less.
    assert_eq!(accepted.len(), 8 * 5);
}

fn assert_forbidden(path: &str, res: &Answer) {
    assert_eq!(
        (res.status, res.json()["error"].as_str()),
        (403, Some("forbidden")),
        "{path}: {}",
        res.body
    );
}

/// What a viewer may not do, though the records are theirs to read (docs/API.md §6: viewers
/// read, never act): every call that writes to a session, a handoff or a fix.
const VIEWER_REFUSED: [&str; 9] = [
    "/api/sessions/message",
    "/api/sessions/step",
    "/api/sessions/resolve",
    "/api/handoffs/create",
    "/api/handoffs/claim",
    "/api/fixes/suggest",
    "/api/fixes/outcome",
    "/api/kb/draft",
    "/api/kb/convert",
];

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_viewer_is_refused_every_action_on_a_session_and_nothing_changes(pool: PgPool) {
    let router = seeded_router(pool.clone()).await;
    let (ids, _) = acme_records(&router, &pool).await;
    let before = acme_state(&pool).await;
    let val = login_as(&router, "val@acme.test").await;
    let read = call(
        &router,
        &val,
        "/api/sessions/get",
        &json!({ "session_id": ids.session }),
    )
    .await;
    assert_eq!(read.status, 200, "the escalated session is Val's to read");
    let calls: Vec<(&str, Value)> = id_calls(&ids)
        .into_iter()
        .filter(|(path, _)| VIEWER_REFUSED.contains(path))
        .collect();
    assert_eq!(calls.len(), VIEWER_REFUSED.len(), "each has a body here");
    for (path, body) in calls {
        let res = call(&router, &val, path, &body).await;
        assert_forbidden(path, &res);
    }
    assert_eq!(acme_state(&pool).await, before);
}

/// Every state-changing endpoint, not only sign-in, refuses another site's request (and the
/// forms too); nothing it asked for happens.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn another_sites_request_is_refused_by_every_endpoint(pool: PgPool) {
    let router = seeded_router(pool.clone()).await;
    let (ids, _) = acme_records(&router, &pool).await;
    let before = acme_state(&pool).await;
    let owner = login_as(&router, "owner@acme.test").await;
    let calls = every_call(&ids)
        .into_iter()
        .chain([("/login", json!({})), ("/logout", json!({}))]);
    for (path, body) in calls {
        let req = Request::post(path)
            .header("content-type", "application/json")
            .header("host", "127.0.0.1:3000")
            .header("origin", "https://evil.example")
            .header("cookie", owner.cookies().join("; "))
            .body(Body::from(body.to_string()))
            .unwrap();
        let res = send(&router, req).await;
        assert_forbidden(path, &res);
    }
    assert_eq!(acme_state(&pool).await, before);
    let res = call(&router, &owner, "/api/auth/session", &json!({})).await;
    assert_eq!(res.status, 200, "the owner is still signed in");
}

/// A body over 64 KiB is refused with 413 by every server function, before it is read as JSON.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_body_over_the_cap_is_413_at_every_server_function(pool: PgPool) {
    let router = seeded_router(pool).await;
    let owner = login_as(&router, "owner@acme.test").await;
    let huge = json!({ "body": "a".repeat(resolutionflow::http::MAX_API_BODY) }).to_string();
    for path in registered_paths() {
        let res = post_bytes(
            &router,
            &path,
            "application/json",
            huge.clone().into_bytes(),
            &owner,
        )
        .await;
        assert_eq!(
            (res.status, res.json()["error"].as_str()),
            (413, Some("payload_too_large")),
            "{path}"
        );
    }
    let at_cap = "a".repeat(resolutionflow::http::MAX_API_BODY - 2);
    let res = post_bytes(
        &router,
        "/api/auth/session",
        "application/json",
        format!("{{{at_cap}}}").into_bytes(),
        &owner,
    )
    .await;
    assert_eq!(res.status, 400, "at the cap it is read (and is not JSON)");
}
