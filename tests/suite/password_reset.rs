//! Password reset over the real router, with the link read from mail delivered to a real SMTP
//! sink: the same answer for unknown addresses, the token hashed at rest, single use, expiry,
//! and every login of the user revoked on success.

use crate::common::{login_as, peers, post_json, post_with_cookies};
use axum::Router;
use domain::{db, links::hash as hash_token, seed};
use resolutionflow::http;
use serde_json::json;
use sqlx::PgPool;

async fn app(pool: PgPool, smtp: &str) -> Router {
    seed::seed_demo(&pool).await.unwrap();
    http::router(crate::common::state(pool, crate::common::config(&[("RF_SMTP_URL", smtp)])).await)
}

async fn tokens(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar("SELECT token_hash FROM password_reset_tokens ORDER BY created_at")
        .fetch_all(pool)
        .await
        .unwrap()
}

/// The token of the `n`-th reset mail in the inbox, read off its link.
async fn mailed_token(inbox: &peers::Inbox, n: usize) -> String {
    peers::mailed_token(inbox, n, "reset-password").await
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_reset_link_works_once_is_hashed_at_rest_and_signs_every_device_out(pool: PgPool) {
    let (smtp, inbox) = peers::smtp_sink(false).await;
    let router = app(pool.clone(), &smtp).await;
    let jane_elsewhere = login_as(&router, "jane@acme.test").await;

    // Known and unknown addresses get the same answer; only the known one gets a link.
    let unknown = post_json(
        &router,
        "/api/auth/forgot-password",
        &json!({ "email": "nobody@acme.test" }).to_string(),
    )
    .await;
    let known = post_json(
        &router,
        "/api/auth/forgot-password",
        &json!({ "email": "Jane@Acme.test" }).to_string(),
    )
    .await;
    assert_eq!((unknown.status, &unknown.body), (known.status, &known.body));
    assert_eq!(known.json(), json!({ "ok": true }));
    let token = mailed_token(&inbox, 1).await;
    assert_eq!(
        inbox.lock().unwrap().len(),
        1,
        "no mail for the unknown address"
    );
    assert_eq!(inbox.lock().unwrap()[0].0, ["jane@acme.test"]);

    // Stored only as its hash, and the recorded mail keeps no link either.
    let stored = tokens(&pool).await;
    assert_eq!(stored, [hash_token(&token)]);
    let bodies: Vec<String> = sqlx::query_scalar("SELECT body FROM outbound_emails")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert!(bodies
        .iter()
        .all(|b| !b.contains(&token) && b.contains("[reset link]")));

    // Too short a password changes nothing and leaves the link usable.
    let redeem = |password: &str| json!({ "token": token, "password": password }).to_string();
    let res = post_json(&router, "/api/auth/reset-password", &redeem("short")).await;
    assert_eq!(res.status, 422);
    assert!(res.json()["fields"]["password"]
        .as_str()
        .unwrap()
        .contains("12"));

    let res = post_json(
        &router,
        "/api/auth/reset-password",
        &redeem("a brand new passphrase"),
    )
    .await;
    assert_eq!((res.status, res.json()), (200, json!({ "ok": true })));
    // Every login of Jane's is over; the new password signs her in; the old one doesn't.
    let res = post_with_cookies(
        &router,
        "/api/auth/refresh",
        "{}",
        &jane_elsewhere.cookies(),
    )
    .await;
    assert_eq!(res.status, 401);
    let login =
        |password: &str| json!({ "email": "jane@acme.test", "password": password }).to_string();
    assert_eq!(
        post_json(&router, "/api/auth/login", &login("a brand new passphrase"))
            .await
            .status,
        200
    );
    assert_eq!(
        post_json(&router, "/api/auth/login", &login(seed::DEMO_PASSWORD))
            .await
            .status,
        401
    );
    let audit: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE event_type = 'auth.password_reset'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(audit, 1);

    // Once only.
    let res = post_json(
        &router,
        "/api/auth/reset-password",
        &redeem("another new passphrase"),
    )
    .await;
    assert_eq!(res.status, 422);
    assert!(res.json()["fields"]["token"]
        .as_str()
        .unwrap()
        .contains("expired or was already used"));
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn an_expired_or_made_up_link_is_refused(pool: PgPool) {
    let (smtp, inbox) = peers::smtp_sink(false).await;
    let router = app(pool.clone(), &smtp).await;
    post_json(
        &router,
        "/api/auth/forgot-password",
        &json!({ "email": "sam@acme.test" }).to_string(),
    )
    .await;
    let token = mailed_token(&inbox, 1).await;
    sqlx::query("UPDATE password_reset_tokens SET expires_at = now() - interval '1 second'")
        .execute(&pool)
        .await
        .unwrap();
    for token in [token.as_str(), "0123456789abcdef", ""] {
        let res = post_json(
            &router,
            "/api/auth/reset-password",
            &json!({ "token": token, "password": "a long enough password" }).to_string(),
        )
        .await;
        assert_eq!(res.status, 422, "{token}");
        assert!(res.json()["fields"]["token"].is_string());
    }
    assert_eq!(
        post_json(
            &router,
            "/api/auth/login",
            &json!({ "email": "sam@acme.test", "password": seed::DEMO_PASSWORD }).to_string()
        )
        .await
        .status,
        200
    );

    // A flood of requests sends only a few links an hour.
    for _ in 0..6 {
        post_json(
            &router,
            "/api/auth/forgot-password",
            &json!({ "email": "sam@acme.test" }).to_string(),
        )
        .await;
    }
    // Two more links (one is out already); each request counts the links under a lock, so
    // once those are out no other can be.
    mailed_token(&inbox, 3).await;
    assert_eq!(tokens(&pool).await.len(), 3);
}

/// Redeeming a link ends every other link of that user: an older mail that reaches someone
/// else later opens nothing.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn redeeming_a_link_ends_the_users_other_links(pool: PgPool) {
    let (smtp, inbox) = peers::smtp_sink(false).await;
    let router = app(pool.clone(), &smtp).await;
    let ask = json!({ "email": "sam@acme.test" }).to_string();
    post_json(&router, "/api/auth/forgot-password", &ask).await;
    let older = mailed_token(&inbox, 1).await;
    post_json(&router, "/api/auth/forgot-password", &ask).await;
    let newer = mailed_token(&inbox, 2).await;
    assert_ne!(older, newer);
    let redeem =
        |token: &str| json!({ "token": token, "password": "a long enough password" }).to_string();
    let res = post_json(&router, "/api/auth/reset-password", &redeem(&newer)).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let res = post_json(&router, "/api/auth/reset-password", &redeem(&older)).await;
    assert_eq!(res.status, 422, "the older link still worked: {}", res.body);
    assert!(res.json()["fields"]["token"].is_string());
}
