//! Exposed to the internet (docs/SECURITY.md), in-process over the real router and database:
//! sign-in attempts counted before the password, bounded hashing, the headers every answer
//! carries, webhooks only to public addresses, reset links, what the application role may
//! write, and what is pruned. (Over real sockets and behind a real proxy: `tests/processes`.)

use crate::common::{call, config, get, login_as, peers, post_json, role, send, state, Answer};
use axum::{
    body::Body,
    http::{Request, StatusCode},
    response::Redirect,
    routing::{get as get_route, post},
    Router,
};
use domain::{
    auth::{passwords::HashSlots, throttle::Limits},
    db, notify, seed, webhooks,
};
use futures::future::join_all;
use resolutionflow::http;
use serde_json::json;
use sqlx::PgPool;
use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};

async fn app(pool: PgPool, extra: &[(&str, &str)]) -> Router {
    seed::seed_demo(&pool).await.unwrap();
    http::router(state(pool, config(extra)).await)
}

fn guess(email: &str) -> String {
    json!({ "email": email, "password": "not-the-password" }).to_string()
}

// --- sign-in -------------------------------------------------------------------------------

/// Twenty wrong passwords at once for one e-mail: only the limit's five are checked, the rest
/// are refused before any hash is computed (counted after the hash, all twenty would pass).
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_burst_of_parallel_guesses_cannot_pass_the_limit(pool: PgPool) {
    let router = app(pool, &[]).await;
    let body = guess("jane@acme.test");
    let answers = join_all((0..20).map(|_| post_json(&router, "/api/auth/login", &body))).await;
    let checked = answers.iter().filter(|a| a.status == 401).count();
    let refused: Vec<&Answer> = answers.iter().filter(|a| a.status == 429).collect();
    assert_eq!(
        checked,
        Limits::default().per_email_at_address as usize,
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    assert_eq!(refused.len(), 20 - checked);
    for r in refused {
        assert_eq!(r.json()["error"], "rate_limited");
        assert!(r.headers.contains_key("retry-after"));
    }
}

/// With every hashing slot taken, sign-in answers 429 at once, and the attempt is given back:
/// the member signs in as soon as there is room.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn sign_in_beyond_the_hashing_slots_is_429_and_costs_no_attempt(pool: PgPool) {
    seed::seed_demo(&pool).await.unwrap();
    let mut full = state(pool.clone(), config(&[])).await;
    full.hashes = HashSlots::new(0, 0);
    let busy = http::router(full);
    let jane = json!({ "email": "jane@acme.test", "password": seed::DEMO_PASSWORD }).to_string();
    for _ in 0..Limits::default().per_email_at_address + 1 {
        let res = post_json(&busy, "/api/auth/login", &jane).await;
        assert_eq!(res.status, 429, "{}", res.body);
        assert_eq!(res.json()["error"], "rate_limited");
    }
    let router = http::router(state(pool, config(&[])).await);
    let res = post_json(&router, "/api/auth/login", &jane).await;
    assert_eq!(
        res.status, 200,
        "refused attempts were not counted: {}",
        res.body
    );
}

// --- headers -------------------------------------------------------------------------------

/// Every page carries a script policy whose nonce is on each of its inline scripts, no
/// framing, no sniffing and no Referer; HSTS only where the site is https.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn every_page_carries_the_security_headers_and_its_scripts_the_nonce(pool: PgPool) {
    let router = app(pool.clone(), &[]).await;
    let page = get(&router, "/login").await;
    assert_eq!(page.status, 200);
    let csp = page.headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"),
        "{csp}"
    );
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy");
    let scripts = page.body.matches("<script").count();
    assert!(scripts > 0, "the page has its hydration script");
    assert_eq!(
        page.body.matches(&format!("nonce=\"{nonce}\"")).count(),
        scripts,
        "every script carries this response's nonce"
    );
    let again = get(&router, "/login").await;
    assert_ne!(
        again.headers["content-security-policy"], page.headers["content-security-policy"],
        "a nonce is used once"
    );
    for res in [&page, &post_json(&router, "/api/auth/session", "{}").await] {
        assert_eq!(res.headers["x-content-type-options"], "nosniff");
        assert_eq!(res.headers["referrer-policy"], "no-referrer");
        assert!(!res.headers.contains_key("strict-transport-security"));
    }
    let https = http::router(state(pool, config(&[("RF_COOKIE_SECURE", "true")])).await);
    let page = get(&https, "/login").await;
    assert!(page.headers["strict-transport-security"]
        .to_str()
        .unwrap()
        .starts_with("max-age="));
}

