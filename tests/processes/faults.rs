//! Faults, with the real server binary as a separate process:
//! - the database goes away under load and comes back: the server recovers by itself (requests,
//!   and the escalation bus behind the live stream), without a restart;
//! - the server is killed in the middle of a claim storm: the handoff is still there, claimed
//!   by at most one senior, consistently with its session; after a restart exactly one wins;
//! - what only the real process shows: SIGTERM with streams open.
//!
//! The database "restart" is a TCP proxy between the server and PostgreSQL that drops every
//! connection and refuses new ones for a while: what the server sees of a restart, without
//! restarting the PostgreSQL that the other tests share.

use crate::common::eventually;
use crate::server::{free_port, Api, Db, Server};
use domain::{db, seed};
use futures::{future::join_all, StreamExt};
use serde_json::json;
use sqlx::PgPool;
use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};
use tokio::{
    net::{TcpListener, TcpStream},
    sync::watch,
};

/// A TCP proxy that can cut every connection and refuse new ones, then take them again.
struct Proxy {
    port: u16,
    up: watch::Sender<bool>,
}

impl Proxy {
    async fn start(target: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (up, watcher) = watch::channel(true);
        tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    return;
                };
                let mut state = watcher.clone();
                if !*state.borrow() {
                    // Down: the connection is refused (closed at once).
                    drop(client);
                    continue;
                }
                let target = target.clone();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(&target).await else {
                        return;
                    };
                    let (mut client, mut server) = (client, server);
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        // Going down cuts the connection in the middle of whatever it carries.
                        _ = state.wait_for(|up| !*up) => {}
                    }
                });
            }
        });
        Self { port, up }
    }

    fn set(&self, up: bool) {
        self.up.send_replace(up);
    }
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn the_server_recovers_by_itself_when_the_database_comes_back(pool: PgPool) {
    seed::seed_demo(&pool).await.unwrap();
    let (host, _) = crate::server::database_of(&pool);
    let proxy = Proxy::start(host).await;
    let db = Db::through(&pool, &format!("127.0.0.1:{}", proxy.port)).await;
    let server = Server::start(&db, free_port()).await;
    let api = Api::new(&server);
    let (sam, _) = api.login("sam@acme.test").await;
    let (jane, _) = api.login("jane@acme.test").await;
    let stream_before = api.first_escalation_heard(&sam).await;

    // Load: four clients reading sessions as fast as they can, for the whole test; each answer
    // is logged with the moments its request was sent and answered.
    let stop = Arc::new(AtomicBool::new(false));
    let answers: Arc<Mutex<Vec<(Instant, Instant, u16)>>> = Arc::default();
    let clients: Vec<_> = (0..4)
        .map(|_| {
            let (api, stop, sam, answers) =
                (api.clone(), stop.clone(), sam.clone(), answers.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let sent = Instant::now();
                    let status = match api.post("/api/sessions/list", Some(&sam), json!({})).await {
                        Ok((status, answer)) => {
                            if status != 200 {
                                // Our database gone is an outage on our side: the API's bare 500.
                                assert_eq!(answer["error"], "internal_error", "{answer}");
                            }
                            status
                        }
                        Err(e) => panic!("a request got no answer: {e}"),
                    };
                    answers.lock().unwrap().push((sent, Instant::now(), status));
                }
            })
        })
        .collect();
    // How many answers so far are `such`: (sent, answered, status).
    let count = |such: &dyn Fn(&(Instant, Instant, u16)) -> bool| {
        answers.lock().unwrap().iter().filter(|a| such(a)).count()
    };
    let start = Instant::now();
    eventually("ten answers before the outage", async || {
        count(&|(sent, _, _)| *sent > start) >= 10
    })
    .await;

    // The database goes away until the server has felt it.
    proxy.set(false);
    let down_at = Instant::now();
    eventually("a failed answer in the outage", async || {
        count(&|(_, answered, status)| *answered > down_at && *status != 200) > 0
    })
    .await;
    proxy.set(true);
    // Back by itself: calls succeed again, with no restart; then every call sent afterwards.
    server.wait_healthy().await;
    let settled = Instant::now();
    eventually("ten answers after recovery", async || {
        count(&|(sent, _, _)| *sent > settled) >= 10
    })
    .await;
    stop.store(true, Ordering::Relaxed);
    for client in join_all(clients).await {
        client.unwrap();
    }
    let answers = answers.lock().unwrap().clone();
    assert!(answers
        .iter()
        .filter(|(_, answered, _)| *answered < down_at)
        .all(|(_, _, s)| *s == 200));
    let after: Vec<u16> = answers
        .iter()
        .filter(|(sent, _, _)| *sent > settled)
        .map(|(_, _, s)| *s)
        .collect();
    assert!(
        after.len() >= 10 && after.iter().all(|s| *s == 200),
        "after recovery: {after:?}"
    );
    // The escalation bus reconnected too: a stream opened before the outage hears a new
    // escalation (it reaches the stream through the bus's LISTEN connection).
    api.escalation(&jane).await;
    let heard = tokio::time::timeout(Duration::from_secs(10), stream_before)
        .await
        .expect("the stream opened before the outage heard the escalation");
    heard.unwrap();
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_server_killed_mid_claim_storm_leaves_one_winner_or_none_and_then_exactly_one(
    pool: PgPool,
) {
    seed::seed_demo(&pool).await.unwrap();
    // Twenty seniors with the demo password.
    sqlx::query(
        "INSERT INTO users (account_id, email, name, role, password_hash, email_verified_at) \
         SELECT account_id, 'storm' || g || '@acme.test', 'Storm ' || g, 'engineer', password_hash, now() \
         FROM users, generate_series(1, 20) AS g WHERE email = 'sam@acme.test'",
    )
    .execute(&pool)
    .await
    .unwrap();
    let db = Db::of(&pool).await;
    let port = free_port();
    let mut server = Server::start(&db, port).await;
    let api = Api::new(&server);
    let (jane, _) = api.login("jane@acme.test").await;
    let mut seniors = Vec::new();
    for i in 1..=20 {
        seniors.push(api.login(&format!("storm{i}@acme.test")).await);
    }
    let (session, handoff) = api.escalation(&jane).await;

    // Fire every claim at once; kill the server as soon as the first answer comes back, with the
    // rest still in flight.
    let claim = |api: Api, access: String| {
        let handoff = handoff.clone();
        async move {
            api.post(
                "/api/handoffs/claim",
                Some(&access),
                json!({ "handoff_id": handoff }),
            )
            .await
            .ok()
        }
    };
    let (tx, mut answers) = tokio::sync::mpsc::unbounded_channel();
    for (access, id) in seniors.clone() {
        let (tx, call) = (tx.clone(), claim(api.clone(), access));
        tokio::spawn(async move {
            let _ = tx.send((id, call.await));
        });
    }
    drop(tx);
    let mut first = vec![answers.recv().await.unwrap()];
    server.kill();
    while let Some(answer) = answers.recv().await {
        first.push(answer);
    }
    // How many answered before the kill took effect is up to the machine (any number from
    // one to all); what must hold whatever it was is below.
    assert!(
        first[0].1.is_some(),
        "the first answer came before the kill"
    );
    let told_won: Vec<&String> = first
        .iter()
        .filter(|(_, a)| a.as_ref().is_some_and(|(s, _)| *s == 200))
        .map(|(id, _)| id)
        .collect();
    assert!(told_won.len() <= 1, "{told_won:?}");

    // In the database: the handoff is there, claimed by at most one, and its session agrees.
    let (claimed_by, escalated_to): (Option<String>, Option<String>) = sqlx::query_as(
        "SELECT h.claimed_by::text, s.escalated_to_id::text FROM session_handoffs h \
         JOIN troubleshooting_sessions s ON s.id = h.session_id WHERE h.id = $1::uuid AND s.id = $2::uuid",
    )
    .bind(&handoff)
    .bind(&session)
    .fetch_one(&pool)
    .await
    .expect("the handoff survived");
    assert_eq!(
        claimed_by, escalated_to,
        "the claim and its session moved together"
    );
    if let Some(winner) = told_won.first() {
        assert_eq!(
            claimed_by.as_ref(),
            Some(*winner),
            "whoever was told they won, won"
        );
    }

    // Restarted: the storm again; exactly one winner, the same one if there already was one.
    let server = Server::start(&db, port).await;
    let api = Api::new(&server);
    let second = join_all(seniors.iter().map(|(access, id)| {
        let call = claim(api.clone(), access.clone());
        async move { (id.clone(), call.await) }
    }))
    .await;
    let mut winners = Vec::new();
    for (id, answer) in &second {
        let (status, body) = answer
            .as_ref()
            .expect("an answer from the restarted server");
        match status {
            200 => winners.push(id.clone()),
            409 => assert_eq!(body["error"], "already_claimed"),
            other => panic!("{other}: {body}"),
        }
    }
    let owner: Option<String> =
        sqlx::query_scalar("SELECT claimed_by::text FROM session_handoffs WHERE id = $1::uuid")
            .bind(&handoff)
            .fetch_one(&pool)
            .await
            .unwrap();
    let owner = owner.expect("claimed after the restart");
    match claimed_by {
        Some(earlier) => {
            assert_eq!(owner, earlier, "the claim made before the kill stands");
            assert!(winners.iter().all(|w| *w == earlier), "{winners:?}");
        }
        None => assert_eq!(winners, vec![owner]),
    }
}

/// A deploy stops the server with SIGTERM while browsers hold their escalation streams open:
/// the streams end (the browser reconnects to the new process) and the old process exits,
/// rather than waiting forever for streams that never finish by themselves.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn sigterm_ends_the_open_streams_and_the_server_exits(pool: PgPool) {
    seed::seed_demo(&pool).await.unwrap();
    let mut server = Server::start(&Db::of(&pool).await, free_port()).await;
    let api = Api::new(&server);
    let (sam, _) = api.login("sam@acme.test").await;
    let mut body = api.open_stream(&sam).await.bytes_stream();
    let first = body.next().await.unwrap().unwrap();
    assert!(first.starts_with(b"event: ready"), "{first:?}");
    let ended = tokio::spawn(async move {
        while let Some(chunk) = body.next().await {
            if chunk.is_err() {
                return false;
            }
        }
        true
    });

    let status = server.terminate(Duration::from_secs(10)).await;
    assert!(
        status.is_some_and(|s| s.success()),
        "the server exits cleanly within 10 s of SIGTERM: {status:?}"
    );
    let ended = tokio::time::timeout(Duration::from_secs(5), ended)
        .await
        .expect("the open stream ended");
    assert!(ended.unwrap(), "the stream ended cleanly, not cut off");
}
