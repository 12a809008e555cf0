//! The team (docs/API.md §9) over the real router, with links read from mail delivered to a
//! real SMTP sink: sign-up and verification, invitations, the members page, role changes and
//! deactivation, each refusal writing nothing.

use crate::common::{
    audits, call, config, login_as, peers, post_json, post_with_cookies, state, Answer, Session,
};
use axum::Router;
use domain::{db, links, seed};
use resolutionflow::http;
use serde_json::{json, Value};
use sqlx::PgPool;

async fn app(pool: &PgPool, extra: &[(&str, &str)]) -> (Router, peers::Inbox) {
    seed::seed_demo(pool).await.unwrap();
    let (smtp, inbox) = peers::smtp_sink(false).await;
    let mut env = vec![("RF_SMTP_URL", smtp.as_str())];
    env.extend_from_slice(extra);
    let router = http::router(state(pool.clone(), config(&env)).await);
    (router, inbox)
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

fn sign_up_body(email: &str, password: &str) -> String {
    json!({
        "account_name": "Northwind IT",
        "name": "Nora North",
        "email": email,
        "password": password,
    })
    .to_string()
}

async fn user_id(pool: &PgPool, email: &str) -> String {
    sqlx::query_scalar::<_, uuid::Uuid>("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(pool)
        .await
        .unwrap()
        .to_string()
}

// --- sign-up --------------------------------------------------------------------------------

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn sign_up_is_closed_unless_opened(pool: PgPool) {
    let (router, _) = app(&pool, &[]).await;
    let accounts = count(&pool, "SELECT count(*) FROM accounts").await;
    let res = post_json(
        &router,
        "/api/auth/signup",
        &sign_up_body("nora@northwind.test", "a long enough password"),
    )
    .await;
    assert_eq!(res.status, 403, "{}", res.body);
    assert_eq!(res.json()["error"], "forbidden");
    assert_eq!(
        count(&pool, "SELECT count(*) FROM accounts").await,
        accounts
    );
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn sign_up_makes_a_free_account_signs_its_owner_in_and_verifies_once(pool: PgPool) {
    let (router, inbox) = app(&pool, &[("RF_SIGNUP", "open")]).await;
    let res = post_json(
        &router,
        "/api/auth/signup",
        &sign_up_body(" Nora@Northwind.test ", "a long enough password"),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["user"]["role"], "owner");
    assert_eq!(res.json()["user"]["email"], "nora@northwind.test");
    let nora = Session::from_answer(&res);
    let me = call(&router, &nora, "/api/auth/session", json!({})).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["user"]["name"], "Nora North");
    let (plan, status): (String, String) = sqlx::query_as(
        "SELECT s.plan, s.status FROM subscriptions s JOIN accounts a ON a.id = s.account_id \
         WHERE a.name = 'Northwind IT'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((plan.as_str(), status.as_str()), ("free", "active"));
    assert_eq!(audits(&pool, "account.created").await.len(), 1);
    // The free plan is the free plan: no Pro features.
    let sessions = call(&router, &nora, "/api/sessions/list", json!({})).await;
    assert_eq!(sessions.status, 402, "{}", sessions.body);

    let token = peers::mailed_token(&inbox, 1, "verify-email").await;
    let stored: String = sqlx::query_scalar("SELECT token_hash FROM email_verifications")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, links::hash(&token), "only the hash is kept");
    let recorded: String = sqlx::query_scalar(
        "SELECT body FROM outbound_emails WHERE recipient = 'nora@northwind.test'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(!recorded.contains(&token) && recorded.contains("[verification link]"));
    let verified = || async {
        sqlx::query_scalar::<_, bool>(
            "SELECT email_verified_at IS NOT NULL FROM users WHERE email = 'nora@northwind.test'",
        )
        .fetch_one(&pool)
        .await
        .unwrap()
    };
    assert!(!verified().await);
    let body = json!({ "token": token }).to_string();
    assert_eq!(
        post_json(&router, "/api/auth/verify-email", &body)
            .await
            .status,
        200
    );
    assert!(verified().await);
    let again = post_json(&router, "/api/auth/verify-email", &body).await;
    assert_eq!(again.status, 404, "a link works once");
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn sign_up_names_each_bad_field_and_creates_nothing(pool: PgPool) {
    let (router, _) = app(&pool, &[("RF_SIGNUP", "open")]).await;
    let accounts = count(&pool, "SELECT count(*) FROM accounts").await;
    let taken = post_json(
        &router,
        "/api/auth/signup",
        &sign_up_body("JANE@acme.test", "a long enough password"),
    )
    .await;
    assert_eq!(taken.status, 422, "{}", taken.body);
    assert!(taken.json()["fields"]["email"]
        .as_str()
        .unwrap()
        .contains("already has a ResolutionFlow account"));
    let bad = post_json(
        &router,
        "/api/auth/signup",
        &json!({ "account_name": " ", "name": "N", "email": "nora", "password": "short" })
            .to_string(),
    )
    .await;
    assert_eq!(bad.status, 422);
    let fields = bad.json()["fields"].clone();
    assert_eq!(fields["password"], "Use at least 12 characters.");
    assert!(fields["email"].is_string() && fields["account_name"].is_string());
    assert!(fields["name"].is_null(), "a one-letter name is a name");
    assert_eq!(
        count(&pool, "SELECT count(*) FROM accounts").await,
        accounts
    );
    assert!(audits(&pool, "account.created").await.is_empty());
}

// --- invitations ----------------------------------------------------------------------------

async fn invite(router: &Router, who: &Session, email: &str, role: &str) -> Answer {
    call(
        router,
        who,
        "/api/account/invitations/create",
        json!({ "email": email, "role": role }),
    )
    .await
}

async fn accept(router: &Router, token: &str, name: &str) -> Answer {
    post_json(
        router,
        "/api/auth/accept-invitation",
        &json!({ "token": token, "name": name, "password": "a long enough password" }).to_string(),
    )
    .await
}

async fn look_up(router: &Router, token: &str) -> Answer {
    post_json(
        router,
        "/api/auth/invitation",
        &json!({ "token": token }).to_string(),
    )
    .await
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn an_invitation_is_mailed_shown_and_accepted_once(pool: PgPool) {
    let (router, inbox) = app(&pool, &[]).await;
    let owner = login_as(&router, "owner@acme.test").await;
    let res = invite(&router, &owner, "Pat@Acme.test", "engineer").await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["email"], "pat@acme.test");
    assert_eq!(res.json()["invited_by"]["name"], "Olivia Owner");
    let token = peers::mailed_token(&inbox, 1, "invite").await;
    let stored: String = sqlx::query_scalar("SELECT token_hash FROM invitations")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, links::hash(&token), "only the hash is kept");

    let shown = look_up(&router, &token).await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    let shown = shown.json();
    assert_eq!(shown["account_name"], "Acme MSP");
    assert_eq!(shown["invited_by_name"], "Olivia Owner");
    assert_eq!(shown["role"], "engineer");
    assert_eq!(shown["email"], "pat@acme.test");

    let joined = accept(&router, &token, "Pat Park").await;
    assert_eq!(joined.status, 200, "{}", joined.body);
    assert_eq!(joined.json()["user"]["role"], "engineer");
    let pat = Session::from_answer(&joined);
    let queue = call(&router, &pat, "/api/handoffs/queue", json!({})).await;
    assert_eq!(
        queue.status, 200,
        "the new engineer sees the queue: {}",
        queue.body
    );
    let verified: bool = sqlx::query_scalar(
        "SELECT email_verified_at IS NOT NULL FROM users WHERE email = 'pat@acme.test'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(verified, "the link reached the address");

    assert_eq!(accept(&router, &token, "Pat Again").await.status, 404);
    assert_eq!(look_up(&router, &token).await.status, 404);
    assert_eq!(audits(&pool, "account.member_invited").await.len(), 1);
    assert_eq!(audits(&pool, "account.member_joined").await.len(), 1);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM users WHERE email = 'pat@acme.test'"
        )
        .await,
        1
    );
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn invitations_are_refused_for_taken_or_open_addresses_and_beyond_the_role(pool: PgPool) {
    let (router, _) = app(&pool, &[]).await;
    let owner = login_as(&router, "owner@acme.test").await;
    let alex = login_as(&router, "alex@acme.test").await;
    let jane = login_as(&router, "jane@acme.test").await;

    let member = invite(&router, &owner, "jane@acme.test", "viewer").await;
    assert_eq!(member.status, 422);
    assert!(member.json()["fields"]["email"]
        .as_str()
        .unwrap()
        .contains("already a member"));
    let elsewhere = invite(&router, &owner, "nina@globex.test", "viewer").await;
    assert_eq!(elsewhere.status, 422);
    assert!(elsewhere.json()["fields"]["email"].is_string());
    let role = invite(&router, &owner, "pat@acme.test", "boss").await;
    assert_eq!(role.status, 422);
    assert!(role.json()["fields"]["role"].is_string());
    let email = invite(&router, &owner, "not an address", "viewer").await;
    assert_eq!(email.status, 422);

    assert_eq!(
        invite(&router, &jane, "pat@acme.test", "viewer")
            .await
            .status,
        403
    );
    assert_eq!(
        invite(&router, &alex, "pat@acme.test", "owner")
            .await
            .status,
        403
    );
    assert_eq!(
        invite(&router, &alex, "pat@acme.test", "admin")
            .await
            .status,
        200
    );
    let twice = invite(&router, &owner, "pat@acme.test", "viewer").await;
    assert_eq!(twice.status, 422, "a second while one is open");
    assert!(twice.json()["fields"]["email"]
        .as_str()
        .unwrap()
        .contains("open invitation"));
    assert_eq!(audits(&pool, "account.member_invited").await.len(), 1);
}

async fn revoke(router: &Router, who: &Session, id: &Value) -> Answer {
    call(
        router,
        who,
        "/api/account/invitations/revoke",
        json!({ "invitation_id": id }),
    )
    .await
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_revoked_or_expired_invitation_link_stops_working(pool: PgPool) {
    let (router, inbox) = app(&pool, &[]).await;
    let owner = login_as(&router, "owner@acme.test").await;
    let globex = login_as(&router, "owner@globex.test").await;
    let id = invite(&router, &owner, "pat@acme.test", "viewer")
        .await
        .json()["invitation_id"]
        .clone();
    let token = peers::mailed_token(&inbox, 1, "invite").await;
    assert_eq!(
        revoke(&router, &globex, &id).await.status,
        404,
        "another account's id"
    );
    assert_eq!(look_up(&router, &token).await.status, 200);
    assert_eq!(revoke(&router, &owner, &id).await.status, 200);
    assert_eq!(look_up(&router, &token).await.status, 404);
    assert_eq!(accept(&router, &token, "Pat").await.status, 404);
    assert_eq!(
        revoke(&router, &owner, &id).await.status,
        404,
        "revoked already"
    );
    assert_eq!(audits(&pool, "account.invitation_revoked").await.len(), 1);

    // Expired: the link fails, and the address can be invited again.
    assert_eq!(
        invite(&router, &owner, "pat@acme.test", "viewer")
            .await
            .status,
        200
    );
    let token = peers::mailed_token(&inbox, 2, "invite").await;
    sqlx::query(
        "UPDATE invitations SET expires_at = now() - interval '1 second' WHERE revoked_at IS NULL",
    )
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(look_up(&router, &token).await.status, 404);
    assert_eq!(accept(&router, &token, "Pat").await.status, 404);
    assert_eq!(
        invite(&router, &owner, "pat@acme.test", "viewer")
            .await
            .status,
        200
    );
    let listed = call(&router, &owner, "/api/account/members", json!({}))
        .await
        .json();
    assert_eq!(
        listed["invitations"].as_array().unwrap().len(),
        1,
        "open ones only"
    );
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn two_people_accepting_one_invitation_make_one_member(pool: PgPool) {
    let (router, inbox) = app(&pool, &[]).await;
    let owner = login_as(&router, "owner@acme.test").await;
    for round in 1..=3 {
        let email = format!("pat{round}@acme.test");
        assert_eq!(
            invite(&router, &owner, &email, "engineer").await.status,
            200
        );
        let token = peers::mailed_token(&inbox, round, "invite").await;
        let (a, b, c) = tokio::join!(
            accept(&router, &token, "Pat A"),
            accept(&router, &token, "Pat B"),
            accept(&router, &token, "Pat C"),
        );
        let mut statuses = [a.status, b.status, c.status];
        statuses.sort();
        assert_eq!(
            statuses,
            [200, 404, 404],
            "{} / {} / {}",
            a.body,
            b.body,
            c.body
        );
        let members: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE email = $1")
            .bind(&email)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(members, 1);
    }
    assert_eq!(audits(&pool, "account.member_joined").await.len(), 3);
}

// --- members --------------------------------------------------------------------------------

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn the_members_page_is_for_owners_and_admins(pool: PgPool) {
    let (router, _) = app(&pool, &[]).await;
    let owner = login_as(&router, "owner@acme.test").await;
    let alex = login_as(&router, "alex@acme.test").await;
    assert_eq!(
        invite(&router, &alex, "pat@acme.test", "viewer")
            .await
            .status,
        200
    );
    let team = call(&router, &owner, "/api/account/members", json!({})).await;
    assert_eq!(team.status, 200, "{}", team.body);
    let team = team.json();
    let members = team["members"].as_array().unwrap();
    assert_eq!(members.len(), 5, "Acme's five, none of Globex's");
    let olivia = members
        .iter()
        .find(|m| m["email"] == "owner@acme.test")
        .unwrap();
    assert_eq!(olivia["is_you"], true);
    assert_eq!(olivia["status"], "active");
    assert_eq!(olivia["sso_providers"], json!([]));
    assert!(olivia["last_login_at"].is_string());
    let val = members
        .iter()
        .find(|m| m["email"] == "val@acme.test")
        .unwrap();
    assert_eq!(
        (val["role"].as_str(), val["is_you"].as_bool()),
        (Some("viewer"), Some(false))
    );
    assert_eq!(team["invitations"][0]["invited_by"]["name"], "Alex Admin");
    assert_eq!(
        call(&router, &alex, "/api/account/members", json!({}))
            .await
            .status,
        200
    );
    for email in ["jane@acme.test", "val@acme.test"] {
        let who = login_as(&router, email).await;
        let res = call(&router, &who, "/api/account/members", json!({})).await;
        assert_eq!(res.status, 403, "{email}");
    }
}

async fn set_role(router: &Router, who: &Session, user_id: &str, role: &str) -> Answer {
    call(
        router,
        who,
        "/api/account/members/update-role",
        json!({ "user_id": user_id, "role": role }),
    )
    .await
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn roles_change_as_far_as_the_caller_may_and_an_owner_always_remains(pool: PgPool) {
    let (router, _) = app(&pool, &[]).await;
    let owner = login_as(&router, "owner@acme.test").await;
    let alex = login_as(&router, "alex@acme.test").await;
    let (jane, olivia) = (
        user_id(&pool, "jane@acme.test").await,
        user_id(&pool, "owner@acme.test").await,
    );
    let res = set_role(&router, &alex, &jane, "viewer").await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["role"], "viewer");
    assert_eq!(set_role(&router, &alex, &jane, "admin").await.status, 403);
    assert_eq!(
        set_role(&router, &alex, &olivia, "viewer").await.status,
        403
    );
    let alone = set_role(&router, &owner, &olivia, "admin").await;
    assert_eq!(alone.status, 422, "the only owner: {}", alone.body);
    assert!(alone.json()["fields"]["user_id"].is_string());
    assert_eq!(set_role(&router, &owner, &jane, "boss").await.status, 422);
    let nina = user_id(&pool, "nina@globex.test").await;
    assert_eq!(set_role(&router, &owner, &nina, "viewer").await.status, 404);
    assert_eq!(
        audits(&pool, "account.member_role_changed").await,
        [json!({ "user_id": jane, "old": "engineer", "new": "viewer" })]
    );
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn two_owners_demoting_each_other_at_once_leave_one_owner(pool: PgPool) {
    let (router, _) = app(&pool, &[]).await;
    let owner = login_as(&router, "owner@acme.test").await;
    let (alex, olivia) = (
        user_id(&pool, "alex@acme.test").await,
        user_id(&pool, "owner@acme.test").await,
    );
    assert_eq!(set_role(&router, &owner, &alex, "owner").await.status, 200);
    let alex_session = login_as(&router, "alex@acme.test").await;
    for _ in 0..5 {
        let (a, b) = tokio::join!(
            set_role(&router, &owner, &alex, "admin"),
            set_role(&router, &alex_session, &olivia, "admin"),
        );
        let owners = count(
            &pool,
            "SELECT count(*) FROM users u JOIN accounts a ON a.id = u.account_id \
             WHERE a.name = 'Acme MSP' AND u.role = 'owner'",
        )
        .await;
        assert_eq!(
            owners, 1,
            "{} / {}: {} / {}",
            a.status, b.status, a.body, b.body
        );
        assert_ne!(
            a.status == 200,
            b.status == 200,
            "exactly one demotion wins"
        );
        // Back to two owners for the next round.
        sqlx::query("UPDATE users SET role = 'owner' WHERE id IN ($1::uuid, $2::uuid)")
            .bind(&alex)
            .bind(&olivia)
            .execute(&pool)
            .await
            .unwrap();
    }
}

async fn deactivate(router: &Router, who: &Session, user_id: &str) -> Answer {
    call(
        router,
        who,
        "/api/account/members/deactivate",
        json!({ "user_id": user_id }),
    )
    .await
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_deactivated_member_is_signed_out_at_once_and_stays_out_until_reactivated(pool: PgPool) {
    let (router, inbox) = app(&pool, &[]).await;
    let owner = login_as(&router, "owner@acme.test").await;
    let jane = login_as(&router, "jane@acme.test").await;
    let jane_id = user_id(&pool, "jane@acme.test").await;

    let res = deactivate(&router, &owner, &jane_id).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["status"], "deactivated");
    let audit = audits(&pool, "account.member_deactivated").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["user_id"], jane_id);
    assert_eq!(audit[0]["revoked_count"], 1);

    // Her open tab: the next call is refused, and so is the refresh it tries.
    let call_again = call(&router, &jane, "/api/sessions/list", json!({})).await;
    assert_eq!(call_again.status, 401);
    let refreshed = post_with_cookies(&router, "/api/auth/refresh", "{}", &jane.cookies()).await;
    assert_eq!(refreshed.json()["error"], "invalid_refresh_token");
    let body = json!({ "email": "jane@acme.test", "password": seed::DEMO_PASSWORD }).to_string();
    let signed_in = post_json(&router, "/api/auth/login", &body).await;
    assert_eq!(signed_in.json()["error"], "invalid_credentials");
    // No mail for her: not a reset link, not an escalation.
    let forgot = json!({ "email": "jane@acme.test" }).to_string();
    assert_eq!(
        post_json(&router, "/api/auth/forgot-password", &forgot)
            .await
            .status,
        200
    );
    let sam = login_as(&router, "sam@acme.test").await;
    let session = call(
        &router,
        &sam,
        "/api/sessions/create",
        json!({ "problem_summary": "VPN drops" }),
    )
    .await
    .json()["id"]
        .clone();
    let escalated = call(
        &router,
        &sam,
        "/api/handoffs/create",
        json!({
            "session_id": session, "intent": "escalate", "reason": "Need a second pair of eyes",
        }),
    )
    .await;
    assert_eq!(escalated.status, 200, "{}", escalated.body);
    let notified: i64 =
        sqlx::query_scalar("SELECT count(*) FROM notifications WHERE user_id = $1::uuid")
            .bind(&jane_id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(notified, 0, "no notification for a deactivated member");
    // The escalation's mail goes to Olivia and Alex; none to her, before or after.
    peers::nth_mail(&inbox, 2).await;
    assert!(
        !inbox
            .lock()
            .unwrap()
            .iter()
            .any(|m| m.0.iter().any(|r| r.contains("jane@"))),
        "no mail to her"
    );

    let back = call(
        &router,
        &owner,
        "/api/account/members/reactivate",
        json!({ "user_id": jane_id }),
    )
    .await;
    assert_eq!(back.status, 200, "{}", back.body);
    assert_eq!(back.json()["status"], "active");
    assert_eq!(
        post_json(&router, "/api/auth/login", &body).await.status,
        200
    );
    assert_eq!(audits(&pool, "account.member_reactivated").await.len(), 1);
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn deactivation_is_not_for_yourself_nor_beyond_your_role(pool: PgPool) {
    let (router, _) = app(&pool, &[]).await;
    let owner = login_as(&router, "owner@acme.test").await;
    let alex = login_as(&router, "alex@acme.test").await;
    let jane = login_as(&router, "jane@acme.test").await;
    let ids = |email: &'static str| user_id(&pool, email);
    let (olivia, alex_id, sam) = (
        ids("owner@acme.test").await,
        ids("alex@acme.test").await,
        ids("sam@acme.test").await,
    );
    assert_eq!(
        deactivate(&router, &owner, &olivia).await.status,
        422,
        "yourself"
    );
    assert_eq!(
        deactivate(&router, &alex, &olivia).await.status,
        403,
        "an owner, by an admin"
    );
    assert_eq!(
        deactivate(&router, &alex, &alex_id).await.status,
        403,
        "an admin, by an admin"
    );
    assert_eq!(
        deactivate(&router, &jane, &sam).await.status,
        403,
        "by an engineer"
    );
    let nina = ids("nina@globex.test").await;
    assert_eq!(deactivate(&router, &owner, &nina).await.status, 404);
    assert!(audits(&pool, "account.member_deactivated").await.is_empty());
    assert_eq!(deactivate(&router, &alex, &sam).await.status, 200);
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn deactivating_a_member_mid_escalation_keeps_the_escalation_in_the_queue(pool: PgPool) {
    let (router, _) = app(&pool, &[]).await;
    let owner = login_as(&router, "owner@acme.test").await;
    let jane = login_as(&router, "jane@acme.test").await;
    let sam = login_as(&router, "sam@acme.test").await;
    let alex = login_as(&router, "alex@acme.test").await;
    let session = call(
        &router,
        &jane,
        "/api/sessions/create",
        json!({ "problem_summary": "Printer offline" }),
    )
    .await
    .json()["id"]
        .clone();
    let handoff = call(
        &router,
        &jane,
        "/api/handoffs/create",
        json!({
            "session_id": session, "intent": "escalate", "reason": "Tried the usual",
        }),
    )
    .await
    .json()["id"]
        .clone();
    let claimed = call(
        &router,
        &sam,
        "/api/handoffs/claim",
        json!({ "handoff_id": handoff }),
    )
    .await;
    assert_eq!(claimed.status, 200, "{}", claimed.body);
    let queued = || async {
        call(&router, &alex, "/api/handoffs/queue", json!({}))
            .await
            .json()
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["handoff_id"] == handoff)
    };
    assert!(!queued().await, "picked up");

    // The senior who picked it up leaves: it goes back to the queue for the others.
    let res = deactivate(&router, &owner, &user_id(&pool, "sam@acme.test").await).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(
        audits(&pool, "account.member_deactivated").await[0]["escalations_released"],
        1
    );
    assert!(queued().await, "back in the queue");
    // The engineer who raised it leaves: it stays there.
    assert_eq!(
        deactivate(&router, &owner, &user_id(&pool, "jane@acme.test").await)
            .await
            .status,
        200
    );
    assert!(queued().await, "still in the queue");
    let won = call(
        &router,
        &alex,
        "/api/handoffs/claim",
        json!({ "handoff_id": handoff }),
    )
    .await;
    assert_eq!(won.status, 200, "{}", won.body);
}