// --- webhooks ------------------------------------------------------------------------------

/// Only an `https` address that is not this machine or its network is accepted, at most ten
/// per account; `RF_WEBHOOK_ALLOW_PRIVATE` lifts the address rules for local testing.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_webhook_must_be_https_to_a_public_address_and_ten_at_most(pool: PgPool) {
    let router = app(pool.clone(), &[]).await;
    let owner = login_as(&router, "owner@acme.test").await;
    let add = |url: &str| json!({ "kind": "slack", "url": url });
    for url in [
        "http://hooks.slack.test/x",
        "https://127.0.0.1/x",
        "https://[::1]/x",
        "https://169.254.169.254/latest/meta-data",
        "https://10.1.2.3/x",
        "https://192.168.0.10/x",
        "https://[fd00:ec2::254]/x",
        "https://[::ffff:127.0.0.1]/x",
        "https://localhost:8080/x",
        "https://0.0.0.0/x",
    ] {
        let res = call(&router, &owner, "/api/account/webhooks/add", add(url)).await;
        assert_eq!(res.status, 422, "{url}: {}", res.body);
        assert!(res.json()["fields"]["url"].is_string(), "{url}");
    }
    for i in 0..webhooks::MAX_PER_ACCOUNT {
        let url = format!("https://hooks.slack.test/services/{i}");
        let res = call(&router, &owner, "/api/account/webhooks/add", add(&url)).await;
        assert_eq!(res.status, 200, "{i}: {}", res.body);
    }
    let res = call(
        &router,
        &owner,
        "/api/account/webhooks/add",
        add("https://hooks.slack.test/11"),
    )
    .await;
    assert_eq!(res.status, 422, "the eleventh: {}", res.body);

    let local = app(pool, &[("RF_WEBHOOK_ALLOW_PRIVATE", "true")]).await;
    let grace = login_as(&local, "owner@globex.test").await;
    let res = call(
        &local,
        &grace,
        "/api/account/webhooks/add",
        add("http://127.0.0.1:9/x"),
    )
    .await;
    assert_eq!(res.status, 200, "allowed for local testing: {}", res.body);
}

/// Stores a webhook for Acme directly (as if its name had since been pointed elsewhere).
async fn store_hook(pool: &PgPool, url: &str) {
    sqlx::query("INSERT INTO account_webhooks (account_id, kind, url) VALUES ($1, 'slack', $2)")
        .bind(seed::demo_account_id("acme"))
        .bind(url)
        .execute(pool)
        .await
        .unwrap();
}

/// A webhook whose name resolves to this machine is never connected to: the address is
/// checked where the connection is made, not only when the URL was saved.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_webhook_is_never_posted_to_a_private_address_it_resolves_to(pool: PgPool) {
    seed::seed_demo(&pool).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = connections.clone();
    tokio::spawn(async move {
        while listener.accept().await.is_ok() {
            counted.fetch_add(1, Ordering::SeqCst);
        }
    });
    // `localhost` is a name, so the client resolves it; stored directly, past the check on add.
    store_hook(&pool, &format!("https://localhost:{port}/hook")).await;
    store_hook(&pool, &format!("https://127.0.0.1:{port}/hook")).await;
    let client = webhooks::client(false).unwrap();
    let acme = seed::demo_account_id("acme");
    // Returns once every post was made or given up.
    notify::webhooks(
        &client,
        false,
        &pool,
        acme,
        "Escalation",
        "https://rf.test/p",
    )
    .await;
    assert_eq!(
        connections.load(Ordering::SeqCst),
        0,
        "nothing reached this machine"
    );
}

