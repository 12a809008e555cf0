//! Sign-in over HTTP: the JSON API, cookies, throttling, the page-load refresh, CSRF and the
//! sign-in form for browsers without JavaScript.

use crate::common::{cookie_pair, post_json, post_with_cookies, send, set_cookies, Answer};
use axum::{body::Body, http::Request, Router};
use chrono::{Duration, Utc};
use domain::{
    auth::tokens::{self, Keys},
    db, seed,
};
use sqlx::PgPool;

const JANE: &str = r#"{"email":"jane@acme.test","password":"resolutionflow-demo"}"#;

async fn app(pool: PgPool, extra: &[(&str, &str)]) -> Router {
    seed::seed_demo(&pool).await.unwrap();
    resolutionflow::http::router(crate::common::state(pool, crate::common::config(extra)).await)
}

async fn page(router: &Router, path: &str, cookies: &[String]) -> Answer {
    page_from(router, path, cookies, "resolutionflow-tests").await
}

/// A page load by the browser `user_agent` names.
async fn page_from(router: &Router, path: &str, cookies: &[String], user_agent: &str) -> Answer {
    let req = Request::get(path)
        .header("accept", "text/html")
        .header("cookie", cookies.join("; "))
        .header("user-agent", user_agent)
        .body(Body::empty())
        .unwrap();
    send(router, req).await
}

