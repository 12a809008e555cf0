//! Single sign-on (docs/API.md §12) against a real OpenID Connect provider (`oidc-provider`,
//! started by each test): the browser's trip through `/auth/oidc/{provider}/start`, the
//! provider's sign-in form and back to the callback, and every way it must fail.

use crate::common::{
    audits, call, config, cookie_pair, get, login_as, peers, send, set_cookies, state, Answer,
    Session,
};
use axum::{body::Body, http::Request, Router};
use domain::{auth::tokens, db, seed};
use resolutionflow::http;
use serde_json::json;
use sqlx::PgPool;

/// Where the in-process server believes it lives (`RF_PUBLIC_URL`'s default): the provider
/// redirects the browser here, and the test hands that request to the router.
const SITE: &str = "http://127.0.0.1:3000";

struct Sso {
    router: Router,
    provider: peers::OidcProvider,
    inbox: peers::Inbox,
}

async fn app(pool: &PgPool) -> Sso {
    seed::seed_demo(pool).await.unwrap();
    let provider = peers::OidcProvider::start().await;
    let (smtp, inbox) = peers::smtp_sink(false).await;
    let mut env = provider.env();
    env.push(("RF_SMTP_URL".into(), smtp));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let router = http::router(state(pool.clone(), config(&env)).await);
    Sso {
        router,
        provider,
        inbox,
    }
}

fn location(res: &Answer) -> String {
    res.headers
        .get("location")
        .unwrap_or_else(|| panic!("{} without a location: {}", res.status, res.body))
        .to_str()
        .unwrap()
        .to_owned()
}

async fn get_with_cookie(router: &Router, path: &str, cookie: Option<&str>) -> Answer {
    let mut req = Request::get(path);
    if let Some(cookie) = cookie {
        req = req.header("cookie", cookie);
    }
    send(router, req.body(Body::empty()).unwrap()).await
}

/// A browser's trip from `start` to the provider's form, signed in there as `login`, and
/// back: the callback request the provider sent it to (a path on this site), the cookie
/// `start` set, and the provider's address it was sent to.
async fn through_provider(sso: &Sso, start: &str, login: &str) -> (String, String, String) {
    let res = get(&sso.router, start).await;
    assert_eq!(res.status, 302, "{}", res.body);
    let cookie = cookie_pair(&res, "rf_sso").expect("start sets the sign-on cookie");
    let authorize = location(&res);
    assert!(authorize.starts_with(&sso.provider.url), "{authorize}");
    let url = reqwest::Url::parse(&authorize).unwrap();
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let param = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert_eq!(param("code_challenge_method").as_deref(), Some("S256"));
    assert!(param("state").is_some() && param("nonce").is_some());
    let callback = at_provider(&authorize, login).await;
    (callback, cookie, authorize)
}