/// A webhook that answers with a redirect is not followed.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_webhook_redirect_is_not_followed(pool: PgPool) {
    seed::seed_demo(&pool).await.unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let seen = hits.clone();
    let base = peers::http_server(
        Router::new()
            .route(
                "/hook",
                post(|| async { Redirect::temporary("/elsewhere") }),
            )
            .route(
                "/elsewhere",
                post(move || async move {
                    seen.fetch_add(1, Ordering::SeqCst);
                    StatusCode::OK
                })
                .merge(get_route(|| async { StatusCode::OK })),
            ),
    )
    .await;
    store_hook(&pool, &format!("{base}/hook")).await;
    let client = webhooks::client(true).unwrap();
    let acme = seed::demo_account_id("acme");
    notify::webhooks(
        &client,
        true,
        &pool,
        acme,
        "Escalation",
        "https://rf.test/p",
    )
    .await;
    assert_eq!(hits.load(Ordering::SeqCst), 0, "the redirect was followed");
}

// --- password reset ------------------------------------------------------------------------

/// Asking for a link answers at once whether or not the address is known: nothing about the
/// account is read before the answer (here its table is locked, and the answer still comes).
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_reset_request_answers_before_anything_of_the_account_is_read(pool: PgPool) {
    let (smtp, inbox) = peers::smtp_sink(false).await;
    let router = app(pool.clone(), &[("RF_SMTP_URL", &smtp)]).await;
    let mut lock = pool.begin().await.unwrap();
    sqlx::query("LOCK TABLE password_reset_tokens IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *lock)
        .await
        .unwrap();
    let body = json!({ "email": "jane@acme.test" }).to_string();
    let answer = tokio::time::timeout(
        Duration::from_secs(5),
        post_json(&router, "/api/auth/forgot-password", &body),
    )
    .await
    .expect("the answer waited on the account's data");
    assert_eq!(answer.status, 200);
    lock.rollback().await.unwrap();
    // The mail follows once the lock is gone.
    let mail = peers::nth_mail(&inbox, 1).await;
    assert!(mail.contains("reset-password?token"), "{mail}");
}

// --- the database role ---------------------------------------------------------------------

/// The application role writes only the columns the product writes: not `is_super_admin`,
/// not a password (only `rf_redeem_password_reset` sets one), not an address or its
/// verification (only `rf_verify_email` sets that), not a plan. (A role it may change: owners
/// and admins do, under `domain::team`'s rules.)
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn the_application_role_cannot_raise_privileges_or_plans(pool: PgPool) {
    seed::seed_demo(&pool).await.unwrap();
    let acme = seed::demo_account_id("acme");
    for statement in [
        "UPDATE users SET is_super_admin = true",
        "UPDATE users SET password_hash = 'x'",
        "UPDATE users SET email = 'someone@else.test'",
        "UPDATE users SET email_verified_at = now()",
        "UPDATE subscriptions SET plan = 'pro', status = 'active'",
        "INSERT INTO users (account_id, email, name, role, is_super_admin) \
         VALUES (rf_current_account(), 'new@acme.test', 'New', 'viewer', true)",
        "SELECT * FROM sign_in_attempts",
    ] {
        let mut tx = db::tenant_tx(&pool, acme).await.unwrap();
        let err = sqlx::query(statement).execute(&mut *tx).await.unwrap_err();
        assert!(
            err.to_string().contains("permission denied"),
            "{statement}: {err}"
        );
    }
}

/// Connected as the server's login role, a tenant transaction cannot switch to a role that
/// sees every tenant, and `serve`'s check tells that role from a superuser.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn the_server_role_cannot_switch_its_way_out_of_row_level_security(pool: PgPool) {
    seed::seed_demo(&pool).await.unwrap();
    role::server_role(&pool).await;
    let server = db::connect(&role::server_url(&pool), 2).await.unwrap();
    assert!(
        db::privileged_role(&pool).await.unwrap().is_some(),
        "the superuser is refused"
    );
    assert_eq!(db::privileged_role(&server).await.unwrap(), None);

    let acme = seed::demo_account_id("acme");
    for escape in [
        "SELECT set_config('role', 'postgres', true)",
        "SET LOCAL ROLE postgres",
        "RESET ROLE; SELECT count(*) FROM accounts",
    ] {
        let mut tx = db::tenant_tx(&server, acme).await.unwrap();
        let outcome = sqlx::raw_sql(escape).execute(&mut *tx).await;
        if outcome.is_ok() {
            // Back as the login role itself, which is still held by row-level security.
            let accounts: i64 = sqlx::query_scalar("SELECT count(*) FROM accounts")
                .fetch_one(&mut *tx)
                .await
                .unwrap();
            assert!(accounts <= 1, "{escape}: sees {accounts} accounts");
        }
    }
    // And the product works as that role: the demo data is seeded again, changing nothing.
    assert!(seed::seed_demo(&server).await.unwrap().is_empty());
}

