//! Live collaboration (docs/API.md §9) over HTTP, with two app states on one database standing
//! for two servers on one database: who hears of a message and of presence, and the streams that a
//! revocation, a deactivation, a demotion or a lapsed plan ends.
//!
//! A stream that must *not* receive something is read up to an event published after it,
//! which every stream in the account receives: the bus delivers in order, so what was not
//! there before it never comes.

use crate::common::{call, login_as, post_with_cookies, wait_for, Session};
use crate::escalation::{escalate, jane_session, open_stream, read_until};
use axum::{body::Body, Router};
use domain::{db, seed};
use http_body_util::BodyExt;
use resolutionflow::http;
use serde_json::{json, Value};
use sqlx::PgPool;
use std::time::Duration;
use uuid::Uuid;

/// Two servers on one database: each with its own state, bus and listening connection, sharing
/// nothing in memory, so that only PostgreSQL joins them, as it joins two `serve` processes
/// (which the process tests, tests/processes, run for real).
async fn two_servers(pool: &PgPool) -> (Router, Router) {
    seed::seed_demo(pool).await.unwrap();
    let one = http::router(crate::common::state(pool.clone(), crate::common::config(&[])).await);
    let two = http::router(crate::common::state(pool.clone(), crate::common::config(&[])).await);
    (one, two)
}

async fn ready_stream(router: &Router, who: &Session) -> Body {
    let (status, mut body) = open_stream(router, who, None).await;
    assert_eq!(status, 200);
    read_until(&mut body, "event: ready").await;
    body
}

