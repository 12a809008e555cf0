//! Sign-in and refresh (docs/API.md §3), at the domain level with an injected clock: the idle
//! and absolute windows, the grace for two tabs, the policy claims, case by case, and reuse
//! detection.

use chrono::{DateTime, Duration, Utc};
use domain::{
    auth::{
        client::Client,
        logins::{self, AuthError, Issued, REUSE_GRACE_SECONDS},
        passwords::HashSlots,
        tokens::{self, Keys, RefreshClaims},
    },
    db, seed,
};
use sqlx::PgPool;
use vocab::ids::{AccountId, LoginId};

struct Env {
    pool: PgPool,
    keys: Keys,
    hashes: HashSlots,
    config: domain::config::Config,
}

async fn env(pool: PgPool) -> Env {
    seed::seed_demo(&pool).await.unwrap();
    let config = crate::common::config(&[]);
    Env {
        keys: Keys::new(&config.jwt_secret),
        hashes: HashSlots::for_this_machine(),
        pool,
        config,
    }
}

impl Env {
    async fn login(&self, email: &str, now: DateTime<Utc>) -> Issued {
        logins::login(
            &self.pool,
            &self.keys,
            &self.hashes,
            &self.config.login,
            email,
            seed::DEMO_PASSWORD,
            Client {
                user_agent: Some("test-agent"),
                address: None,
            },
            now,
        )
        .await
        .expect("demo user signs in")
    }

    async fn refresh(&self, token: &str, now: DateTime<Utc>) -> Result<Issued, AuthError> {
        logins::refresh(
            &self.pool,
            &self.keys,
            &self.config.login,
            token,
            Client::default(),
            now,
        )
        .await
    }

    fn claims(&self, token: &str) -> RefreshClaims {
        tokens::decode_refresh_any_age(&self.keys, token).unwrap()
    }
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn code(result: Result<Issued, AuthError>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(AuthError::SessionExpiredIdle) => "session_expired_idle",
        Err(AuthError::SessionExpiredAbsolute) => "session_expired_absolute",
        Err(AuthError::InvalidRefreshToken) => "invalid_refresh_token",
        Err(AuthError::RotatedConcurrently { .. }) => "rotated_concurrently",
        Err(AuthError::InvalidCredentials) => "invalid_credentials",
        Err(AuthError::Busy) => panic!("no password slot"),
        Err(AuthError::Db(e)) => panic!("database error: {e}"),
    }
}

const T0: &str = "2026-11-24T10:00:00Z";

