//! Owner session security over HTTP (docs/API.md §4): the policy's validation cases, the bulk
//! revoke cases, active users, single-login revoke, and tenancy.

use crate::common::{login_as, post_with_cookies, Answer, Session};
use domain::{
    auth::tokens::{self, Keys},
    db, seed,
};
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;
use vocab::ids::AccountId;

async fn audits(pool: &PgPool, event: &str) -> Vec<(AccountId, Option<Uuid>, Value)> {
    sqlx::query_as("SELECT account_id, actor_user_id, payload FROM audit_events WHERE event_type = $1 ORDER BY id")
        .bind(event)
        .fetch_all(pool)
        .await
        .unwrap()
}

async fn security(router: &axum::Router, who: &Session) -> Answer {
    post_with_cookies(router, "/api/account/security", "{}", &who.cookies()).await
}

async fn update(router: &axum::Router, who: &Session, idle: Value, absolute: Value) -> Answer {
    let body =
        json!({ "session_idle_minutes": idle, "session_absolute_minutes": absolute }).to_string();
    post_with_cookies(
        router,
        "/api/account/security/update",
        &body,
        &who.cookies(),
    )
    .await
}

async fn revoke(router: &axum::Router, who: &Session, scope: &str) -> Answer {
    let body = json!({ "scope": scope }).to_string();
    post_with_cookies(
        router,
        "/api/account/security/revoke-sessions",
        &body,
        &who.cookies(),
    )
    .await
}

async fn refresh_status(router: &axum::Router, who: &Session) -> (u16, String) {
    let res = post_with_cookies(
        router,
        "/api/auth/refresh",
        "{}",
        std::slice::from_ref(&who.refresh),
    )
    .await;
    let code = if res.status == 200 {
        String::new()
    } else {
        res.json()["error"].as_str().unwrap().to_owned()
    };
    (res.status, code)
}

/// The login's refresh token no longer works: plain sign-out (no expiry banner).
async fn assert_signed_out(router: &axum::Router, who: &Session) {
    assert_eq!(
        refresh_status(router, who).await,
        (401, "invalid_refresh_token".into())
    );
}