async fn say(router: &Router, who: &Session, session_id: Uuid, body: &str) -> Value {
    let res = call(
        router,
        who,
        "/api/sessions/message",
        json!({ "session_id": session_id, "body": body }),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.json()
}

async fn presence(router: &Router, who: &Session, session_id: Uuid, state: &str) -> u16 {
    call(
        router,
        who,
        "/api/presence",
        json!({ "session_id": session_id, "state": state }),
    )
    .await
    .status
}

/// An event every worker of Acme hears: a new escalation by `who`. Returns its handoff id.
async fn marker(router: &Router, who: &Session) -> String {
    let session = jane_session(router, who).await;
    escalate(router, who, session).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Reads until the stream ends (or 5 s pass): everything it said.
async fn read_to_end(body: &mut Body) -> String {
    let mut text = String::new();
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(frame) = body.frame().await {
            if let Ok(data) = frame.unwrap().into_data() {
                text.push_str(&String::from_utf8_lossy(&data));
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the stream did not end; it said {text:?}");
    text
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_message_reaches_whoever_may_read_the_session_on_another_server_and_nobody_else(
    pool: PgPool,
) {
    let (one, two) = two_servers(&pool).await;
    let jane = login_as(&one, "jane@acme.test").await;
    let sam = login_as(&two, "sam@acme.test").await;
    let alex = login_as(&two, "alex@acme.test").await;
    let grace = login_as(&two, "owner@globex.test").await;
    let mut sam_stream = ready_stream(&two, &sam).await;
    let mut alex_stream = ready_stream(&two, &alex).await;
    let mut globex_stream = ready_stream(&two, &grace).await;

    // While the escalation waits in the queue, everyone who works it hears of its messages.
    let session = jane_session(&one, &jane).await;
    let handoff = escalate(&one, &jane, session).await;
    let queued = say(
        &one,
        &jane,
        session,
        "Still failing after the profile rebuild",
    )
    .await;
    let needle = format!("\"message_id\":\"{}\"", queued["id"].as_str().unwrap());
    for stream in [&mut sam_stream, &mut alex_stream] {
        let text = read_until(stream, &needle).await;
        assert!(text.contains("event: session_message"), "{text}");
        assert!(text.contains(&session.to_string()), "{text}");
        assert!(
            !text.contains("Still failing"),
            "ids only, never the text: {text}"
        );
    }

    // Once Sam has picked it up, only Jane and Sam do.
    let claimed = call(
        &two,
        &sam,
        "/api/handoffs/claim",
        json!({ "handoff_id": handoff["id"] }),
    )
    .await;
    assert_eq!(claimed.status, 200, "{}", claimed.body);
    let private = say(&one, &jane, session, "Here is the mailbox size").await;
    let reply = say(&two, &sam, session, "Thanks, looking").await;
    let private_needle = format!("\"message_id\":\"{}\"", private["id"].as_str().unwrap());
    let reply_needle = format!("\"message_id\":\"{}\"", reply["id"].as_str().unwrap());
    let text = read_until(&mut sam_stream, &reply_needle).await;
    assert!(text.contains(&private_needle), "in order, both: {text}");
    assert!(
        text.find(&private_needle) < text.find(&reply_needle),
        "Jane's first: {text}"
    );
    assert_eq!(
        text.matches(&private_needle).count(),
        1,
        "exactly once: {text}"
    );
    let mut jane_stream = ready_stream(&one, &jane).await;
    let after = say(&two, &sam, session, "Try this").await;
    read_until(&mut jane_stream, after["id"].as_str().unwrap()).await;

    let later = marker(&one, &jane).await;
    let text = read_until(&mut alex_stream, &later).await;
    assert!(
        !text.contains(&private_needle) && !text.contains(&reply_needle),
        "Alex neither owns nor picked it up: {text}"
    );
    let globex_later = marker(&two, &grace).await;
    let text = read_until(&mut globex_stream, &globex_later).await;
    assert!(
        !text.contains("session_message"),
        "nothing of Acme's reaches Globex: {text}"
    );

    // A reconnect replays only what its user may hear.
    let (_, mut sam_again) = open_stream(&two, &sam, Some("0")).await;
    let text = read_until(&mut sam_again, &later).await;
    assert!(text.contains(&private_needle), "{text}");
    let (_, mut alex_again) = open_stream(&two, &alex, Some("0")).await;
    let text = read_until(&mut alex_again, &later).await;
    assert!(
        text.contains(&needle),
        "the queued one is Alex's too: {text}"
    );
    assert!(!text.contains(&private_needle), "{text}");
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn presence_reaches_the_queue_on_another_server_writes_nothing_and_ends_with_left(
    pool: PgPool,
) {
    let (one, two) = two_servers(&pool).await;
    let jane = login_as(&one, "jane@acme.test").await;
    let sam = login_as(&one, "sam@acme.test").await;
    let alex = login_as(&two, "alex@acme.test").await;
    let grace = login_as(&one, "owner@globex.test").await;
    let session = jane_session(&one, &jane).await;
    let handoff = escalate(&one, &jane, session).await;
    let mut alex_stream = ready_stream(&two, &alex).await;
    let rows = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM escalation_events")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    // The escalation's own events (its assessment comes in the background) are in first.
    wait_for(async || {
        sqlx::query_scalar::<_, i64>(
            "SELECT id FROM escalation_events WHERE event_type = 'handoff_assessment_ready'",
        )
        .fetch_optional(&pool)
        .await
        .unwrap()
    })
    .await;
    let before = rows().await;

    assert_eq!(presence(&one, &sam, session, "viewing").await, 200);
    let text = read_until(&mut alex_stream, "event: presence").await;
    let frame = text.split("event: presence").nth(1).unwrap();
    assert!(
        frame.contains("Sam Senior") && frame.contains("\"state\":\"viewing\""),
        "{text}"
    );
    assert!(
        !frame.contains("id:"),
        "presence has no id to replay: {text}"
    );

    // A stream opened now is told at once who is there.
    let (_, mut late) = open_stream(&two, &alex, None).await;
    let text = read_until(&mut late, "Sam Senior").await;
    assert!(text.contains("\"state\":\"viewing\""), "{text}");

    assert_eq!(presence(&one, &sam, session, "typing").await, 200);
    read_until(&mut alex_stream, "\"state\":\"typing\"").await;
    assert_eq!(presence(&one, &sam, session, "left").await, 200);
    read_until(&mut alex_stream, "\"state\":\"left\"").await;
    assert_eq!(rows().await, before, "presence writes no rows");

    // Only someone who may read the session reports on it, in words the contract knows.
    assert_eq!(presence(&one, &grace, session, "viewing").await, 404);
    assert_eq!(presence(&one, &sam, Uuid::new_v4(), "viewing").await, 404);
    assert_eq!(presence(&one, &sam, session, "dancing").await, 422);

    // Once picked up, the queue no longer hears who is in it.
    call(
        &one,
        &sam,
        "/api/handoffs/claim",
        json!({ "handoff_id": handoff["id"] }),
    )
    .await;
    assert_eq!(presence(&one, &sam, session, "viewing").await, 200);
    let later = marker(&one, &jane).await;
    let text = read_until(&mut alex_stream, &later).await;
    let tail = text.rsplit("\"state\":\"left\"").next().unwrap();
    assert!(!tail.contains("event: presence"), "{text}");
}

/// Each way a login ends closes its stream, on the other server, with the reason; the same
/// person's other login keeps its stream.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn an_ended_login_has_its_stream_closed_with_the_reason_on_another_server(pool: PgPool) {
    let (one, two) = two_servers(&pool).await;
    let owner = login_as(&one, "owner@acme.test").await;
    let jane = login_as(&one, "jane@acme.test").await;

    // Revoked by an owner.
    let laptop = login_as(&two, "sam@acme.test").await;
    let phone = login_as(&two, "sam@acme.test").await;
    let mut laptop_stream = ready_stream(&two, &laptop).await;
    let mut phone_stream = ready_stream(&two, &phone).await;
    let started = std::time::Instant::now();
    let res = call(
        &one,
        &owner,
        "/api/account/security/revoke-session",
        json!({ "session_id": laptop.family_id }),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let text = read_to_end(&mut laptop_stream).await;
    eprintln!(
        "owner's revoke -> stream closed on the other server: {:?}",
        started.elapsed()
    );
    assert!(
        text.ends_with("event: signed_out\ndata: {\"reason\":\"owner_revoked\"}\n\n"),
        "{text}"
    );
    let later = marker(&one, &jane).await;
    read_until(&mut phone_stream, &later).await;
    // The revoked laptop's access token still passes for minutes; a tab that was asleep and
    // reconnects with it is told at once.
    let (status, mut woken) = open_stream(&two, &laptop, None).await;
    assert_eq!(status, 200);
    let text = read_to_end(&mut woken).await;
    assert_eq!(
        text,
        "event: signed_out\ndata: {\"reason\":\"owner_revoked\"}\n\n"
    );

    // Signed out in another tab of the same browser.
    let mut phone_tab = ready_stream(&two, &phone).await;
    post_with_cookies(&one, "/api/auth/logout", "{}", &phone.cookies()).await;
    let text = read_to_end(&mut phone_tab).await;
    assert!(text.contains("\"reason\":\"logout\""), "{text}");
    assert!(read_to_end(&mut phone_stream)
        .await
        .contains("\"reason\":\"logout\""));

    // A refresh token used twice ends the whole login. (The first use is made older than
    // the grace for concurrent tabs, so the second is a replay.)
    let alex = login_as(&two, "alex@acme.test").await;
    let mut alex_stream = ready_stream(&two, &alex).await;
    let first = post_with_cookies(&one, "/api/auth/refresh", "{}", &alex.cookies()).await;
    assert_eq!(first.status, 200, "{}", first.body);
    sqlx::query(
        "UPDATE refresh_tokens SET rotated_at = rotated_at - interval '1 minute' \
         WHERE family_id = $1 AND rotated_at IS NOT NULL",
    )
    .bind(alex.family_id)
    .execute(&pool)
    .await
    .unwrap();
    let replayed = post_with_cookies(&one, "/api/auth/refresh", "{}", &alex.cookies()).await;
    assert_eq!(replayed.status, 401, "{}", replayed.body);
    let text = read_to_end(&mut alex_stream).await;
    assert!(text.contains("\"reason\":\"reuse_detected\""), "{text}");

    // A password reset ends every login of its user.
    let again = login_as(&two, "jane@acme.test").await;
    let mut jane_stream = ready_stream(&two, &again).await;
    let user_id = seed::demo_user_id("jane@acme.test");
    let mut tx = db::user_tx(&pool, user_id).await.unwrap();
    domain::auth::logins::revoke_all(&mut tx, user_id, "password_reset", chrono::Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let text = read_to_end(&mut jane_stream).await;
    assert!(text.contains("\"reason\":\"password_reset\""), "{text}");

    // A rotation is no sign-out: the stream goes on.
    let sam = login_as(&one, "sam@acme.test").await;
    let mut sam_stream = ready_stream(&two, &sam).await;
    let rotated = post_with_cookies(&one, "/api/auth/refresh", "{}", &sam.cookies()).await;
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let later = marker(&one, &owner).await;
    read_until(&mut sam_stream, &later).await;
}

/// A stream ends once its user may no longer hold it: deactivated (signed out), demoted to
/// viewer or on a lapsed plan (told to look again).
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_stream_ends_on_deactivation_demotion_and_a_lapsed_plan(pool: PgPool) {
    let (one, two) = two_servers(&pool).await;
    let owner = login_as(&one, "owner@acme.test").await;

    let sam = login_as(&two, "sam@acme.test").await;
    let mut sam_stream = ready_stream(&two, &sam).await;
    let res = call(
        &one,
        &owner,
        "/api/account/members/deactivate",
        json!({ "user_id": seed::demo_user_id("sam@acme.test") }),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let text = read_to_end(&mut sam_stream).await;
    assert!(text.contains("event: signed_out"), "{text}");
    assert!(text.contains("\"reason\":\"deactivated\""), "{text}");

    let jane = login_as(&two, "jane@acme.test").await;
    let mut jane_stream = ready_stream(&two, &jane).await;
    let res = call(
        &one,
        &owner,
        "/api/account/members/update-role",
        json!({ "user_id": seed::demo_user_id("jane@acme.test"), "role": "viewer" }),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let text = read_to_end(&mut jane_stream).await;
    assert!(
        text.ends_with("event: access_changed\ndata: {}\n\n"),
        "{text}"
    );

    let alex = login_as(&two, "alex@acme.test").await;
    let mut alex_stream = ready_stream(&two, &alex).await;
    sqlx::query("UPDATE subscriptions SET status = 'canceled' WHERE account_id = $1")
        .bind(seed::demo_account_id("acme"))
        .execute(&pool)
        .await
        .unwrap();
    let text = read_to_end(&mut alex_stream).await;
    assert!(
        text.ends_with("event: access_changed\ndata: {}\n\n"),
        "{text}"
    );
}