// --- login ---------------------------------------------------------------------------------

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn login_embeds_the_strict_default_policy_and_surfaces_both_windows(pool: PgPool) {
    let env = env(pool).await;
    let now = at(T0);
    let issued = env.login("jane@acme.test", now).await;
    let claims = env.claims(&issued.refresh_token);
    assert_eq!(claims.idle_max, Some(259_200));
    assert_eq!(claims.abs_max, Some(1_209_600));
    assert_eq!(claims.auth_time, Some(now.timestamp()));
    assert_eq!(claims.exp, now.timestamp() + 259_200);
    assert_eq!(claims.fam, Some(issued.family_id));
    assert_eq!(issued.idle_expires_at, at("2026-11-27T10:00:00Z"));
    assert_eq!(issued.absolute_expires_at, at("2026-12-08T10:00:00Z"));

    let access = tokens::decode_access(&env.keys, &issued.access_token, now).unwrap();
    assert_eq!(access.sub, issued.user.id);
    assert_eq!(access.account_id, seed::demo_account_id("acme"));
    assert_eq!(
        access.exp - access.iat,
        5 * 60,
        "ACCESS_TOKEN_MINUTES defaults to 5"
    );

    let last_login: Option<DateTime<Utc>> =
        sqlx::query_scalar("SELECT last_login_at FROM users WHERE email = 'jane@acme.test'")
            .fetch_one(&env.pool)
            .await
            .unwrap();
    assert_eq!(last_login, Some(now));
    let row: (LoginId, Option<DateTime<Utc>>) =
        sqlx::query_as("SELECT family_id, revoked_at FROM refresh_tokens WHERE jti = $1")
            .bind(claims.jti)
            .fetch_one(&env.pool)
            .await
            .unwrap();
    assert_eq!(
        row,
        (issued.family_id, None),
        "every jti is a live refresh_tokens row"
    );
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer(pool: PgPool) {
    let env = env(pool).await;
    let settings = &env.config.login;
    for (email, password) in [
        ("jane@acme.test", "wrong password"),
        ("nobody@acme.test", seed::DEMO_PASSWORD),
        ("JANE@ACME.TEST ", "wrong password"),
    ] {
        let r = logins::login(
            &env.pool,
            &env.keys,
            &env.hashes,
            settings,
            email,
            password,
            Client::default(),
            Utc::now(),
        )
        .await;
        assert_eq!(code(r), "invalid_credentials", "{email}");
    }
    // E-mail is matched case-insensitively.
    let r = logins::login(
        &env.pool,
        &env.keys,
        &env.hashes,
        settings,
        " Jane@Acme.Test",
        seed::DEMO_PASSWORD,
        Client::default(),
        Utc::now(),
    )
    .await;
    assert_eq!(code(r), "ok");
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_deleted_user_cannot_sign_in_or_refresh(pool: PgPool) {
    let env = env(pool).await;
    let now = at(T0);
    let issued = env.login("sam@acme.test", now).await;
    sqlx::query("UPDATE users SET deleted_at = now() WHERE email = 'sam@acme.test'")
        .execute(&env.pool)
        .await
        .unwrap();
    let r = logins::login(
        &env.pool,
        &env.keys,
        &env.hashes,
        &env.config.login,
        "sam@acme.test",
        seed::DEMO_PASSWORD,
        Client::default(),
        now,
    )
    .await;
    assert_eq!(code(r), "invalid_credentials");
    assert_eq!(
        code(env.refresh(&issued.refresh_token, now).await),
        "invalid_refresh_token"
    );
}

// --- the taxonomy (seed commit 2) ----------------------------------------------------------

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn an_idle_expired_token_is_session_expired_idle(pool: PgPool) {
    let env = env(pool).await;
    let issued = env.login("jane@acme.test", at(T0)).await;
    let at_exp = issued.idle_expires_at;
    assert_eq!(
        code(env.refresh(&issued.refresh_token, at_exp).await),
        "session_expired_idle"
    );
    assert_eq!(
        code(
            env.refresh(&issued.refresh_token, at_exp - Duration::seconds(1))
                .await
        ),
        "ok",
        "a second before its exp the token still rotates"
    );
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn an_access_token_presented_as_refresh_is_invalid(pool: PgPool) {
    let env = env(pool).await;
    let now = at(T0);
    let issued = env.login("jane@acme.test", now).await;
    assert_eq!(
        code(env.refresh(&issued.access_token, now).await),
        "invalid_refresh_token"
    );
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_token_with_a_bad_signature_is_invalid(pool: PgPool) {
    let env = env(pool).await;
    let now = at(T0);
    let issued = env.login("jane@acme.test", now).await;
    let forged = tokens::encode_token(
        &Keys::new(b"an-attacker-secret-an-attacker-secret"),
        &env.claims(&issued.refresh_token),
    );
    assert_eq!(
        code(env.refresh(&forged, now).await),
        "invalid_refresh_token"
    );
    assert_eq!(
        code(env.refresh("garbage", now).await),
        "invalid_refresh_token"
    );
    // The forged attempt consumed nothing: the real token still rotates.
    assert_eq!(code(env.refresh(&issued.refresh_token, now).await), "ok");
}

// --- carry-forward (seed commit 3) ---------------------------------------------------------

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn rotation_carries_auth_time_policy_and_family_forward_unchanged(pool: PgPool) {
    let env = env(pool).await;
    let t0 = at(T0);
    let first = env.login("jane@acme.test", t0).await;
    let c0 = env.claims(&first.refresh_token);

    // The owner changes the policy after this login: it must not affect the live session.
    sqlx::query("UPDATE accounts SET session_idle_minutes = 60, session_absolute_minutes = 240")
        .execute(&env.pool)
        .await
        .unwrap();

    let t1 = t0 + Duration::hours(5);
    let second = env.refresh(&first.refresh_token, t1).await.unwrap();
    let c1 = env.claims(&second.refresh_token);
    assert_ne!(c1.jti, c0.jti);
    assert_eq!(
        (c1.auth_time, c1.idle_max, c1.abs_max, c1.fam),
        (c0.auth_time, c0.idle_max, c0.abs_max, c0.fam)
    );
    assert_eq!(c1.iat, t1.timestamp());
    assert_eq!(
        c1.exp,
        t1.timestamp() + 259_200,
        "the idle window restarts at rotation"
    );
    assert_eq!(
        second.absolute_expires_at, first.absolute_expires_at,
        "the absolute end never moves"
    );
    assert_eq!(second.family_id, first.family_id);

    // A login after the change gets the new policy.
    let third = env.login("jane@acme.test", t1).await;
    let c3 = env.claims(&third.refresh_token);
    assert_eq!((c3.idle_max, c3.abs_max), (Some(3600), Some(14400)));
}

// --- the absolute cap (seed commit 4) ------------------------------------------------------

/// A token whose login happened `abs_max` seconds before `now`, otherwise valid.
async fn token_with_auth_time(env: &Env, now: DateTime<Utc>, auth_time: i64) -> String {
    let issued = env.login("jane@acme.test", now).await;
    let mut claims = env.claims(&issued.refresh_token);
    claims.auth_time = Some(auth_time);
    tokens::encode_token(&env.keys, &claims)
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn the_absolute_deadline_itself_is_expired(pool: PgPool) {
    let env = env(pool).await;
    let now = at(T0);
    let abs_max = 1_209_600;
    let at_deadline = token_with_auth_time(&env, now, now.timestamp() - abs_max).await;
    assert_eq!(
        code(env.refresh(&at_deadline, now).await),
        "session_expired_absolute"
    );
    let just_before = token_with_auth_time(&env, now, now.timestamp() - abs_max + 1).await;
    assert_eq!(code(env.refresh(&just_before, now).await), "ok");
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn an_absolute_expired_attempt_consumes_the_token(pool: PgPool) {
    let env = env(pool).await;
    let now = at(T0);
    let token = token_with_auth_time(&env, now, now.timestamp() - 1_209_600).await;
    assert_eq!(
        code(env.refresh(&token, now).await),
        "session_expired_absolute"
    );
    assert_eq!(
        code(env.refresh(&token, now).await),
        "invalid_refresh_token"
    );
    let revoked: Option<DateTime<Utc>> =
        sqlx::query_scalar("SELECT revoked_at FROM refresh_tokens WHERE jti = $1")
            .bind(env.claims(&token).jti)
            .fetch_one(&env.pool)
            .await
            .unwrap();
    assert_eq!(
        revoked,
        Some(now),
        "the consumption was committed despite the error"
    );
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_legacy_token_is_grandfathered_once_with_the_current_policy(pool: PgPool) {
    let env = env(pool).await;
    let now = at(T0);
    let issued = env.login("jane@acme.test", now).await;
    let mut legacy = env.claims(&issued.refresh_token);
    legacy.iat -= 3600;
    (
        legacy.auth_time,
        legacy.idle_max,
        legacy.abs_max,
        legacy.fam,
    ) = (None, None, None, None);
    let legacy_token = tokens::encode_token(&env.keys, &legacy);

    let rotated = env.refresh(&legacy_token, now).await.unwrap();
    let c = env.claims(&rotated.refresh_token);
    assert_eq!(
        c.auth_time,
        Some(legacy.iat),
        "auth_time = the legacy token's iat"
    );
    assert_eq!(
        (c.idle_max, c.abs_max),
        (Some(259_200), Some(1_209_600)),
        "Strict defaults"
    );
    assert_eq!(c.fam, Some(issued.family_id));
    let again = env
        .refresh(&legacy_token, now)
        .await
        .expect_err("only once");
    assert_eq!(
        vocab::error::ApiError::from(again).error.as_str(),
        "invalid_refresh_token"
    );
}

// --- reuse detection -----------------------------------------------------------------------

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_second_use_inside_the_grace_window_keeps_the_login(pool: PgPool) {
    let env = env(pool).await;
    let t0 = at(T0);
    let first = env.login("jane@acme.test", t0).await;
    let winner = env.refresh(&first.refresh_token, t0).await.unwrap();
    let loser = env
        .refresh(
            &first.refresh_token,
            t0 + Duration::seconds(REUSE_GRACE_SECONDS),
        )
        .await;
    assert_eq!(code(loser), "rotated_concurrently");
    // The winner's token still works: two tabs never log each other out.
    assert_eq!(
        code(
            env.refresh(&winner.refresh_token, t0 + Duration::seconds(31))
                .await
        ),
        "ok"
    );
    let audits: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events")
        .fetch_one(&env.pool)
        .await
        .unwrap();
    assert_eq!(audits, 0);
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_replay_after_the_grace_window_revokes_the_whole_login_and_is_audited(pool: PgPool) {
    let env = env(pool).await;
    let t0 = at(T0);
    let first = env.login("jane@acme.test", t0).await;
    let other_login = env.login("jane@acme.test", t0).await;
    let successor = env.refresh(&first.refresh_token, t0).await.unwrap();

    let replay_at = t0 + Duration::seconds(REUSE_GRACE_SECONDS + 1);
    assert_eq!(
        code(env.refresh(&first.refresh_token, replay_at).await),
        "invalid_refresh_token"
    );
    assert_eq!(
        code(env.refresh(&successor.refresh_token, replay_at).await),
        "invalid_refresh_token",
        "the successor died with its family"
    );
    assert_eq!(
        code(env.refresh(&other_login.refresh_token, replay_at).await),
        "ok",
        "another login of the same user is untouched"
    );

    let audit: (String, serde_json::Value, AccountId) =
        sqlx::query_as("SELECT event_type, payload, account_id FROM audit_events")
            .fetch_one(&env.pool)
            .await
            .unwrap();
    assert_eq!(audit.0, "auth.refresh_token_reused");
    assert_eq!(audit.1["family_id"], first.family_id.to_string());
    assert_eq!(audit.1["user_id"], first.user.id.to_string());
    assert_eq!(audit.2, seed::demo_account_id("acme"));
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn logout_revokes_the_current_token(pool: PgPool) {
    let env = env(pool).await;
    let now = at(T0);
    let issued = env.login("jane@acme.test", now).await;
    logins::logout(&env.pool, &env.keys, &issued.refresh_token, now)
        .await
        .unwrap();
    assert_eq!(
        code(env.refresh(&issued.refresh_token, now).await),
        "invalid_refresh_token"
    );
    // Signing out twice, or with garbage, is harmless.
    logins::logout(&env.pool, &env.keys, &issued.refresh_token, now)
        .await
        .unwrap();
    logins::logout(&env.pool, &env.keys, "garbage", now)
        .await
        .unwrap();
}
