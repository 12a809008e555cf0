//! Troubleshooting sessions and escalation (docs/API.md §6) over HTTP on a real database, with real
//! SMTP and HTTP peers on loopback.

use crate::common::{call, eventually, login_as, peers, resolve, wait_for, Answer, Session};
use axum::{
    body::Body,
    extract::State,
    http::{HeaderMap, Request},
    routing::post,
    Json, Router,
};
use domain::{db, seed};
use http_body_util::BodyExt;
use resolutionflow::http;
use serde_json::{json, Value};
use sqlx::PgPool;
use std::{
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::sync::watch;
use uuid::Uuid;
use vocab::error::ErrorCode;

/// Requests a stand-in server received: headers and JSON body.
type Seen = Arc<Mutex<Vec<(HeaderMap, Value)>>>;

async fn app_with(pool: PgPool, extra: &[(&str, &str)]) -> Router {
    seed::seed_demo(&pool).await.unwrap();
    http::router(crate::common::state(pool, crate::common::config(extra)).await)
}

async fn get_session(router: &Router, who: &Session, id: Uuid) -> Answer {
    call(
        router,
        who,
        "/api/sessions/get",
        json!({ "session_id": id }),
    )
    .await
}

/// Jane opens a session with a ticket and two steps; returns its id.
pub(crate) async fn jane_session(router: &Router, jane: &Session) -> Uuid {
    let res = call(router, jane, "/api/sessions/create", json!({
        "problem_summary": "Outlook is failing to sync email for the whole finance team since this morning",
        "psa_ticket_id": "12345",
    })).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let id: Uuid = res.json()["id"].as_str().unwrap().parse().unwrap();
    for (action, outcome) in [
        ("Restarted Outlook", "failed"),
        ("Create a new Outlook profile", "partial"),
    ] {
        let res = call(
            router,
            jane,
            "/api/sessions/step",
            json!({ "session_id": id, "action": action, "outcome": outcome }),
        )
        .await;
        assert_eq!(res.status, 200, "{}", res.body);
    }
    id
}

pub(crate) async fn escalate(router: &Router, who: &Session, session_id: Uuid) -> Value {
    let res = call(router, who, "/api/handoffs/create", json!({
        "session_id": session_id, "intent": "escalate", "reason": "Profile rebuild only half worked",
    })).await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.json()
}

/// The handoff once its assessment has come in.
async fn assessed(router: &Router, who: &Session, handoff_id: &Value) -> Value {
    wait_for(async || {
        let h = call(
            router,
            who,
            "/api/handoffs/get",
            json!({ "handoff_id": handoff_id }),
        )
        .await
        .json();
        (!h["ai_assessment"].is_null()).then_some(h)
    })
    .await
}

/// The owner adds a webhook of `kind` ("slack" or "teams") at `url`.
async fn hook_added(router: &Router, kind: &str, url: &str) {
    let owner = login_as(router, "owner@acme.test").await;
    let res = call(
        router,
        &owner,
        "/api/account/webhooks/add",
        json!({ "kind": kind, "url": url }),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
}

async fn mail_rows(pool: &PgPool) -> Vec<(String, String)> {
    sqlx::query_as("SELECT recipient, status FROM outbound_emails ORDER BY recipient")
        .fetch_all(pool)
        .await
        .unwrap()
}

// --- sessions --------------------------------------------------------------------------------

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn sessions_are_private_until_escalated_and_writable_by_owner_and_claimer(pool: PgPool) {
    let router = app_with(pool, &[]).await;
    let (jane, sam, val, grace) = (
        login_as(&router, "jane@acme.test").await,
        login_as(&router, "sam@acme.test").await,
        login_as(&router, "val@acme.test").await,
        login_as(&router, "owner@globex.test").await,
    );
    let res = call(
        &router,
        &val,
        "/api/sessions/create",
        json!({ "problem_summary": "x" }),
    )
    .await;
    assert_eq!(
        (res.status, res.json()["error"].as_str()),
        (403, Some("forbidden")),
        "viewers never act"
    );
    let res = call(
        &router,
        &jane,
        "/api/sessions/create",
        json!({ "problem_summary": "   " }),
    )
    .await;
    assert_eq!(res.status, 422);

    let id = jane_session(&router, &jane).await;
    let get = async |who: &Session| get_session(&router, who, id).await;
    let detail = get(&jane).await.json();
    assert_eq!(detail["psa_ticket_id"], "12345");
    assert_eq!(detail["steps"].as_array().unwrap().len(), 2);
    assert_eq!(
        get(&sam).await.status,
        404,
        "another member can't read an active session"
    );
    assert_eq!(get(&grace).await.status, 404, "another account never");

    escalate(&router, &jane, id).await;
    assert_eq!(
        get(&sam).await.status,
        200,
        "escalated: any member reads it"
    );
    assert_eq!(get(&val).await.status, 200);
    assert_eq!(get(&grace).await.status, 404);
    let msg = json!({ "session_id": id, "body": "I'll take a look" });
    assert_eq!(
        call(&router, &sam, "/api/sessions/message", msg.clone())
            .await
            .status,
        403,
        "not his to write before claiming"
    );

    let handoff = call(&router, &sam, "/api/handoffs/queue", json!({}))
        .await
        .json()[0]["handoff_id"]
        .clone();
    assert_eq!(
        call(
            &router,
            &sam,
            "/api/handoffs/claim",
            json!({ "handoff_id": handoff })
        )
        .await
        .status,
        200
    );
    let res = call(&router, &sam, "/api/sessions/message", msg).await;
    assert_eq!(res.status, 200, "the claimer writes: {}", res.body);
    assert_eq!(res.json()["author"]["name"], "Sam Senior");

    let sams: Vec<Value> = call(&router, &sam, "/api/sessions/list", json!({}))
        .await
        .json()
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(
        sams.len(),
        1,
        "the picked-up session appears in the claimer's sidebar"
    );
    assert_eq!(sams[0]["status"], "escalated");
    assert_eq!(sams[0]["psa_ticket_id"], "12345");
    assert!(call(&router, &grace, "/api/sessions/list", json!({}))
        .await
        .json()
        .as_array()
        .unwrap()
        .is_empty());
}

/// The refusal a call got for the session's state: 422 on `session_id`.
fn refused_for_state(res: &Answer) -> String {
    assert_eq!(res.status, 422, "{}", res.body);
    assert_eq!(res.json()["error"], "validation_failed");
    res.json()["fields"]["session_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no session_id field: {}", res.body))
        .to_owned()
}

async fn unread(router: &Router, who: &Session) -> i64 {
    call(router, who, "/api/notifications/list", json!({}))
        .await
        .json()["unread_count"]
        .as_i64()
        .unwrap()
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_session_says_where_it_stands_and_allows_only_what_that_allows(pool: PgPool) {
    let router = app_with(pool.clone(), &[]).await;
    let (jane, sam, alex) = (
        login_as(&router, "jane@acme.test").await,
        login_as(&router, "sam@acme.test").await,
        login_as(&router, "alex@acme.test").await,
    );
    let id = jane_session(&router, &jane).await;
    let status = async || get_session(&router, &jane, id).await.json()["status"].clone();
    let hand_on = async |intent: &str| {
        call(
            &router,
            &jane,
            "/api/handoffs/create",
            json!({
                "session_id": id, "intent": intent, "reason": "Still stuck",
            }),
        )
        .await
    };

    // Escalated: waiting in the queue, and already handed on.
    let handoff = escalate(&router, &jane, id).await;
    assert_eq!(status().await, "requesting_escalation");
    assert!(refused_for_state(&hand_on("escalate").await).contains("already waiting"));
    assert!(refused_for_state(&hand_on("park").await).contains("already waiting"));
    assert_eq!(
        (unread(&router, &sam).await, unread(&router, &alex).await),
        (1, 1)
    );

    // Picked up: Sam has it, and every senior's bell row is read, Alex's too.
    let claim = call(
        &router,
        &sam,
        "/api/handoffs/claim",
        json!({ "handoff_id": handoff["id"] }),
    )
    .await;
    assert_eq!(claim.status, 200, "{}", claim.body);
    assert_eq!(status().await, "escalated");
    assert_eq!(
        get_session(&router, &jane, id).await.json()["escalated_to"]["name"],
        "Sam Senior"
    );
    assert!(refused_for_state(&hand_on("escalate").await).contains("already picked"));
    assert_eq!(
        (unread(&router, &sam).await, unread(&router, &alex).await),
        (0, 0)
    );

    // Resolved: a record. Nothing is added to it, by its owner or its claimer.
    resolve(
        &router,
        &sam,
        id,
        "Rebuilt the profile on the second machine.",
    )
    .await;
    assert_eq!(status().await, "resolved");
    let fix = call(
        &router,
        &jane,
        "/api/fixes/suggest",
        json!({ "session_id": id, "title": "Clear the cache" }),
    )
    .await;
    for (who, path, body) in [
        (
            &jane,
            "/api/sessions/message",
            json!({ "session_id": id, "body": "One more thing" }),
        ),
        (
            &sam,
            "/api/sessions/step",
            json!({ "session_id": id, "action": "Checked again" }),
        ),
        (
            &sam,
            "/api/sessions/resolve",
            json!({ "session_id": id, "resolution_note": "Overwritten" }),
        ),
    ] {
        let res = call(&router, who, path, body).await;
        assert!(refused_for_state(&res).contains("resolved"), "{path}");
    }
    assert!(refused_for_state(&fix).contains("resolved"));
    assert!(refused_for_state(&hand_on("park").await).contains("resolved"));
    let detail = get_session(&router, &jane, id).await.json();
    assert_eq!(
        detail["resolution_note"],
        "Rebuilt the profile on the second machine."
    );
    assert_eq!(detail["messages"].as_array().unwrap().len(), 0);
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn resolving_a_waiting_escalation_takes_it_off_the_queue_and_every_bell(pool: PgPool) {
    let router = app_with(pool.clone(), &[]).await;
    let (jane, sam) = (
        login_as(&router, "jane@acme.test").await,
        login_as(&router, "sam@acme.test").await,
    );
    let id = jane_session(&router, &jane).await;
    escalate(&router, &jane, id).await;
    let queue = async || {
        call(&router, &sam, "/api/handoffs/queue", json!({}))
            .await
            .json()
    };
    assert_eq!(queue().await.as_array().unwrap().len(), 1);
    assert_eq!(unread(&router, &sam).await, 1);

    resolve(
        &router,
        &jane,
        id,
        "It came back by itself after the restart.",
    )
    .await;
    assert_eq!(queue().await, json!([]));
    assert_eq!(unread(&router, &sam).await, 0);
    // Told to the whole queue, as the session's messages were while it waited (docs/API.md §9).
    let told: (Value, Option<Vec<Uuid>>) = sqlx::query_as(
        "SELECT payload, audience FROM escalation_events WHERE event_type = 'session_resolved'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(told, (json!({ "session_id": id }), None));
}

// --- handoffs, queue, claim ------------------------------------------------------------------

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn escalating_flips_the_session_snapshots_it_and_notifies_in_app(pool: PgPool) {
    let router = app_with(pool.clone(), &[]).await;
    let jane = login_as(&router, "jane@acme.test").await;
    let sam = login_as(&router, "sam@acme.test").await;
    sqlx::query("UPDATE users SET deleted_at = now() WHERE email = 'alex@acme.test'")
        .execute(&pool)
        .await
        .unwrap();
    let id = jane_session(&router, &jane).await;

    let res = call(&router, &jane, "/api/handoffs/create", json!({
        "session_id": id, "intent": "escalate", "reason": "Need a senior", "target_user_id": jane.user_id,
    })).await;
    assert_eq!(
        (
            res.status,
            res.json()["fields"]["target_user_id"].is_string()
        ),
        (422, true),
        "not to yourself"
    );

    let res = call(&router, &jane, "/api/handoffs/create", json!({
        "session_id": id, "intent": "escalate", "reason": "Profile rebuild only half worked", "target_user_id": sam.user_id,
    })).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let handoff = res.json();
    assert_eq!(handoff["snapshot"]["steps"].as_array().unwrap().len(), 2);
    assert_eq!(
        handoff["snapshot"]["problem_summary"],
        "Outlook is failing to sync email for the whole finance team since this morning"
    );

    let session: (String, Option<String>, Option<Uuid>) = sqlx::query_as(
        "SELECT status, escalation_reason, escalated_to_id FROM troubleshooting_sessions WHERE id = $1",
    ).bind(id).fetch_one(&pool).await.unwrap();
    // Waiting: named to Sam, not yet picked up by him (docs/API.md §5).
    assert_eq!(
        session,
        (
            "requesting_escalation".into(),
            Some("Profile rebuild only half worked".into()),
            Some(sam.user_id)
        )
    );

    let bell: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT u.email, n.title, n.link FROM notifications n JOIN users u ON u.id = n.user_id ORDER BY u.email",
    ).fetch_all(&pool).await.unwrap();
    let who: Vec<&str> = bell.iter().map(|b| b.0.as_str()).collect();
    assert_eq!(
        who,
        ["owner@acme.test", "sam@acme.test"],
        "not Jane, not Val (viewer), not deleted Alex, not Globex"
    );
    assert_eq!(bell[0].1, "Escalation from Jane · #12345: Outlook is failing to sync email for the whole finance team since this…");
    assert_eq!(bell[0].2, format!("/pilot/{id}?pickup=true"));

    let list = call(&router, &sam, "/api/notifications/list", json!({}))
        .await
        .json();
    assert_eq!(list["unread_count"], 1);
    let nid = list["notifications"][0]["id"].clone();
    let read = call(
        &router,
        &sam,
        "/api/notifications/read",
        json!({ "notification_id": nid }),
    )
    .await
    .json();
    assert_eq!(read["unread_count"], 0);
    assert_eq!(
        call(
            &router,
            &jane,
            "/api/notifications/read",
            json!({ "notification_id": nid })
        )
        .await
        .status,
        404
    );
}

/// Parking notifies nobody. What an escalation sends after its commit (mail, the stream's
/// event) is checked against a marker: an escalation made after the park, whose mail and event
/// are then the only ones there are.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn parking_notifies_nobody(pool: PgPool) {
    let (smtp, _) = peers::smtp_sink(false).await;
    let router = app_with(pool.clone(), &[("RF_SMTP_URL", &smtp)]).await;
    let jane = login_as(&router, "jane@acme.test").await;
    let sam = login_as(&router, "sam@acme.test").await;
    let (_, mut sam_stream) = open_stream(&router, &sam, None).await;
    read_until(&mut sam_stream, "event: ready").await;
    let id = jane_session(&router, &jane).await;
    let res = call(
        &router,
        &jane,
        "/api/handoffs/create",
        json!({ "session_id": id, "intent": "park", "reason": "Waiting on the client" }),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["intent"], "park");
    let count = async |table: &str| -> i64 {
        sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    // In-app notifications would have been written with the park itself.
    assert_eq!(count("notifications").await, 0);

    let marker_session = jane_session(&router, &jane).await;
    let marker = escalate(&router, &jane, marker_session).await;
    let heard = read_until(&mut sam_stream, "handoff_created").await;
    assert!(
        heard.contains(marker["id"].as_str().unwrap()) && !heard.contains(&id.to_string()),
        "the first event Sam hears is the marker's: {heard}"
    );
    // The marker's mail (its link names its session) to the owner, Alex and Sam; none besides.
    eventually("the marker's three mails", async || {
        let marked: i64 =
            sqlx::query_scalar("SELECT count(*) FROM outbound_emails WHERE body LIKE $1")
                .bind(format!("%/pilot/{marker_session}%"))
                .fetch_one(&pool)
                .await
                .unwrap();
        marked == 3
    })
    .await;
    assert_eq!(count("outbound_emails").await, 3);
    let others: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM escalation_events WHERE payload->>'handoff_id' IS DISTINCT FROM $1",
    )
    .bind(marker["id"].as_str().unwrap())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(others, 0, "every event there is is the marker's");
    let status: String =
        sqlx::query_scalar("SELECT status FROM troubleshooting_sessions WHERE id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(status, "parked");
    let res = call(
        &router,
        &jane,
        "/api/handoffs/create",
        json!({ "session_id": id, "intent": "vanish", "reason": "x" }),
    )
    .await;
    assert_eq!(res.status, 422);
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_session_opened_from_a_link_carries_its_escalation_and_a_parked_one_stays_private(
    pool: PgPool,
) {
    let router = app_with(pool, &[]).await;
    let (jane, sam) = (
        login_as(&router, "jane@acme.test").await,
        login_as(&router, "sam@acme.test").await,
    );
    let id = jane_session(&router, &jane).await;
    let get = async |who: &Session| get_session(&router, who, id).await;
    assert!(
        get(&jane).await.json()["handoff"].is_null(),
        "never escalated"
    );

    let handoff = escalate(&router, &jane, id).await;
    // The senior arriving from the bell's link sees the escalation, its reason and its steps,
    // and the assessment once it is in, all from the session itself.
    let seen = get(&sam).await;
    assert_eq!(seen.status, 200, "{}", seen.body);
    let carried = &seen.json()["handoff"];
    assert_eq!(carried["id"], handoff["id"]);
    assert_eq!(carried["reason"], "Profile rebuild only half worked");
    assert_eq!(carried["from_user"]["name"], "Jane Junior");
    assert_eq!(carried["snapshot"]["steps"].as_array().unwrap().len(), 2);
    assessed(&router, &sam, &handoff["id"]).await;
    assert!(!get(&sam).await.json()["handoff"]["ai_assessment"].is_null());

    // Parking is private to the engineer who parked: nobody else can read the parked handoff.
    let other = jane_session(&router, &jane).await;
    let parked = call(
        &router,
        &jane,
        "/api/handoffs/create",
        json!({
            "session_id": other, "intent": "park", "reason": "Waiting on the client to reboot",
        }),
    )
    .await
    .json();
    let by = async |who: &Session| {
        call(
            &router,
            who,
            "/api/handoffs/get",
            json!({ "handoff_id": parked["id"] }),
        )
        .await
    };
    assert_eq!(by(&jane).await.status, 200);
    let res = by(&sam).await;
    assert_eq!(
        (res.status, res.json()["error"].as_str()),
        (404, Some("not_found"))
    );
    assert!(!res.body.contains("Waiting on the client"));
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn an_escalation_can_be_addressed_to_the_other_seniors_of_the_account_only(pool: PgPool) {
    let router = app_with(pool.clone(), &[]).await;
    let (jane, val) = (
        login_as(&router, "jane@acme.test").await,
        login_as(&router, "val@acme.test").await,
    );
    sqlx::query("UPDATE users SET deleted_at = now() WHERE email = 'alex@acme.test'")
        .execute(&pool)
        .await
        .unwrap();
    let res = call(&router, &jane, "/api/handoffs/targets", json!({})).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let names: Vec<String> = res
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    // Not Jane herself, not Val (a viewer), not Alex (deleted), nobody from Globex.
    assert_eq!(names, ["Olivia Owner", "Sam Senior"]);
    let res = call(&router, &val, "/api/handoffs/targets", json!({})).await;
    assert_eq!(
        (res.status, res.json()["error"].as_str()),
        (403, Some("forbidden"))
    );
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn the_queue_is_unclaimed_newest_first_and_never_my_own(pool: PgPool) {
    let router = app_with(pool, &[]).await;
    let jane = login_as(&router, "jane@acme.test").await;
    let sam = login_as(&router, "sam@acme.test").await;
    let val = login_as(&router, "val@acme.test").await;
    let first = jane_session(&router, &jane).await;
    escalate(&router, &jane, first).await;
    let res = call(
        &router,
        &sam,
        "/api/sessions/create",
        json!({ "problem_summary": "VPN drops every hour" }),
    )
    .await;
    let second: Uuid = res.json()["id"].as_str().unwrap().parse().unwrap();
    escalate(&router, &sam, second).await;

    let jane_queue = call(&router, &jane, "/api/handoffs/queue", json!({}))
        .await
        .json();
    assert_eq!(jane_queue.as_array().unwrap().len(), 1, "never my own");
    assert_eq!(jane_queue[0]["from_user"]["name"], "Sam Senior");
    let sam_queue = call(&router, &sam, "/api/handoffs/queue", json!({}))
        .await
        .json();
    assert_eq!(sam_queue[0]["session_id"], first.to_string());
    assert_eq!(sam_queue[0]["step_count"], 2);
    assert_eq!(sam_queue[0]["psa_ticket_id"], "12345");
    assert_eq!(sam_queue[0]["reason"], "Profile rebuild only half worked");
    let val_queue = call(&router, &val, "/api/handoffs/queue", json!({}))
        .await
        .json();
    assert_eq!(
        val_queue.as_array().unwrap().len(),
        2,
        "viewers see the queue, newest first"
    );
    assert_eq!(val_queue[0]["session_id"], second.to_string());
    let res = call(
        &router,
        &val,
        "/api/handoffs/claim",
        json!({ "handoff_id": val_queue[0]["handoff_id"] }),
    )
    .await;
    assert_eq!(res.status, 403, "but never pick up");
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn twelve_concurrent_claims_by_three_users_have_exactly_one_winner(pool: PgPool) {
    let router = app_with(pool.clone(), &[]).await;
    let jane = login_as(&router, "jane@acme.test").await;
    let seniors = Arc::new([
        login_as(&router, "sam@acme.test").await,
        login_as(&router, "alex@acme.test").await,
        login_as(&router, "owner@acme.test").await,
    ]);
    let id = jane_session(&router, &jane).await;
    let handoff = escalate(&router, &jane, id).await["id"].clone();

    let mut tasks = Vec::new();
    for i in 0..12 {
        let (router, seniors, handoff) = (router.clone(), seniors.clone(), handoff.clone());
        tasks.push(tokio::spawn(async move {
            let who = &seniors[i % 3];
            let res = call(
                &router,
                who,
                "/api/handoffs/claim",
                json!({ "handoff_id": handoff }),
            )
            .await;
            (who.user_id, res.status, res.json())
        }));
    }
    let results: Vec<(Uuid, u16, Value)> = futures_join(tasks).await;
    let winners: std::collections::HashSet<Uuid> =
        results.iter().filter(|r| r.1 == 200).map(|r| r.0).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    let winner = *winners.iter().next().unwrap();
    for (who, status, body) in &results {
        if *who == winner {
            assert_eq!(*status, 200, "the winner's double clicks all succeed");
        } else {
            assert_eq!(*status, 409);
            assert_eq!(body["error"], "already_claimed");
            assert_eq!(body["claimed_by"]["user_id"], winner.to_string());
            assert!(body["claimed_by"]["name"].is_string() && body["claimed_at"].is_string());
        }
    }
    let stored: Option<Uuid> = sqlx::query_scalar("SELECT claimed_by FROM session_handoffs")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, Some(winner));
    let own = call(
        &router,
        &jane,
        "/api/handoffs/claim",
        json!({ "handoff_id": handoff }),
    )
    .await;
    assert_eq!(
        (own.status, own.json()["error"].as_str()),
        (409, Some("already_claimed"))
    );

    let next = jane_session(&router, &jane).await;
    let fresh = escalate(&router, &jane, next).await["id"].clone();
    let own = call(
        &router,
        &jane,
        "/api/handoffs/claim",
        json!({ "handoff_id": fresh }),
    )
    .await;
    assert_eq!(
        (own.status, own.json()["error"].as_str()),
        (403, Some("cannot_claim_own_handoff"))
    );
    let missing = call(
        &router,
        &seniors[0],
        "/api/handoffs/claim",
        json!({ "handoff_id": Uuid::new_v4() }),
    )
    .await;
    assert_eq!(missing.status, 404);
}

/// A claim whose UPDATE waits for another senior's uncommitted claim of the same row loses,
/// and is still told who won: its statement's snapshot predates the winner's commit, so it has
/// to read the handoff again (a 404 here would be the stale read).
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_claim_that_waited_for_the_winners_row_is_told_who_won(pool: PgPool) {
    let router = app_with(pool.clone(), &[]).await;
    let jane = login_as(&router, "jane@acme.test").await;
    let sam = login_as(&router, "sam@acme.test").await;
    let alex = login_as(&router, "alex@acme.test").await;
    let id = jane_session(&router, &jane).await;
    let created = escalate(&router, &jane, id).await;
    // The assessment writes to the row too: let it land first.
    assessed(&router, &jane, &created["id"]).await;
    let handoff: Uuid = created["id"].as_str().unwrap().parse().unwrap();

    // Sam's claim, not yet committed: it holds the row.
    let mut sams = pool.begin().await.unwrap();
    sqlx::query("UPDATE session_handoffs SET claimed_by = $1, claimed_at = now() WHERE id = $2")
        .bind(sam.user_id)
        .bind(handoff)
        .execute(&mut *sams)
        .await
        .unwrap();
    let alexs = tokio::spawn({
        let router = router.clone();
        async move {
            call(
                &router,
                &alex,
                "/api/handoffs/claim",
                json!({ "handoff_id": handoff }),
            )
            .await
        }
    });
    // Alex's claim is waiting for the row.
    wait_for(async || {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock' \
               AND query LIKE 'WITH won AS%'",
        )
        .fetch_one(&pool)
        .await
        .ok()
        .filter(|&waiting| waiting > 0)
    })
    .await;
    sams.commit().await.unwrap();

    let res = alexs.await.unwrap();
    assert_eq!(res.status, 409, "{}", res.body);
    let body = res.json();
    assert_eq!(body["error"], "already_claimed");
    assert_eq!(body["claimed_by"]["user_id"], sam.user_id.to_string());
    assert_eq!(body["claimed_by"]["name"], "Sam Senior");
}

async fn futures_join<T: Send + 'static>(tasks: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

// --- mail, webhooks, the assessor --------------------------------------------------------------

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn mail_goes_over_smtp_to_every_senior_but_the_escalator(pool: PgPool) {
    let (smtp, inbox) = peers::smtp_sink(false).await;
    let router = app_with(pool.clone(), &[("RF_SMTP_URL", &smtp)]).await;
    sqlx::query("UPDATE users SET deleted_at = now() WHERE email = 'alex@acme.test'")
        .execute(&pool)
        .await
        .unwrap();
    let jane = login_as(&router, "jane@acme.test").await;
    let id = jane_session(&router, &jane).await;
    escalate(&router, &jane, id).await;

    let rows = wait_for(async || {
        let rows = mail_rows(&pool).await;
        (rows.len() == 2).then_some(rows)
    })
    .await;
    assert_eq!(
        rows,
        [
            ("owner@acme.test".into(), "sent".into()),
            ("sam@acme.test".into(), "sent".into())
        ]
    );
    let inbox = inbox.lock().unwrap().clone();
    let mut to: Vec<String> = inbox.iter().flat_map(|(rcpt, _)| rcpt.clone()).collect();
    to.sort();
    assert_eq!(to, ["owner@acme.test", "sam@acme.test"]);
    assert!(
        inbox[0].1.contains("Subject: Escalation from Jane"),
        "{}",
        inbox[0].1
    );
    let body = peers::readable(&inbox[0].1);
    assert!(body.contains(&format!("/pilot/{id}?pickup=true")), "{body}");
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_refusing_mail_server_a_failing_webhook_and_a_hanging_assessor_never_undo_the_handoff(
    pool: PgPool,
) {
    let (smtp, _) = peers::smtp_sink(true).await;
    let hooks: Arc<Mutex<Vec<Value>>> = Arc::default();
    let slack = peers::http_server(Router::new().route("/hook", post(
        |State(seen): State<Arc<Mutex<Vec<Value>>>>, Json(body): Json<Value>| async move {
            seen.lock().unwrap().push(body);
            (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "boom")
        },
    )).with_state(hooks.clone())).await;
    let hanging = peers::http_server(Router::new().route(
        "/v1/messages",
        post(|| async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            "never"
        }),
    ))
    .await;
    let router = app_with(
        pool.clone(),
        &[
            ("RF_SMTP_URL", &smtp),
            ("RF_ANTHROPIC_API_KEY", "test-key"),
            ("RF_ANTHROPIC_BASE_URL", &hanging),
            ("ESCALATION_AI_ASSESSMENT_TIMEOUT_SECONDS", "1"),
            // The stand-in webhook is plain http on loopback.
            ("RF_WEBHOOK_ALLOW_PRIVATE", "true"),
        ],
    )
    .await;
    hook_added(&router, "slack", &format!("{slack}/hook")).await;
    let jane = login_as(&router, "jane@acme.test").await;
    let id = jane_session(&router, &jane).await;
    let handoff = escalate(&router, &jane, id).await;

    let status = wait_for(async || {
        let s: String = sqlx::query_scalar("SELECT assessment_status FROM session_handoffs")
            .fetch_one(&pool)
            .await
            .unwrap();
        (s != "pending").then_some(s)
    })
    .await;
    assert_eq!(
        status, "unavailable",
        "the budget ran out and that is recorded"
    );
    let rows = wait_for(async || {
        let rows = mail_rows(&pool).await;
        (rows.len() == 3).then_some(rows)
    })
    .await;
    assert!(rows.iter().all(|r| r.1 == "failed"), "{rows:?}");
    let seen = hooks.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert!(seen[0]["text"]
        .as_str()
        .unwrap()
        .starts_with("Escalation from Jane · #12345"));

    let kept: (String, i64) = sqlx::query_as(
        "SELECT s.status, (SELECT count(*) FROM session_handoffs) FROM troubleshooting_sessions s WHERE s.id = $1",
    ).bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!(kept, ("requesting_escalation".into(), 1));
    let ready: (String, Value) = sqlx::query_as(
        "SELECT event_type, payload FROM escalation_events WHERE event_type = 'handoff_assessment_ready'",
    ).fetch_one(&pool).await.unwrap();
    assert_eq!(
        ready.1,
        json!({ "handoff_id": handoff["id"], "has_assessment": false })
    );
}

/// Mail, webhooks and the model are held until the escalator has had the answer: were the answer
/// waiting on any of them, it would never come (the model's budget, 45 s, is longer than the
/// deadline here; a mail or a hook that timed out would not then arrive).
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn the_escalator_never_waits_on_mail_hooks_or_the_model(pool: PgPool) {
    let (open, gate) = watch::channel(false);
    let (smtp, inbox) = peers::smtp_sink_held(gate.clone()).await;
    let hooked: Arc<Mutex<Vec<Value>>> = Arc::default();
    type Held = (Arc<Mutex<Vec<Value>>>, watch::Receiver<bool>);
    let slack = peers::http_server(
        Router::new()
            .route(
                "/hook",
                post(
                    |State((seen, mut gate)): State<Held>, Json(body): Json<Value>| async move {
                        let _ = gate.wait_for(|open| *open).await;
                        seen.lock().unwrap().push(body);
                        "ok"
                    },
                ),
            )
            .with_state((hooked.clone(), gate.clone())),
    )
    .await;
    let model = peers::http_server(
        Router::new()
            .route(
                "/v1/messages",
                post(|State(mut gate): State<watch::Receiver<bool>>| async move {
                    let _ = gate.wait_for(|open| *open).await;
                    Json(json!({
                        "id": "msg_test", "type": "message", "role": "assistant",
                        "content": [{ "type": "text", "text": "{\"summary\":\"s\",\"likely_causes\":[\"c\"],\"suggested_steps\":[\"t\"],\"confidence_tier\":\"low\"}" }],
                    }))
                }),
            )
            .with_state(gate),
    )
    .await;
    let router = app_with(
        pool.clone(),
        &[
            ("RF_SMTP_URL", &smtp),
            ("RF_ANTHROPIC_API_KEY", "test-key"),
            ("RF_ANTHROPIC_BASE_URL", &model),
            ("RF_WEBHOOK_ALLOW_PRIVATE", "true"),
        ],
    )
    .await;
    hook_added(&router, "slack", &format!("{slack}/hook")).await;
    let jane = login_as(&router, "jane@acme.test").await;
    let id = jane_session(&router, &jane).await;

    let handoff = tokio::time::timeout(Duration::from_secs(30), escalate(&router, &jane, id))
        .await
        .expect("the escalation answers while mail, hook and model are all held");
    assert!(inbox.lock().unwrap().is_empty() && hooked.lock().unwrap().is_empty());

    // Let them through: each arrives, after the answer.
    open.send_replace(true);
    let rows = wait_for(async || {
        let rows = mail_rows(&pool).await;
        (rows.len() == 3).then_some(rows)
    })
    .await;
    assert!(rows.iter().all(|r| r.1 == "sent"), "{rows:?}");
    eventually("the hook's post", async || {
        !hooked.lock().unwrap().is_empty()
    })
    .await;
    let assessed = assessed(&router, &jane, &handoff["id"]).await;
    assert_eq!(assessed["ai_assessment"]["likely_causes"], json!(["c"]));
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn the_anthropic_client_speaks_the_messages_api(pool: PgPool) {
    let seen: Seen = Arc::default();
    let api = peers::http_server(Router::new().route("/v1/messages", post(
        |State(seen): State<Seen>, headers: HeaderMap, Json(body): Json<Value>| async move {
            seen.lock().unwrap().push((headers, body));
            Json(json!({
                "id": "msg_test", "type": "message", "role": "assistant",
                "content": [{ "type": "text", "text": "{\"summary\":\"Profile cache\",\"likely_causes\":[\"Corrupt OST\"],\"suggested_steps\":[\"Rebuild the OST\"],\"confidence_tier\":\"high\"}" }],
                "stop_reason": "end_turn",
            }))
        },
    )).with_state(seen.clone())).await;
    let router = app_with(
        pool.clone(),
        &[
            ("RF_ANTHROPIC_API_KEY", "sk-test"),
            ("RF_ANTHROPIC_BASE_URL", &api),
        ],
    )
    .await;
    let jane = login_as(&router, "jane@acme.test").await;
    let sam = login_as(&router, "sam@acme.test").await;
    let id = jane_session(&router, &jane).await;
    let handoff = escalate(&router, &jane, id).await;
    assert!(handoff["ai_assessment"].is_null(), "null until ready");

    let got = assessed(&router, &sam, &handoff["id"]).await;
    assert_eq!(got["ai_assessment"]["summary"], "Profile cache");
    assert_eq!(got["ai_assessment"]["confidence_tier"], "high");
    let (headers, body) = seen.lock().unwrap()[0].clone();
    assert_eq!(headers["x-api-key"], "sk-test");
    assert_eq!(headers["anthropic-version"], "2023-06-01");
    assert!(
        body["model"].is_string() && body["max_tokens"].is_number() && body["system"].is_string()
    );
    let content = body["messages"][0]["content"].as_str().unwrap();
    assert!(content.contains("Create a new Outlook profile") && content.contains("partial"));
    let tier = call(&router, &sam, "/api/handoffs/queue", json!({}))
        .await
        .json()[0]["confidence_tier"]
        .clone();
    assert_eq!(tier, "high", "the queue shows the tier once assessed");
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn the_heuristic_assessor_fills_in_by_default(pool: PgPool) {
    let router = app_with(pool.clone(), &[]).await;
    let jane = login_as(&router, "jane@acme.test").await;
    let id = jane_session(&router, &jane).await;
    let handoff = escalate(&router, &jane, id).await;
    let got = assessed(&router, &jane, &handoff["id"]).await;
    assert_eq!(got["assessment_status"], "ready");
    assert_eq!(got["ai_assessment"]["confidence_tier"], "high");
    assert!(!got["ai_assessment"]["suggested_steps"]
        .as_array()
        .unwrap()
        .is_empty());
    let rows = mail_rows(&pool).await;
    assert!(
        rows.iter().all(|r| r.1 == "logged"),
        "no SMTP configured: mail goes to the log and the table"
    );
}

// --- the stream ----------------------------------------------------------------------------------

/// Opens the SSE stream on `router` and returns a reader of its events.
pub(crate) async fn open_stream(
    router: &Router,
    who: &Session,
    last_event_id: Option<&str>,
) -> (u16, Body) {
    let mut req =
        Request::get("/api/escalations/stream").header("cookie", who.cookies().join("; "));
    if let Some(id) = last_event_id {
        req = req.header("last-event-id", id);
    }
    let res = tower::ServiceExt::oneshot(router.clone(), req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    (res.status().as_u16(), res.into_body())
}

/// Reads SSE text until `needle` appears (or 30 s pass).
pub(crate) async fn read_until(body: &mut Body, needle: &str) -> String {
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !text.contains(needle) {
        match tokio::time::timeout_at(deadline, body.frame()).await {
            Ok(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data() {
                    text.push_str(&String::from_utf8_lossy(&data));
                }
            }
            _ => panic!("{needle:?} not seen; got {text:?}"),
        }
    }
    text
}

/// A quiet stream says something every 25 s, a comment line a browser ignores, so that no proxy
/// in between closes it as idle. Waited for in real time; only "not before 25 s" is asserted,
/// which a slow machine cannot break.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_quiet_stream_sends_a_comment_line_every_25_seconds(pool: PgPool) {
    let router = app_with(pool, &[]).await;
    let sam = login_as(&router, "sam@acme.test").await;
    let asked = tokio::time::Instant::now();
    let (_, mut stream) = open_stream(&router, &sam, None).await;
    read_until(&mut stream, "event: ready").await;
    let frame = tokio::time::timeout(Duration::from_secs(90), stream.frame())
        .await
        .expect("a frame within 90 s")
        .expect("the stream goes on")
        .unwrap()
        .into_data()
        .unwrap();
    let waited = asked.elapsed();
    assert_eq!(&frame[..], b": keep-alive\n\n", "a comment, no event");
    assert!(
        waited >= Duration::from_secs(25),
        "after {waited:?}, not 25 s"
    );
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn an_event_published_through_one_bus_reaches_a_stream_served_by_another(pool: PgPool) {
    seed::seed_demo(&pool).await.unwrap();
    // Two app states, each with its own bus listener: they share nothing but PostgreSQL.
    let one = http::router(crate::common::state(pool.clone(), crate::common::config(&[])).await);
    let two = http::router(crate::common::state(pool.clone(), crate::common::config(&[])).await);
    let jane = login_as(&one, "jane@acme.test").await;
    let sam = login_as(&two, "sam@acme.test").await;
    let grace = login_as(&two, "owner@globex.test").await;
    let val = login_as(&two, "val@acme.test").await;
    assert_eq!(
        open_stream(&two, &val, None).await.0,
        403,
        "viewers don't get the stream"
    );

    let (status, mut sam_stream) = open_stream(&two, &sam, None).await;
    assert_eq!(status, 200);
    read_until(&mut sam_stream, "event: ready").await;
    let (_, mut globex_stream) = open_stream(&two, &grace, None).await;
    read_until(&mut globex_stream, "event: ready").await;

    let id = jane_session(&one, &jane).await;
    let handoff = escalate(&one, &jane, id).await;
    let acme_handoff = handoff["id"].as_str().unwrap();
    let text = read_until(&mut sam_stream, "handoff_created").await;
    assert!(text.contains(acme_handoff), "{text}");
    assert!(text.contains("id: "), "events carry ids: {text}");

    // Globex hears nothing of Acme's escalation: the first escalation its stream hears is the
    // one Nina makes in Globex afterwards.
    let nina = login_as(&one, "nina@globex.test").await;
    let res = call(
        &one,
        &nina,
        "/api/sessions/create",
        json!({ "problem_summary": "Globex printer offline" }),
    )
    .await;
    let globex_session: Uuid = res.json()["id"].as_str().unwrap().parse().unwrap();
    let globex_handoff = escalate(&one, &nina, globex_session).await;
    let text = read_until(&mut globex_stream, "handoff_created").await;
    assert!(
        text.contains(globex_handoff["id"].as_str().unwrap()) && !text.contains(acme_handoff),
        "events never cross accounts: {text}"
    );

    // Sam claims on process two; the stream says who won.
    call(
        &two,
        &sam,
        "/api/handoffs/claim",
        json!({ "handoff_id": handoff["id"] }),
    )
    .await;
    let text = read_until(&mut sam_stream, "handoff_claimed").await;
    assert!(text.contains("Sam Senior"), "{text}");
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_reconnect_with_last_event_id_receives_what_it_missed(pool: PgPool) {
    let router = app_with(pool.clone(), &[]).await;
    let jane = login_as(&router, "jane@acme.test").await;
    let sam = login_as(&router, "sam@acme.test").await;
    let first = jane_session(&router, &jane).await;
    escalate(&router, &jane, first).await;
    let seen: i64 = wait_for(async || {
        sqlx::query_scalar::<_, i64>(
            "SELECT max(id) FROM escalation_events WHERE event_type = 'handoff_created'",
        )
        .fetch_optional(&pool)
        .await
        .unwrap()
    })
    .await;

    // While Sam is away, another escalation happens.
    let second = jane_session(&router, &jane).await;
    let missed = escalate(&router, &jane, second).await;

    let (_, mut stream) = open_stream(&router, &sam, Some(&seen.to_string())).await;
    let text = read_until(&mut stream, missed["id"].as_str().unwrap()).await;
    assert!(text.starts_with("event: ready"), "{text}");
    assert!(
        !text.contains(&format!("id: {seen}\n")),
        "nothing already seen is replayed: {text}"
    );
}

/// Slack gets a text with the pick-up link in its own link syntax; Teams a message card whose
/// button opens the pick-up link; in both, what someone typed can plant no link or markup.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn an_escalation_reaches_slack_and_teams_with_the_pickup_link(pool: PgPool) {
    // Each post: the path it came to (`slack` or `teams`) and its body.
    type Posts = Arc<Mutex<Vec<(String, Value)>>>;
    let seen: Posts = Arc::default();
    let chat = peers::http_server(
        Router::new()
            .route(
                "/{kind}",
                post(
                    |State(seen): State<Posts>,
                     axum::extract::Path(kind): axum::extract::Path<String>,
                     Json(body): Json<Value>| async move {
                        seen.lock().unwrap().push((kind, body));
                        "ok"
                    },
                ),
            )
            .with_state(seen.clone()),
    )
    .await;
    let router = app_with(
        pool,
        &[
            ("RF_PUBLIC_URL", "https://rf.example.test"),
            ("RF_WEBHOOK_ALLOW_PRIVATE", "true"),
        ],
    )
    .await;
    hook_added(&router, "slack", &format!("{chat}/slack")).await;
    hook_added(&router, "teams", &format!("{chat}/teams")).await;
    let jane = login_as(&router, "jane@acme.test").await;
    let res = call(
        &router,
        &jane,
        "/api/sessions/create",
        json!({
            "problem_summary": "Printer <b>[offline](https://evil.test)</b> on floor 2",
            "psa_ticket_id": "777",
        }),
    )
    .await;
    let id: Uuid = res.json()["id"].as_str().unwrap().parse().unwrap();
    escalate(&router, &jane, id).await;

    let mut posts = wait_for(async || {
        let posts = seen.lock().unwrap().clone();
        (posts.len() == 2).then_some(posts)
    })
    .await;
    posts.sort_by(|a, b| a.0.cmp(&b.0));
    let link = format!("https://rf.example.test/pilot/{id}?pickup=true");
    let (slack, teams) = (&posts[0].1, &posts[1].1);
    assert_eq!(
        slack["text"],
        format!(
            "Escalation from Jane · #777: Printer &lt;b&gt;[offline](https://evil.test)&lt;/b&gt; on floor 2\n<{link}|Pick up in ResolutionFlow>"
        )
    );
    assert_eq!(teams["@type"], "MessageCard");
    assert_eq!(
        teams["title"],
        "Escalation from Jane · #777: Printer &lt;b&gt;\\[offline\\]\\(https://evil.test\\)&lt;/b&gt; on floor 2"
    );
    assert_eq!(teams["potentialAction"][0]["name"], "Pick up");
    assert_eq!(teams["potentialAction"][0]["targets"][0]["uri"], link);
}

/// The bus is where the handoff is announced after commit; when it cannot take the event the
/// escalation still stands, with its notifications, mail and hooks.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_bus_that_fails_never_undoes_the_handoff(pool: PgPool) {
    let (smtp, inbox) = peers::smtp_sink(false).await;
    let router = app_with(pool.clone(), &[("RF_SMTP_URL", &smtp)]).await;
    let jane = login_as(&router, "jane@acme.test").await;
    let id = jane_session(&router, &jane).await;
    sqlx::raw_sql(
        "CREATE FUNCTION refuse_events() RETURNS trigger LANGUAGE plpgsql AS
             $$ BEGIN RAISE EXCEPTION 'the bus is down'; END $$;
         CREATE TRIGGER bus_down BEFORE INSERT ON escalation_events
             FOR EACH ROW EXECUTE FUNCTION refuse_events();",
    )
    .execute(&pool)
    .await
    .unwrap();
    escalate(&router, &jane, id).await;

    let sam = login_as(&router, "sam@acme.test").await;
    let session = get_session(&router, &sam, id).await;
    assert_eq!(
        session.json()["status"],
        "requesting_escalation",
        "{}",
        session.body
    );
    let queue = call(&router, &sam, "/api/handoffs/queue", json!({}))
        .await
        .json();
    assert_eq!(queue[0]["session_id"], id.to_string());
    let bell = call(&router, &sam, "/api/notifications/list", json!({})).await;
    assert!(bell.body.contains("Escalation from Jane"), "{}", bell.body);
    peers::nth_mail(&inbox, 3).await;
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM escalation_events")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(events, 0, "the bus took nothing");
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn owners_manage_the_webhooks_and_nobody_else(pool: PgPool) {
    let router = app_with(pool.clone(), &[]).await;
    let owner = login_as(&router, "owner@acme.test").await;
    let sam = login_as(&router, "sam@acme.test").await;
    let grace = login_as(&router, "owner@globex.test").await;
    let add = |kind: &str, url: &str| json!({ "kind": kind, "url": url });

    let res = call(
        &router,
        &owner,
        "/api/account/webhooks/add",
        add("teams", "https://example.invalid/webhook"),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let id = res.json()["id"].clone();
    for (body, field) in [
        (add("discord", "https://x.invalid"), "kind"),
        (add("slack", "ftp://x"), "url"),
        (add("slack", "https://a b"), "url"),
    ] {
        let res = call(&router, &owner, "/api/account/webhooks/add", body).await;
        assert_eq!(res.status, 422);
        assert!(res.json()["fields"][field].is_string(), "{}", res.body);
    }
    assert_eq!(
        call(
            &router,
            &sam,
            "/api/account/webhooks/add",
            add("slack", "https://x.invalid")
        )
        .await
        .status,
        403
    );
    assert_eq!(
        call(&router, &sam, "/api/account/webhooks", json!({}))
            .await
            .status,
        403
    );
    let listed = call(&router, &owner, "/api/account/webhooks", json!({}))
        .await
        .json();
    assert_eq!(listed.as_array().unwrap().len(), 1);

    let remove = json!({ "webhook_id": id });
    assert_eq!(
        call(
            &router,
            &grace,
            "/api/account/webhooks/remove",
            remove.clone()
        )
        .await
        .status,
        404,
        "another account's is not found"
    );
    let res = call(
        &router,
        &owner,
        "/api/account/webhooks/remove",
        remove.clone(),
    )
    .await;
    assert_eq!(
        (res.status, res.json().as_array().map(Vec::len)),
        (200, Some(0))
    );
    assert_eq!(
        call(&router, &owner, "/api/account/webhooks/remove", remove)
            .await
            .status,
        404
    );

    let audit: Vec<(String, Value)> =
        sqlx::query_as("SELECT event_type, payload FROM audit_events ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    let kinds: Vec<&str> = audit.iter().map(|a| a.0.as_str()).collect();
    assert_eq!(kinds, ["account.webhook_added", "account.webhook_removed"]);
    assert!(
        !audit[0].1.to_string().contains("example.invalid"),
        "the URL stays out of the audit trail"
    );
}

/// A reconnect replays at most the last 24 hours, and nothing from before the user joined the
/// account, however far back its `Last-Event-ID` reaches.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn replay_reaches_back_a_day_and_never_before_the_user_joined(pool: PgPool) {
    let router = app_with(pool.clone(), &[]).await;
    let jane = login_as(&router, "jane@acme.test").await;
    let sam = login_as(&router, "sam@acme.test").await;
    let mut handoffs = Vec::new();
    for _ in 0..3 {
        let session = jane_session(&router, &jane).await;
        handoffs.push(escalate(&router, &jane, session).await["id"].clone());
    }
    let created = |h: &Value| {
        let pool = pool.clone();
        let h = h.as_str().unwrap().to_owned();
        async move {
            wait_for(async || {
                sqlx::query_scalar::<_, i64>(
                    "SELECT id FROM escalation_events WHERE event_type = 'handoff_created' \
                     AND payload::text LIKE '%' || $1 || '%'",
                )
                .bind(&h)
                .fetch_optional(&pool)
                .await
                .unwrap()
            })
            .await
        }
    };
    let (old, before_sam, recent) = (
        created(&handoffs[0]).await,
        created(&handoffs[1]).await,
        created(&handoffs[2]).await,
    );
    // The first a day and an hour ago; the second three hours ago, before Sam joined (two).
    for (id, hours) in [(old, 25), (before_sam, 3)] {
        sqlx::query("UPDATE escalation_events SET created_at = now() - make_interval(hours => $2) WHERE id = $1")
            .bind(id)
            .bind(hours)
            .execute(&pool)
            .await
            .unwrap();
    }
    sqlx::query(
        "UPDATE users SET created_at = now() - interval '2 hours' WHERE email = 'sam@acme.test'",
    )
    .execute(&pool)
    .await
    .unwrap();

    let (_, mut stream) = open_stream(&router, &sam, Some("0")).await;
    let text = read_until(&mut stream, &format!("id: {recent}\n")).await;
    assert!(!text.contains(&format!("id: {old}\n")), "a day old: {text}");
    assert!(
        !text.contains(&format!("id: {before_sam}\n")),
        "from before Sam joined: {text}"
    );
}

/// One user holds at most 20 streams in a process; closing one makes room for the next.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_user_holds_at_most_twenty_streams(pool: PgPool) {
    let router = app_with(pool, &[]).await;
    let sam = login_as(&router, "sam@acme.test").await;
    let mut open = Vec::new();
    for i in 0..domain::sse::STREAMS_PER_USER {
        let (status, body) = open_stream(&router, &sam, None).await;
        assert_eq!(status, 200, "stream {i}");
        open.push(body);
    }
    let (status, refused) = open_stream(&router, &sam, None).await;
    assert_eq!(status, 429, "the 21st stream");
    let text = String::from_utf8_lossy(&refused.collect().await.unwrap().to_bytes()).into_owned();
    assert!(text.contains("rate_limited"), "{text}");
    let alex = login_as(&router, "alex@acme.test").await;
    assert_eq!(
        open_stream(&router, &alex, None).await.0,
        200,
        "others are not affected"
    );
    drop(open.pop());
    assert_eq!(
        open_stream(&router, &sam, None).await.0,
        200,
        "room again after closing one"
    );
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_stream_that_falls_behind_is_dropped_and_the_publisher_never_waits(pool: PgPool) {
    let router = app_with(pool.clone(), &[]).await;
    let sam = login_as(&router, "sam@acme.test").await;
    let (_, mut stalled) = open_stream(&router, &sam, None).await;
    read_until(&mut stalled, "event: ready").await;
    // Alex's stream is read all along, up to a marker published after the flood: once it has
    // the marker, every event before it has reached this process's subscribers.
    let alex = login_as(&router, "alex@acme.test").await;
    let (_, mut reading) = open_stream(&router, &alex, None).await;
    read_until(&mut reading, "event: ready").await;
    let marker = vocab::ids::HandoffId(Uuid::new_v4());
    let heard = tokio::spawn(async move { read_until(&mut reading, &marker.to_string()).await });

    // Nobody reads `stalled` while far more events than its backlog are published.
    let acme = seed::demo_account_id("acme");
    let started = std::time::Instant::now();
    for _ in 0..1100 {
        let event = vocab::events::EscalationEvent::HandoffCreated {
            handoff_id: vocab::ids::HandoffId(Uuid::new_v4()),
            session_id: vocab::ids::SessionId(Uuid::new_v4()),
        };
        domain::bus::publish(&pool, acme, &event, None)
            .await
            .unwrap();
    }
    let publishing = started.elapsed();
    let event = vocab::events::EscalationEvent::HandoffCreated {
        handoff_id: marker,
        session_id: vocab::ids::SessionId(Uuid::new_v4()),
    };
    domain::bus::publish(&pool, acme, &event, None)
        .await
        .unwrap();
    heard.await.unwrap();

    // The stream gives up instead of holding the publisher back: it ends early, and the
    // browser would reconnect with Last-Event-ID.
    let mut delivered = 0;
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(frame) = stalled.frame().await {
            if let Ok(data) = frame.unwrap().into_data() {
                delivered += String::from_utf8_lossy(&data)
                    .matches("event: handoff_created")
                    .count();
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the lagging stream was closed");
    assert!(
        delivered < 1100,
        "it did not receive everything ({delivered})"
    );
    eprintln!("1100 events published in {publishing:?} with a stalled subscriber; it was dropped after {delivered}");
}

/// Posts a form of the pilot page as a browser without JavaScript does, as `who` (none: signed
/// out), and says where the 303 answer sends it.
async fn redirect_of(router: &Router, who: Option<&Session>, path: &str, body: &str) -> String {
    let req = Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html")
        .header(
            "cookie",
            who.map(|w| w.cookies().join("; ")).unwrap_or_default(),
        )
        .body(Body::from(body.to_owned()))
        .unwrap();
    let res = crate::common::send(router, req).await;
    assert_eq!(res.status, 303, "{path}: {}", res.body);
    res.headers["location"].to_str().unwrap().to_owned()
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn new_and_send_work_without_javascript_under_the_apis_rules(pool: PgPool) {
    let router = app_with(pool, &[]).await;
    let jane = login_as(&router, "jane@acme.test").await;

    // New: the session is started and opened.
    let location = redirect_of(
        &router,
        Some(&jane),
        "/pilot",
        "problem_summary=VPN+drops+every+hour&psa_ticket_id=%237100&from=%2F",
    )
    .await;
    let id: Uuid = location
        .strip_prefix("/pilot/")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("to the new session, not {location}"));
    let detail = get_session(&router, &jane, id).await.json();
    assert_eq!(detail["problem_summary"], "VPN drops every hour");
    assert_eq!(detail["psa_ticket_id"], "7100");

    // Send: the message is in the conversation, and the page shows it.
    let messages = format!("/pilot/{id}/messages");
    let send =
        async |who: Option<&Session>, body: &str| redirect_of(&router, who, &messages, body).await;
    assert_eq!(
        send(Some(&jane), "body=Seen+at+10%3A00").await,
        format!("/pilot/{id}#composer")
    );
    let detail = get_session(&router, &jane, id).await.json();
    assert_eq!(detail["messages"][0]["body"], "Seen at 10:00");

    // Refusals come back to the page as the API's codes: an empty message, a resolved session,
    // a viewer starting one; someone signed out is asked to sign in and come back.
    let refused = format!("/pilot/{id}?message_error=validation_failed");
    assert_eq!(send(Some(&jane), "body=+").await, refused);
    resolve(&router, &jane, id, "Replaced the VPN client").await;
    assert_eq!(send(Some(&jane), "body=One+more").await, refused);
    let val = login_as(&router, "val@acme.test").await;
    assert_eq!(
        redirect_of(
            &router,
            Some(&val),
            "/pilot",
            &format!("problem_summary=Anything&from=%2Fpilot%2F{id}%3Fpickup%3Dtrue"),
        )
        .await,
        format!("/pilot/{id}?new_session_error=forbidden"),
        "back to the page it was on"
    );
    assert_eq!(
        send(None, "body=Hello").await,
        format!("/login?next=%2Fpilot%2F{id}")
    );
    let detail = get_session(&router, &jane, id).await.json();
    assert_eq!(
        detail["messages"].as_array().unwrap().len(),
        1,
        "none of them was sent"
    );

    // The page puts a refusal into words.
    let refused = crate::common::send(
        &router,
        Request::get("/?new_session_error=subscription_required")
            .header("accept", "text/html")
            .header("cookie", jane.cookies().join("; "))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    // (The page escapes the apostrophe in "account's".)
    assert!(
        refused
            .body
            .replace("&#x27;", "'")
            .contains(ErrorCode::SubscriptionRequired.in_words()),
        "the New form says why it came back"
    );
}