async fn login(router: &Router) -> (String, String) {
    let res = post_json(router, "/api/auth/login", JANE).await;
    assert_eq!(res.status, 200, "{}", res.body);
    (
        cookie_pair(&res, "rf_access").expect("access cookie"),
        cookie_pair(&res, "rf_refresh").expect("refresh cookie"),
    )
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn login_answers_the_user_and_windows_and_sets_both_cookies(pool: PgPool) {
    let router = app(pool, &[]).await;
    let res = post_json(&router, "/api/auth/login", JANE).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let body = res.json();
    assert_eq!(body["user"]["email"], "jane@acme.test");
    assert_eq!(body["user"]["name"], "Jane Junior");
    assert_eq!(body["user"]["role"], "engineer");
    assert_eq!(
        body["user"]["account_id"],
        seed::demo_account_id("acme").to_string()
    );
    assert!(body["idle_expires_at"].as_str().unwrap().ends_with('Z'));
    assert!(body["absolute_expires_at"].as_str().unwrap().ends_with('Z'));
    assert!(
        body.get("access_token").is_none(),
        "tokens stay out of the body unless asked for"
    );

    let cookies = set_cookies(&res);
    for name in ["rf_access", "rf_refresh"] {
        let c = cookies.iter().find(|c| c.starts_with(name)).expect(name);
        for attr in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="] {
            assert!(c.contains(attr), "{name} lacks {attr}: {c}");
        }
        assert!(
            !c.contains("Secure"),
            "RF_COOKIE_SECURE=false drops Secure: {c}"
        );
    }
    let access = cookies.iter().find(|c| c.starts_with("rf_access")).unwrap();
    assert!(access.contains("Max-Age=300"), "{access}");
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn secure_cookies_use_the_host_prefix(pool: PgPool) {
    let router = app(pool, &[("RF_COOKIE_SECURE", "true")]).await;
    let res = post_json(&router, "/api/auth/login", JANE).await;
    for name in ["__Host-rf_access", "__Host-rf_refresh"] {
        let c = set_cookies(&res)
            .into_iter()
            .find(|c| c.starts_with(name))
            .expect(name);
        assert!(
            c.contains("; Secure") && c.contains("Path=/") && !c.contains("Domain"),
            "{c}"
        );
    }
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn tokens_come_in_the_body_only_when_asked(pool: PgPool) {
    let router = app(pool, &[]).await;
    let res = post_json(
        &router,
        "/api/auth/login",
        r#"{"email":"jane@acme.test","password":"resolutionflow-demo","token_in_body":true}"#,
    )
    .await;
    let body = res.json();
    let refresh = body["refresh_token"]
        .as_str()
        .expect("refresh_token in body");
    let access = body["access_token"].as_str().expect("access_token in body");

    // An API client: bearer for the session, the body for refresh.
    let req = Request::post("/api/auth/session")
        .header("authorization", format!("Bearer {access}"))
        .header("content-type", "application/json")
        .body(Body::from("{}"))
        .unwrap();
    let res = send(&router, req).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["user"]["email"], "jane@acme.test");

    let res = post_json(
        &router,
        "/api/auth/refresh",
        &format!(r#"{{"refresh_token":"{refresh}"}}"#),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(
        res.json()["refresh_token"].is_string(),
        "the rotated token comes back in the body"
    );
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn wrong_password_and_unknown_email_get_the_same_401(pool: PgPool) {
    let router = app(pool, &[]).await;
    let a = post_json(
        &router,
        "/api/auth/login",
        r#"{"email":"jane@acme.test","password":"nope"}"#,
    )
    .await;
    let b = post_json(
        &router,
        "/api/auth/login",
        r#"{"email":"who@acme.test","password":"nope"}"#,
    )
    .await;
    assert_eq!((a.status, b.status), (401, 401));
    assert_eq!(a.body, b.body);
    assert_eq!(a.json()["error"], "invalid_credentials");
    assert!(set_cookies(&a).is_empty());
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn repeated_failures_are_throttled_with_retry_after(pool: PgPool) {
    let router = app(pool, &[]).await;
    let wrong = r#"{"email":"jane@acme.test","password":"guess"}"#;
    for _ in 0..5 {
        assert_eq!(
            post_json(&router, "/api/auth/login", wrong).await.status,
            401
        );
    }
    let res = post_json(&router, "/api/auth/login", JANE).await;
    assert_eq!(
        res.status, 429,
        "even the right password waits out the lock"
    );
    assert_eq!(res.json()["error"], "rate_limited");
    let retry: i64 = res.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    // Other users are not locked out.
    let res = post_json(
        &router,
        "/api/auth/login",
        r#"{"email":"sam@acme.test","password":"resolutionflow-demo"}"#,
    )
    .await;
    assert_eq!(res.status, 200);
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn empty_fields_and_malformed_bodies_are_4xx_never_5xx(pool: PgPool) {
    let router = app(pool, &[]).await;
    let res = post_json(&router, "/api/auth/login", r#"{"email":"","password":""}"#).await;
    assert_eq!(res.status, 422);
    assert_eq!(res.json()["fields"]["email"], "Enter your e-mail.");
    for body in [
        "{",
        "[]",
        r#"{"email":1,"password":true}"#,
        r#"{"email":"a"}"#,
        "\u{0}",
    ] {
        let res = post_json(&router, "/api/auth/login", body).await;
        assert_eq!(res.status, 400, "{body:?} -> {}", res.body);
        assert_eq!(res.json()["error"], "bad_request");
    }
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn refresh_rotates_the_cookies_and_the_old_token_is_spent(pool: PgPool) {
    let router = app(pool, &[]).await;
    let (_, refresh) = login(&router).await;
    let res = post_with_cookies(
        &router,
        "/api/auth/refresh",
        "{}",
        std::slice::from_ref(&refresh),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(res.json()["idle_expires_at"].is_string());
    let rotated = cookie_pair(&res, "rf_refresh").expect("rotated refresh cookie");
    assert_ne!(rotated, refresh);
    assert!(cookie_pair(&res, "rf_access").is_some());

    let again = post_with_cookies(&router, "/api/auth/refresh", "{}", &[refresh]).await;
    assert_eq!(again.status, 401);
    assert_eq!(again.json()["error"], "invalid_refresh_token");
    assert!(
        set_cookies(&again).is_empty(),
        "a concurrent loser never clears the winner's cookies"
    );

    let none = post_json(&router, "/api/auth/refresh", "{}").await;
    assert_eq!(
        (none.status, none.json()["error"].as_str()),
        (401, Some("invalid_refresh_token"))
    );
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn session_needs_an_access_token_and_logout_ends_it(pool: PgPool) {
    let router = app(pool, &[]).await;
    let anonymous = post_json(&router, "/api/auth/session", "{}").await;
    assert_eq!(
        (anonymous.status, anonymous.json()["error"].as_str()),
        (401, Some("not_authenticated"))
    );

    let (access, refresh) = login(&router).await;
    let cookies = [access, refresh.clone()];
    let res = post_with_cookies(&router, "/api/auth/session", "{}", &cookies).await;
    assert_eq!(res.status, 200);
    let body = res.json();
    assert_eq!(body["user"]["name"], "Jane Junior");
    assert!(body["idle_expires_at"].is_string() && body["absolute_expires_at"].is_string());

    let out = post_with_cookies(&router, "/api/auth/logout", "{}", &cookies).await;
    assert_eq!(out.status, 200);
    assert_both_cleared(&out);
    let after = post_with_cookies(&router, "/api/auth/refresh", "{}", &[refresh]).await;
    assert_eq!(after.json()["error"], "invalid_refresh_token");
}

/// The answer sets both cookies, each emptied and expired at once.
fn assert_both_cleared(res: &Answer) {
    for name in ["rf_access", "rf_refresh"] {
        let line = set_cookies(res)
            .into_iter()
            .find(|c| c.starts_with(&format!("{name}=;")))
            .unwrap_or_else(|| panic!("{name} cleared: {:?}", set_cookies(res)));
        assert!(line.contains("Max-Age=0"), "{line}");
    }
}

/// Jane's refresh token re-signed with `change` applied to its claims (its `jti` stays a live row).
pub(crate) fn forged(
    refresh_cookie: &str,
    change: impl FnOnce(&mut tokens::RefreshClaims),
) -> String {
    let keys = Keys::new(&crate::common::config(&[]).jwt_secret);
    let mut claims =
        tokens::decode_refresh_any_age(&keys, refresh_cookie.split_once('=').unwrap().1).unwrap();
    change(&mut claims);
    format!("rf_refresh={}", tokens::encode_token(&keys, &claims))
}

async fn refresh_with(router: &Router, cookie: String) -> Answer {
    post_with_cookies(router, "/api/auth/refresh", "{}", &[cookie]).await
}

/// Every 401 of the refresh taxonomy as the browser reads it, off `/api/auth/refresh` itself
/// (docs/API.md §3); each refused cookie is cleared, so the page goes to sign-in.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn refresh_answers_each_code_of_its_taxonomy_on_the_wire(pool: PgPool) {
    let router = app(pool, &[]).await;
    let now = Utc::now().timestamp();
    let (access, refresh) = login(&router).await;
    let abs_max = 14 * 24 * 3600;
    // In this order: only the absolute case gets as far as spending the token (step 4).
    let cases = [
        (
            "an expired signature",
            forged(&refresh, |c| c.exp = now - 1),
            "session_expired_idle",
        ),
        (
            "the absolute deadline itself",
            forged(&refresh, |c| c.auth_time = Some(now - abs_max)),
            "session_expired_absolute",
        ),
        (
            "an access token",
            access.replace("rf_access=", "rf_refresh="),
            "invalid_refresh_token",
        ),
        (
            "another server's signature",
            format!(
                "rf_refresh={}",
                tokens::encode_token(
                    &Keys::new(b"another-secret-another-secret-another"),
                    &tokens::decode_refresh_any_age(
                        &Keys::new(&crate::common::config(&[]).jwt_secret),
                        refresh.split_once('=').unwrap().1
                    )
                    .unwrap()
                )
            ),
            "invalid_refresh_token",
        ),
    ];
    for (what, cookie, code) in cases {
        let res = refresh_with(&router, cookie).await;
        assert_eq!(
            (res.status, res.json()["error"].as_str()),
            (401, Some(code)),
            "{what}: {}",
            res.body
        );
        assert_both_cleared(&res);
    }
}

/// Marks the token in `cookie` as rotated `seconds` ago.
async fn rotated_ago(pool: &PgPool, cookie: &str, seconds: i64) {
    let keys = Keys::new(&crate::common::config(&[]).jwt_secret);
    let jti = tokens::decode_refresh_any_age(&keys, cookie.split_once('=').unwrap().1)
        .unwrap()
        .jti;
    sqlx::query(
        "UPDATE refresh_tokens SET rotated_at = now() - make_interval(secs => $2), \
         revoked_at = now() - make_interval(secs => $2) WHERE jti = $1",
    )
    .bind(jti)
    .bind(seconds as f64)
    .execute(pool)
    .await
    .unwrap();
}

/// A spent token used again within 30 s is a concurrent tab (the login lives on); after 30 s
/// it is a replay, and the whole login ends, audited. The window is pinned by its value here,
/// over HTTP: 28 s and 32 s after the rotation.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_spent_token_is_a_concurrent_tab_for_30_seconds_and_a_replay_after(pool: PgPool) {
    let router = app(pool.clone(), &[]).await;
    let (_, first) = login(&router).await;
    let second = cookie_pair(&refresh_with(&router, first.clone()).await, "rf_refresh").unwrap();

    rotated_ago(&pool, &first, 28).await;
    let late_tab = refresh_with(&router, first.clone()).await;
    assert_eq!(late_tab.json()["error"], "invalid_refresh_token");
    assert!(
        set_cookies(&late_tab).is_empty(),
        "the winner's cookies stay"
    );
    let third = refresh_with(&router, second.clone()).await;
    assert_eq!(third.status, 200, "the login lives on: {}", third.body);
    let third = cookie_pair(&third, "rf_refresh").unwrap();
    assert!(crate::common::audits(&pool, "auth.refresh_token_reused")
        .await
        .is_empty());

    rotated_ago(&pool, &second, 32).await;
    let replay = refresh_with(&router, second).await;
    assert_eq!(replay.json()["error"], "invalid_refresh_token");
    let after = refresh_with(&router, third.clone()).await;
    assert_eq!(
        (after.status, after.json()["error"].as_str()),
        (401, Some("invalid_refresh_token")),
        "the replay ended the whole login"
    );
    let keys = Keys::new(&crate::common::config(&[]).jwt_secret);
    let claims = tokens::decode_refresh_any_age(&keys, third.split_once('=').unwrap().1).unwrap();
    assert_eq!(
        crate::common::audits(&pool, "auth.refresh_token_reused").await,
        [serde_json::json!({ "family_id": claims.fam, "user_id": claims.sub })]
    );
}

/// An API client's token in the body is the one used, whatever cookie comes along.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_refresh_token_in_the_body_takes_precedence_over_the_cookie(pool: PgPool) {
    let router = app(pool, &[]).await;
    let (_, spent) = login(&router).await;
    refresh_with(&router, spent.clone()).await;
    let (_, live) = login(&router).await;
    let body = |cookie: &str| {
        serde_json::json!({ "refresh_token": cookie.split_once('=').unwrap().1 }).to_string()
    };

    let res = post_with_cookies(
        &router,
        "/api/auth/refresh",
        &body(&live),
        std::slice::from_ref(&spent),
    )
    .await;
    assert_eq!(res.status, 200, "the body's live token: {}", res.body);
    assert!(res.json()["refresh_token"].is_string(), "{}", res.body);

    let (_, untouched) = login(&router).await;
    let res = post_with_cookies(
        &router,
        "/api/auth/refresh",
        &body(&spent),
        std::slice::from_ref(&untouched),
    )
    .await;
    assert_eq!(
        res.json()["error"],
        "invalid_refresh_token",
        "the body's spent token"
    );
    assert_eq!(
        refresh_with(&router, untouched).await.status,
        200,
        "the cookie's token was never presented"
    );
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_page_load_with_only_a_refresh_cookie_is_refreshed_in_place(pool: PgPool) {
    let router = app(pool, &[]).await;
    let (_, refresh) = login(&router).await;
    let res = page(&router, "/", &[refresh]).await;
    assert_eq!(res.status, 200, "not bounced to /login");
    assert!(
        res.body.contains("Welcome back, Jane"),
        "rendered for the user"
    );
    assert!(cookie_pair(&res, "rf_access").is_some() && cookie_pair(&res, "rf_refresh").is_some());
}

/// The tab's own refresh rotated the token, then a navigation cancelled that fetch: its answer,
/// and the new cookies with it, never landed. The page load that follows still presents the
/// spent token; it is given the rotation's token again (the same one) and goes on signed in.
/// Another browser presenting that spent token gets the page, never the token.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_page_load_that_lost_its_tabs_rotation_gets_that_token_again(pool: PgPool) {
    let router = app(pool, &[]).await;
    let (_, spent) = login(&router).await;
    let lost = refresh_with(&router, spent.clone()).await;
    assert_eq!(lost.status, 200, "{}", lost.body);
    let successor = cookie_pair(&lost, "rf_refresh").unwrap();

    let elsewhere = page_from(&router, "/", std::slice::from_ref(&spent), "curl/8.5.0").await;
    assert_eq!(elsewhere.status, 200);
    assert_eq!(
        cookie_pair(&elsewhere, "rf_refresh"),
        None,
        "not to another browser"
    );

    let res = page(&router, "/", &[spent]).await;
    assert_eq!(res.status, 200);
    assert!(
        res.body.contains("Welcome back, Jane"),
        "rendered for the user"
    );
    assert_eq!(
        cookie_pair(&res, "rf_refresh"),
        Some(successor.clone()),
        "the rotation's own token, delivered again"
    );
    assert!(cookie_pair(&res, "rf_access").is_some());
    assert_eq!(
        refresh_with(&router, successor).await.status,
        200,
        "and it works"
    );
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn pages_send_the_signed_out_to_login_with_the_reason(pool: PgPool) {
    let router = app(pool, &[]).await;
    let res = page(&router, "/", &[]).await;
    assert_eq!(res.status, 302);
    assert_eq!(res.headers["location"], "/login?next=/");

    // An idle-expired refresh cookie: the banner reason, and the dead cookies cleared.
    let (_, refresh) = login(&router).await;
    let keys = Keys::new(&crate::common::config(&[]).jwt_secret);
    let mut claims =
        tokens::decode_refresh_any_age(&keys, refresh.split_once('=').unwrap().1).unwrap();
    claims.exp = (Utc::now() - Duration::minutes(1)).timestamp();
    let expired = format!("rf_refresh={}", tokens::encode_token(&keys, &claims));
    let res = page(&router, "/", &[expired]).await;
    assert_eq!(res.status, 302);
    assert_eq!(
        res.headers["location"],
        "/login?reason=session_expired&next=/"
    );
    assert!(set_cookies(&res)
        .iter()
        .any(|c| c.starts_with("rf_refresh=;") && c.contains("Max-Age=0")));

    // A revoked login is a plain sign-out: no banner.
    let (_, refresh) = login(&router).await;
    post_with_cookies(
        &router,
        "/api/auth/logout",
        "{}",
        std::slice::from_ref(&refresh),
    )
    .await;
    let res = page(&router, "/", &[refresh]).await;
    assert_eq!(res.headers["location"], "/login?next=/");
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_cross_site_post_is_forbidden(pool: PgPool) {
    let router = app(pool, &[]).await;
    let req = Request::post("/api/auth/login")
        .header("content-type", "application/json")
        .header("host", "127.0.0.1:3000")
        .header("origin", "https://evil.example")
        .body(Body::from(JANE))
        .unwrap();
    let res = send(&router, req).await;
    assert_eq!(res.status, 403);
    assert_eq!(res.json()["error"], "forbidden");

    let req = Request::post("/api/auth/login")
        .header("content-type", "application/json")
        .header("host", "127.0.0.1:3000")
        .header("origin", "http://127.0.0.1:3000")
        .body(Body::from(JANE))
        .unwrap();
    assert_eq!(send(&router, req).await.status, 200, "same-origin passes");

    // Under `Referrer-Policy: no-referrer` a browser's form says `Origin: null`; then its
    // `Sec-Fetch-Site` tells this site's own form from another site's.
    for (site, status) in [
        ("same-origin", 303),
        ("cross-site", 403),
        ("same-site", 403),
    ] {
        let req = Request::post("/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("host", "127.0.0.1:3000")
            .header("origin", "null")
            .header("sec-fetch-site", site)
            .body(Body::from(
                "email=jane%40acme.test&password=resolutionflow-demo&next=%2F",
            ))
            .unwrap();
        assert_eq!(
            send(&router, req).await.status,
            status,
            "Origin: null from {site}"
        );
    }
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn the_sign_in_form_works_without_javascript(pool: PgPool) {
    let router = app(pool, &[]).await;
    let form = |body: &str| {
        Request::post("/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body.to_owned()))
            .unwrap()
    };
    let ok = send(
        &router,
        form("email=jane%40acme.test&password=resolutionflow-demo&next=%2Fpilot%2F1"),
    )
    .await;
    assert_eq!(ok.status, 303);
    assert_eq!(ok.headers["location"], "/pilot/1");
    assert!(cookie_pair(&ok, "rf_refresh").is_some());

    let bad = send(
        &router,
        form("email=jane%40acme.test&password=nope&next=%2F%2Fevil.test"),
    )
    .await;
    assert_eq!(bad.status, 303);
    assert_eq!(
        bad.headers["location"],
        "/login?error=invalid_credentials&next=%2F"
    );

    // The address comes back in the form, from a short-lived cookie and never the URL.
    let kept = set_cookies(&bad)
        .into_iter()
        .find(|c| c.starts_with("rf_typed_email="))
        .expect("the typed address is kept");
    assert!(
        kept.starts_with("rf_typed_email=jane%40acme.test;")
            && kept.contains("HttpOnly")
            && kept.contains("Max-Age=300"),
        "{kept}"
    );
    let again = page(
        &router,
        "/login?error=invalid_credentials",
        &[cookie_pair(&bad, "rf_typed_email").unwrap()],
    )
    .await;
    assert!(
        again.body.contains(r#"value="jane@acme.test""#),
        "the form is filled in again"
    );
    let fresh = page(&router, "/login", &[]).await;
    assert!(
        !fresh.body.contains("jane@acme.test"),
        "and only for that browser"
    );
    // A sign-in that works forgets it.
    let forgets = set_cookies(&ok)
        .into_iter()
        .find(|c| c.starts_with("rf_typed_email="))
        .expect("a good sign-in clears it");
    assert!(forgets.contains("Max-Age=0"), "{forgets}");
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn forgot_password_works_without_javascript(pool: PgPool) {
    let router = app(pool.clone(), &[]).await;
    for email in ["jane%40acme.test", "nobody%40nowhere.test"] {
        let req = Request::post("/forgot-password")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(format!("email={email}")))
            .unwrap();
        let res = send(&router, req).await;
        assert_eq!(res.status, 303, "{email}");
        assert_eq!(
            res.headers["location"], "/forgot-password?sent=1",
            "the same for {email}"
        );
    }
    let confirmed = page(&router, "/forgot-password?sent=1", &[]).await;
    assert!(confirmed.body.contains("a reset link is on its way"));
    // The request went through: Jane's link is recorded as mailed.
    crate::common::eventually("the reset mail is recorded", async || {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM outbound_emails WHERE recipient = 'jane@acme.test'",
        )
        .fetch_one(&pool)
        .await
        .unwrap()
            == 1
    })
    .await;
}

/// `next` that a browser would turn into another host (a tab it drops, a backslash it reads as
/// a slash) sends the signed-in user home instead.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn sign_in_never_redirects_to_another_host(pool: PgPool) {
    let router = app(pool, &[]).await;
    for next in [
        "%2F%09%2Fevil.test",
        "%2F%0A%2Fevil.test",
        "%2F%5Cevil.test",
        "%2F%2Fevil.test",
    ] {
        let req = Request::post("/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "email=jane%40acme.test&password=resolutionflow-demo&next={next}"
            )))
            .unwrap();
        let res = send(&router, req).await;
        assert_eq!(res.status, 303, "{next}");
        assert_eq!(res.headers["location"], "/", "{next}");
    }
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_huge_body_is_413_whether_declared_or_streamed(pool: PgPool) {
    let router = app(pool, &[]).await;
    let huge = format!(r#"{{"email":"{}","password":"x"}}"#, "a".repeat(200_000));
    let res = post_json(&router, "/api/auth/login", &huge).await;
    assert_eq!(res.status, 413, "{}", &res.body[..res.body.len().min(200)]);
    assert_eq!(res.json()["error"], "payload_too_large");

    // No Content-Length: the body arrives as a stream and is cut off at the cap.
    let chunks = futures::stream::iter((0..40).map(|_| Ok::<_, std::io::Error>(vec![b' '; 8192])));
    let req = Request::post("/api/auth/login")
        .header("content-type", "application/json")
        .body(Body::from_stream(chunks))
        .unwrap();
    let res = send(&router, req).await;
    assert_eq!(res.status, 413, "{}", res.body);
    assert_eq!(res.json()["error"], "payload_too_large");
}