// --- commit 5: the policy ------------------------------------------------------------------

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn the_view_starts_with_null_overrides_strict_defaults_and_bounds(pool: PgPool) {
    let router = crate::common::seeded_router(pool).await;
    let owner = login_as(&router, "owner@acme.test").await;
    let res = security(&router, &owner).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let v = res.json();
    assert_eq!(v["session_idle_minutes"], Value::Null);
    assert_eq!(v["session_absolute_minutes"], Value::Null);
    assert_eq!(
        (
            v["effective_idle_minutes"].as_i64(),
            v["effective_absolute_minutes"].as_i64()
        ),
        (Some(4320), Some(20160))
    );
    assert_eq!(
        v["defaults"],
        json!({ "idle_minutes": 4320, "absolute_minutes": 20160 })
    );
    assert_eq!(
        v["bounds"],
        json!({ "idle_min": 15, "idle_max": 43200, "absolute_min": 60, "absolute_max": 129600 })
    );
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn an_override_persists_and_the_next_login_carries_it(pool: PgPool) {
    let router = crate::common::seeded_router(pool).await;
    let owner = login_as(&router, "owner@acme.test").await;
    let res = update(&router, &owner, json!(60), json!(240)).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(
        (
            res.json()["effective_idle_minutes"].as_i64(),
            res.json()["effective_absolute_minutes"].as_i64()
        ),
        (Some(60), Some(240))
    );

    let jane = login_as(&router, "jane@acme.test").await;
    let keys = Keys::new(&crate::common::config(&[]).jwt_secret);
    let claims = tokens::decode_refresh_any_age(&keys, jane.refresh_token()).unwrap();
    assert_eq!((claims.idle_max, claims.abs_max), (Some(3600), Some(14400)));
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn out_of_bounds_and_inconsistent_policies_are_422_and_change_nothing(pool: PgPool) {
    let router = crate::common::seeded_router(pool.clone()).await;
    let owner = login_as(&router, "owner@acme.test").await;
    let cases = [
        (json!(14), Value::Null, "session_idle_minutes"), // idle below its minimum
        (Value::Null, json!(129601), "session_absolute_minutes"), // absolute above its maximum
        (json!(600), json!(300), "session_idle_minutes"), // both set, idle > absolute
        (json!(43200), Value::Null, "session_idle_minutes"), // partial: 43200 > default 20160
    ];
    for (idle, absolute, field) in cases {
        let res = update(&router, &owner, idle.clone(), absolute.clone()).await;
        assert_eq!(res.status, 422, "{idle} / {absolute}: {}", res.body);
        assert_eq!(res.json()["error"], "validation_failed");
        assert!(
            res.json()["fields"][field].is_string(),
            "{field} named in {}",
            res.body
        );
    }
    let row: (Option<i32>, Option<i32>) = sqlx::query_as(
        "SELECT session_idle_minutes, session_absolute_minutes FROM accounts WHERE id = $1",
    )
    .bind(seed::demo_account_id("acme"))
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(row, (None, None));
    assert!(
        audits(&pool, "account.session_policy_update")
            .await
            .is_empty(),
        "no audit for a rejected call"
    );
}

/// Each bound is itself allowed: 15 and 43200 idle, 60 and 129600 absolute (docs/API.md §5).
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn the_bounds_themselves_are_accepted(pool: PgPool) {
    let router = crate::common::seeded_router(pool).await;
    let owner = login_as(&router, "owner@acme.test").await;
    for (idle, absolute) in [(15, 60), (43200, 129600), (15, 129600), (60, 60)] {
        let res = update(&router, &owner, json!(idle), json!(absolute)).await;
        assert_eq!(res.status, 200, "{idle} / {absolute}: {}", res.body);
        assert_eq!(
            (
                res.json()["effective_idle_minutes"].as_i64(),
                res.json()["effective_absolute_minutes"].as_i64()
            ),
            (Some(idle), Some(absolute))
        );
    }
    for (idle, absolute, field) in [
        (43201, 129600, "session_idle_minutes"),
        (15, 59, "session_absolute_minutes"),
        (15, 129601, "session_absolute_minutes"),
    ] {
        let res = update(&router, &owner, json!(idle), json!(absolute)).await;
        assert_eq!(res.status, 422, "{idle} / {absolute}: {}", res.body);
        assert!(res.json()["fields"][field].is_string(), "{}", res.body);
    }
}

/// Whatever writes the row, the database itself refuses idle > absolute when both are set.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn the_database_refuses_an_idle_window_longer_than_the_absolute_one(pool: PgPool) {
    seed::seed_demo(&pool).await.unwrap();
    let acme = seed::demo_account_id("acme");
    let set = |idle: i32, absolute: i32| {
        sqlx::query(
            "UPDATE accounts SET session_idle_minutes = $2, session_absolute_minutes = $3 WHERE id = $1",
        )
        .bind(acme)
        .bind(idle)
        .bind(absolute)
        .execute(&pool)
    };
    let refused = set(601, 600).await.expect_err("idle > absolute");
    assert_eq!(
        refused
            .as_database_error()
            .and_then(|e| e.code())
            .as_deref(),
        Some("23514"),
        "a CHECK violation: {refused}"
    );
    set(600, 600).await.expect("idle = absolute is allowed");
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn only_the_owner_may_read_or_change_the_policy(pool: PgPool) {
    let router = crate::common::seeded_router(pool.clone()).await;
    for email in ["jane@acme.test", "alex@acme.test", "val@acme.test"] {
        let user = login_as(&router, email).await;
        assert_eq!(security(&router, &user).await.status, 403, "{email}");
        let res = update(&router, &user, json!(60), json!(240)).await;
        assert_eq!(
            (res.status, res.json()["error"].as_str()),
            (403, Some("forbidden")),
            "{email}"
        );
        assert_eq!(revoke(&router, &user, "all").await.status, 403, "{email}");
    }
    assert_eq!(
        post_with_cookies(&router, "/api/account/security", "{}", &[])
            .await
            .status,
        401
    );
    assert!(audits(&pool, "account.sessions_revoked_bulk")
        .await
        .is_empty());
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_policy_change_writes_exactly_one_audit_row(pool: PgPool) {
    let router = crate::common::seeded_router(pool.clone()).await;
    let owner = login_as(&router, "owner@acme.test").await;
    assert_eq!(
        update(&router, &owner, json!(60), json!(240)).await.status,
        200
    );
    let rows = audits(&pool, "account.session_policy_update").await;
    assert_eq!(rows.len(), 1);
    let (account, actor, payload) = &rows[0];
    assert_eq!(*account, seed::demo_account_id("acme"));
    assert_eq!(*actor, Some(owner.user_id));
    assert_eq!(
        *payload,
        json!({
            "old": { "idle_minutes": null, "absolute_minutes": null },
            "new": { "idle_minutes": 60, "absolute_minutes": 240 },
            "effective_old": { "idle_minutes": 4320, "absolute_minutes": 20160 },
            "effective_new": { "idle_minutes": 60, "absolute_minutes": 240 },
        })
    );
}

// --- commit 6: revoking ----------------------------------------------------------------------

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn scope_all_signs_out_the_owner_too(pool: PgPool) {
    let router = crate::common::seeded_router(pool).await;
    let owner = login_as(&router, "owner@acme.test").await;
    let jane = login_as(&router, "jane@acme.test").await;
    let res = revoke(&router, &owner, "all").await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["revoked_count"], 2);
    assert_signed_out(&router, &owner).await;
    assert_signed_out(&router, &jane).await;
}

/// Revoking every login leaves the owner's access token working until its own expiry: the
/// answer and the page after it still load; only the next refresh is refused.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn the_callers_access_token_outlives_the_revoke(pool: PgPool) {
    let router = crate::common::seeded_router(pool).await;
    let owner = login_as(&router, "owner@acme.test").await;
    assert_eq!(revoke(&router, &owner, "all").await.status, 200);
    let res = security(&router, &owner).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["sessions"], json!([]), "no live login is listed");
    assert_signed_out(&router, &owner).await;
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn scope_others_keeps_every_login_of_the_caller(pool: PgPool) {
    let router = crate::common::seeded_router(pool).await;
    let owner = login_as(&router, "owner@acme.test").await;
    let owner_laptop = login_as(&router, "owner@acme.test").await;
    let jane = login_as(&router, "jane@acme.test").await;
    let res = revoke(&router, &owner, "others").await;
    assert_eq!(res.json()["revoked_count"], 1);
    assert_eq!(refresh_status(&router, &owner).await.0, 200);
    assert_eq!(refresh_status(&router, &owner_laptop).await.0, 200);
    assert_signed_out(&router, &jane).await;
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn revoking_never_reaches_another_account(pool: PgPool) {
    let router = crate::common::seeded_router(pool).await;
    let owner = login_as(&router, "owner@acme.test").await;
    let grace = login_as(&router, "owner@globex.test").await;
    let res = revoke(&router, &owner, "all").await;
    assert_eq!(res.json()["revoked_count"], 1);
    assert_eq!(refresh_status(&router, &grace).await.0, 200);
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_bulk_revoke_is_audited_once_and_a_repeat_revokes_nothing(pool: PgPool) {
    let router = crate::common::seeded_router(pool.clone()).await;
    let owner = login_as(&router, "owner@acme.test").await;
    login_as(&router, "jane@acme.test").await;
    assert_eq!(
        revoke(&router, &owner, "others").await.json()["revoked_count"],
        1
    );
    let rows = audits(&pool, "account.sessions_revoked_bulk").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].2, json!({ "scope": "others", "revoked_count": 1 }));

    assert_eq!(
        revoke(&router, &owner, "others").await.json()["revoked_count"],
        0
    );
    let rows = audits(&pool, "account.sessions_revoked_bulk").await;
    assert_eq!(rows.len(), 2, "the repeat is still the owner's action");
    assert_eq!(rows[1].2, json!({ "scope": "others", "revoked_count": 0 }));

    let res = revoke(&router, &owner, "everyone").await;
    assert_eq!(
        (res.status, res.json()["error"].as_str()),
        (422, Some("validation_failed"))
    );
    let res = post_with_cookies(
        &router,
        "/api/account/security/revoke-sessions",
        "{}",
        &owner.cookies(),
    )
    .await;
    assert_eq!(
        res.json()["revoked_count"],
        1,
        "the default scope is all: the owner's own login"
    );
}

// --- active users, single logins, tenancy ----------------------------------------------------

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn active_users_and_sessions_list_live_logins_newest_first(pool: PgPool) {
    let router = crate::common::seeded_router(pool).await;
    let jane = login_as(&router, "jane@acme.test").await;
    login_as(&router, "owner@globex.test").await;
    let owner = login_as(&router, "owner@acme.test").await;
    post_with_cookies(&router, "/api/auth/logout", "{}", &jane.cookies()).await;
    let sam = login_as(&router, "sam@acme.test").await;

    let v = security(&router, &owner).await.json();
    let users: Vec<(&str, bool)> = v["active_users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["email"].as_str().unwrap(), u["is_you"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        users,
        [("sam@acme.test", false), ("owner@acme.test", true)],
        "Jane signed out; Globex never listed"
    );
    assert!(v["active_users"][0]["last_login_at"].is_string());

    let sessions = v["sessions"].as_array().unwrap();
    let by: Vec<&str> = sessions
        .iter()
        .map(|s| s["user_name"].as_str().unwrap())
        .collect();
    assert_eq!(by, ["Sam Senior", "Olivia Owner"], "the newest login first");
    let mine = sessions
        .iter()
        .find(|s| s["user_id"] == owner.user_id.to_string())
        .unwrap();
    assert_eq!(mine["is_current"], true);
    assert_eq!(mine["user_agent"], "resolutionflow-tests");
    let sams = sessions
        .iter()
        .find(|s| s["user_id"] == sam.user_id.to_string())
        .unwrap();
    assert_eq!(
        (sams["is_current"].as_bool(), sams["user_name"].as_str()),
        (Some(false), Some("Sam Senior"))
    );
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn one_login_can_be_revoked_and_another_accounts_is_not_found(pool: PgPool) {
    let router = crate::common::seeded_router(pool.clone()).await;
    let owner = login_as(&router, "owner@acme.test").await;
    let sam_phone = login_as(&router, "sam@acme.test").await;
    let sam_laptop = login_as(&router, "sam@acme.test").await;
    let grace = login_as(&router, "owner@globex.test").await;

    let body = json!({ "session_id": sam_phone.family_id }).to_string();
    let res = post_with_cookies(
        &router,
        "/api/account/security/revoke-session",
        &body,
        &owner.cookies(),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["revoked_count"], 1);
    assert_eq!(refresh_status(&router, &sam_phone).await.0, 401);
    assert_eq!(
        refresh_status(&router, &sam_laptop).await.0,
        200,
        "Sam's other login stays"
    );
    let rows = audits(&pool, "account.session_revoked").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].2,
        json!({ "session_id": sam_phone.family_id, "user_id": sam_phone.user_id })
    );

    for missing in [grace.family_id, Uuid::new_v4()] {
        let body = json!({ "session_id": missing }).to_string();
        let res = post_with_cookies(
            &router,
            "/api/account/security/revoke-session",
            &body,
            &owner.cookies(),
        )
        .await;
        assert_eq!(
            (res.status, res.json()["error"].as_str()),
            (404, Some("not_found"))
        );
    }
    assert_eq!(
        refresh_status(&router, &grace).await.0,
        200,
        "Globex's login was not touched"
    );
    let res = post_with_cookies(
        &router,
        "/api/account/security/revoke-session",
        r#"{"session_id":"nope"}"#,
        &owner.cookies(),
    )
    .await;
    assert_eq!(res.status, 400);
}