// --- growth --------------------------------------------------------------------------------

/// Expired sign-in counts, refresh tokens and reset links are deleted; live ones stay.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn pruning_removes_only_what_expired(pool: PgPool) {
    let router = app(pool.clone(), &[]).await;
    let jane = login_as(&router, "jane@acme.test").await;
    post_json(&router, "/api/auth/login", &guess("sam@acme.test")).await;
    sqlx::query(
        "INSERT INTO refresh_tokens (jti, account_id, user_id, family_id, expires_at) \
         SELECT gen_random_uuid(), account_id, id, gen_random_uuid(), now() - interval '2 days' \
         FROM users WHERE email = 'jane@acme.test'",
    )
    .execute(&pool)
    .await
    .unwrap();
    let count = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(count("SELECT count(*) FROM refresh_tokens").await, 2);
    let window = Limits::default().window;
    let now = chrono::Utc::now();
    db::prune(&pool, window, now).await.unwrap();
    assert_eq!(
        count("SELECT count(*) FROM refresh_tokens").await,
        1,
        "the live one stays"
    );
    // Jane's sign-in and the guess at Sam: the address, and each e-mail alone and from it.
    assert_eq!(
        count("SELECT count(*) FROM sign_in_attempts").await,
        5,
        "counts in their window stay"
    );
    db::prune(&pool, window, now + window).await.unwrap();
    assert_eq!(count("SELECT count(*) FROM sign_in_attempts").await, 0);
    let res = call(&router, &jane, "/api/auth/session", json!({})).await;
    assert_eq!(res.status, 200, "Jane is still signed in");
}

/// A session's conversation is read back bounded: the latest messages, oldest first.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_long_conversation_answers_with_its_latest_messages(pool: PgPool) {
    let router = app(pool.clone(), &[]).await;
    let jane = login_as(&router, "jane@acme.test").await;
    let session = call(
        &router,
        &jane,
        "/api/sessions/create",
        json!({ "problem_summary": "Long" }),
    )
    .await
    .json()["id"]
        .clone();
    let shown = domain::session_record::MESSAGES_SHOWN;
    sqlx::query(
        "INSERT INTO session_messages (account_id, session_id, author_id, body, created_at) \
         SELECT s.account_id, s.id, s.user_id, 'message ' || g, now() + make_interval(secs => g) \
         FROM troubleshooting_sessions s, generate_series(1, $2) AS g WHERE s.id = $1::uuid",
    )
    .bind(session.as_str().unwrap())
    .bind((shown + 100) as i32)
    .execute(&pool)
    .await
    .unwrap();
    let detail = call(
        &router,
        &jane,
        "/api/sessions/get",
        json!({ "session_id": session }),
    )
    .await;
    assert_eq!(
        detail.status,
        200,
        "{}",
        &detail.body[..200.min(detail.body.len())]
    );
    let messages = detail.json()["messages"].as_array().unwrap().clone();
    assert_eq!(messages.len() as i64, shown);
    assert_eq!(messages[0]["body"], "message 101");
    assert_eq!(
        messages.last().unwrap()["body"],
        format!("message {}", shown + 100)
    );
}

/// A request whose declared body is over the cap is refused before it is read, on every path.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_form_post_is_capped_like_the_api(pool: PgPool) {
    let router = app(pool, &[]).await;
    let req = Request::post("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("content-length", (http::MAX_API_BODY + 1).to_string())
        .body(Body::from(vec![b'a'; http::MAX_API_BODY + 1]))
        .unwrap();
    assert_eq!(send(&router, req).await.status, 413);
}