/// A fresh browser at the provider's `authorize` address, signed in there as `login`: the
/// callback path the provider sends it back to.
async fn at_provider(authorize: &str, login: &str) -> String {
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut url = reqwest::Url::parse(authorize).unwrap();
    for _ in 0..10 {
        let page = browser.get(url.clone()).send().await.unwrap();
        let next = if page.status().is_redirection() {
            page.headers()["location"].to_str().unwrap().to_owned()
        } else {
            // The provider's sign-in form: any password, the login names the person.
            let html = page.text().await.unwrap();
            assert!(html.contains(r#"name="login""#), "{html}");
            let answer = browser
                .post(url.clone())
                .form(&[("prompt", "login"), ("login", login), ("password", "any")])
                .send()
                .await
                .unwrap();
            assert!(answer.status().is_redirection(), "{}", answer.status());
            answer.headers()["location"].to_str().unwrap().to_owned()
        };
        url = url.join(&next).unwrap();
        if let Some(path) = url.as_str().strip_prefix(SITE) {
            return path.to_owned();
        }
    }
    panic!("the provider never sent the browser back");
}

/// Signs on as `login` from `start` to the callback's answer.
async fn sign_on(sso: &Sso, start: &str, login: &str) -> Answer {
    let (callback, cookie, _) = through_provider(sso, start, login).await;
    get_with_cookie(&sso.router, &callback, Some(&cookie)).await
}

fn refused(res: &Answer, reason: &str) {
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(location(res), format!("/login?reason={reason}"));
    assert!(
        cookie_pair(res, "rf_refresh").is_none(),
        "nobody is signed in"
    );
}

async fn users(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_member_signs_in_with_google_into_a_login_like_a_password_one(pool: PgPool) {
    let sso = app(&pool).await;
    let res = sign_on(&sso, "/auth/oidc/google/start?next=/kb", "JANE@acme.test").await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(location(&res), "/kb");
    assert!(
        set_cookies(&res).iter().any(|c| c.starts_with("rf_sso=;")),
        "the sign-on cookie is cleared"
    );
    let browser = Session::from_answer(&res);
    assert_eq!(browser.user_id, seed::demo_user_id("jane@acme.test").0);
    let keys = tokens::Keys::new(&config(&[]).jwt_secret);
    let claims = tokens::decode_refresh_any_age(&keys, browser.refresh_token()).unwrap();
    let (auth_time, idle_max, abs_max) = (
        claims.auth_time.unwrap(),
        claims.idle_max.unwrap(),
        claims.abs_max.unwrap(),
    );
    assert!(auth_time > 0 && idle_max > 0 && abs_max >= idle_max);
    assert_eq!(claims.exp, claims.iat + idle_max);

    // The login works, rotates and shows like any other.
    let me = call(&sso.router, &browser, "/api/auth/session", json!({})).await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.json()["user"]["email"], "jane@acme.test");
    let rotated = call(&sso.router, &browser, "/api/auth/refresh", json!({})).await;
    assert_eq!(rotated.status, 200, "{}", rotated.body);

    assert_eq!(
        audits(&pool, "auth.sso_login").await,
        vec![json!({ "provider": "google" })]
    );
    let owner = login_as(&sso.router, "owner@acme.test").await;
    let team = call(&sso.router, &owner, "/api/account/members", json!({})).await;
    let jane = team.json()["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "jane@acme.test")
        .cloned()
        .unwrap();
    assert_eq!(jane["sso_providers"], json!(["google"]));
    assert_eq!(jane["has_password"], true);
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn an_address_without_a_member_gets_no_account_and_nothing_is_created(pool: PgPool) {
    let sso = app(&pool).await;
    let before = users(&pool).await;
    let res = sign_on(
        &sso,
        "/auth/oidc/google/start?next=/",
        "stranger@example.com",
    )
    .await;
    refused(&res, "sso_no_account");
    assert_eq!(users(&pool).await, before);
    assert!(audits(&pool, "auth.sso_login").await.is_empty());
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn an_address_the_provider_has_not_verified_signs_nobody_in(pool: PgPool) {
    let sso = app(&pool).await;
    let res = sign_on(
        &sso,
        "/auth/oidc/google/start?next=/",
        "unverified:jane@acme.test",
    )
    .await;
    refused(&res, "sso_failed");
    // Microsoft's word for it is `xms_edov`.
    let res = sign_on(
        &sso,
        "/auth/oidc/microsoft/start?next=/",
        "unverified:jane@acme.test",
    )
    .await;
    refused(&res, "sso_failed");
    assert!(audits(&pool, "auth.sso_login").await.is_empty());
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_state_works_once_and_only_in_the_browser_that_started(pool: PgPool) {
    let sso = app(&pool).await;
    let (callback, cookie, authorize) = through_provider(
        &sso,
        "/auth/oidc/google/start?next=//evil.test",
        "jane@acme.test",
    )
    .await;
    // Another browser (no cookie, or another attempt's) gets nowhere with this callback.
    refused(
        &get_with_cookie(&sso.router, &callback, None).await,
        "sso_failed",
    );
    let (_, other_cookie, _) =
        through_provider(&sso, "/auth/oidc/google/start?next=/", "jane@acme.test").await;
    refused(
        &get_with_cookie(&sso.router, &callback, Some(&other_cookie)).await,
        "sso_failed",
    );
    // The browser that started: once, and to this site only.
    let first = get_with_cookie(&sso.router, &callback, Some(&cookie)).await;
    assert_eq!(first.status, 303, "{}", first.body);
    assert_eq!(location(&first), "/");
    assert!(cookie_pair(&first, "rf_refresh").is_some());
    let replay = get_with_cookie(&sso.router, &callback, Some(&cookie)).await;
    refused(&replay, "sso_failed");
    // Nor does the same attempt work again with a new code for its `state`.
    let again = at_provider(&authorize, "jane@acme.test").await;
    assert_ne!(again, callback, "the provider gave a new code");
    refused(
        &get_with_cookie(&sso.router, &again, Some(&cookie)).await,
        "sso_failed",
    );
    assert_eq!(audits(&pool, "auth.sso_login").await.len(), 1);
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn microsoft_through_the_multi_tenant_issuer_and_one_provider_account_per_member(
    pool: PgPool,
) {
    let sso = app(&pool).await;
    let res = sign_on(&sso, "/auth/oidc/microsoft/start?next=/", "sam@acme.test").await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(cookie_pair(&res, "rf_refresh").is_some());
    assert_eq!(
        audits(&pool, "auth.sso_login").await,
        vec![json!({ "provider": "microsoft" })]
    );
    // Another Microsoft account that claims the same address is not Sam.
    let res = sign_on(
        &sso,
        "/auth/oidc/microsoft/start?next=/",
        "sam@acme.test#someone-else",
    )
    .await;
    refused(&res, "sso_failed");
    assert_eq!(audits(&pool, "auth.sso_login").await.len(), 1);
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_deactivated_member_cannot_sign_on(pool: PgPool) {
    let sso = app(&pool).await;
    let owner = login_as(&sso.router, "owner@acme.test").await;
    let sam = seed::demo_user_id("sam@acme.test");
    let res = call(
        &sso.router,
        &owner,
        "/api/account/members/deactivate",
        json!({ "user_id": sam }),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let res = sign_on(&sso, "/auth/oidc/google/start?next=/", "sam@acme.test").await;
    refused(&res, "sso_no_account");
}

/// Invites `email` as an engineer of Acme and returns the mailed token.
async fn invite(sso: &Sso, email: &str) -> String {
    let owner = login_as(&sso.router, "owner@acme.test").await;
    let res = call(
        &sso.router,
        &owner,
        "/api/account/invitations/create",
        json!({ "email": email, "role": "engineer" }),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    peers::mailed_token(&sso.inbox, 1, "/invite").await
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn an_invitation_is_accepted_by_sign_on_once(pool: PgPool) {
    let sso = app(&pool).await;
    let token = invite(&sso, "new.engineer@acme.test").await;
    let start = format!("/auth/oidc/microsoft/start?next=/&invitation={token}");
    let res = sign_on(&sso, &start, "new.engineer@acme.test").await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(location(&res), "/");
    let member = Session::from_answer(&res);
    let me = call(&sso.router, &member, "/api/auth/session", json!({})).await;
    assert_eq!(me.json()["user"]["role"], "engineer");
    assert_eq!(me.json()["user"]["name"], "New.engineer");

    let owner = login_as(&sso.router, "owner@acme.test").await;
    let team = call(&sso.router, &owner, "/api/account/members", json!({})).await;
    let team = team.json();
    let joined = team["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "new.engineer@acme.test")
        .cloned()
        .unwrap();
    assert_eq!(joined["has_password"], false);
    assert_eq!(joined["sso_providers"], json!(["microsoft"]));
    assert_eq!(team["invitations"], json!([]));
    let joined_events = audits(&pool, "account.member_joined").await;
    assert_eq!(joined_events.len(), 1);
    assert_eq!(joined_events[0]["sso"], "microsoft");

    // The link is spent: its page says so.
    let look = crate::common::post_json(
        &sso.router,
        "/api/auth/invitation",
        &json!({ "token": token }).to_string(),
    )
    .await;
    assert_eq!(look.status, 404, "{}", look.body);
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn an_invitation_is_not_accepted_for_another_address(pool: PgPool) {
    let sso = app(&pool).await;
    let token = invite(&sso, "invited@acme.test").await;
    let before = users(&pool).await;
    let start = format!("/auth/oidc/google/start?next=/&invitation={token}");
    let res = sign_on(&sso, &start, "someone.else@example.com").await;
    refused(&res, "sso_wrong_email");
    assert_eq!(users(&pool).await, before);
    // Still open for the person it was sent to.
    let res = sign_on(&sso, &start, "invited@acme.test").await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(users(&pool).await, before + 1);
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn the_sign_in_page_offers_exactly_the_configured_providers(pool: PgPool) {
    let sso = app(&pool).await;
    let options = crate::common::post_json(&sso.router, "/api/auth/options", "{}").await;
    assert_eq!(
        options.json()["sso_providers"],
        json!(["microsoft", "google"])
    );
    let page = get(&sso.router, "/login").await;
    assert!(page.body.contains(r#"data-testid="sso-google""#));
    assert!(page.body.contains(r#"data-testid="sso-microsoft""#));

    // Without a client registered there is no button and no way in.
    let plain = http::router(state(pool.clone(), config(&[])).await);
    let page = get(&plain, "/login").await;
    assert!(
        !page.body.contains(r#"data-testid="sso-"#),
        "no provider, no button"
    );
    assert_eq!(
        get(&plain, "/auth/oidc/google/start?next=/").await.status,
        404
    );
}
