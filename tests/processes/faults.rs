//! Faults, with the real server binary as a separate process:
//! - the database goes away under load and comes back: the server recovers by itself (requests,
//!   and the escalation bus behind the live stream), without a restart;
//! - the server is killed in the middle of a claim storm: the handoff is still there, claimed
//!   by at most one senior, consistently with its session; after a restart exactly one wins;
//! - what only the real process shows: SIGTERM with streams open, and each client's own address
//!   reaching the sign-in throttle through the HTTP server.
//!
//! The database "restart" is a TCP proxy between the server and PostgreSQL that drops every
//! connection and refuses new ones for a while: what the server sees of a restart, without
//! restarting the PostgreSQL that the other tests share.

use domain::{auth::throttle::Limits, db, seed};
use futures::{future::join_all, StreamExt};
use serde_json::{json, Value};
use sqlx::PgPool;
use std::{
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};
use tokio::{
    net::{TcpListener, TcpStream},
    sync::watch,
};

/// The real database server and the test database's name.
fn database_of(pool: &PgPool) -> (String, String) {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let url: reqwest::Url = base.parse().expect("a database URL");
    let host = format!(
        "{}:{}",
        url.host_str().unwrap_or("127.0.0.1"),
        url.port().unwrap_or(5432)
    );
    let name = pool.connect_options().get_database().unwrap().to_owned();
    (host, name)
}

/// The role the tests connect as (from `DATABASE_URL`).
fn database_user() -> String {
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let url: reqwest::Url = url.parse().expect("a database URL");
    url.username().to_owned()
}

/// The test database's URL, straight to PostgreSQL.
fn database_url(pool: &PgPool) -> String {
    let (host, name) = database_of(pool);
    format!("postgres://{}@{host}/{name}", database_user())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

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

/// The server binary, serving on its own port.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    async fn start(database_url: &str, port: u16) -> Self {
        let child = Command::new(env!("CARGO_BIN_EXE_resolutionflow"))
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", database_url)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env(
                "RF_JWT_SECRET",
                "faults-test-secret-faults-test-secret-0123",
            )
            .env("RF_COOKIE_SECURE", "false")
            .env("ACCESS_TOKEN_MINUTES", "60")
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server starts");
        let server = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        server.wait_healthy(Duration::from_secs(30)).await;
        server
    }

    async fn wait_healthy(&self, within: Duration) -> Duration {
        let started = Instant::now();
        let http = reqwest::Client::new();
        loop {
            let ok = http
                .get(format!("{}/healthz", self.base))
                .timeout(Duration::from_secs(2))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200);
            if ok {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < within,
                "the server was not healthy within {within:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Sends SIGTERM (what a deploy sends) and waits up to `within` for the process to exit.
    async fn terminate(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success());
        let started = Instant::now();
        while started.elapsed() < within {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Clone)]
struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    fn new(server: &Server) -> Self {
        Self::from_address(server, None)
    }

    /// A client whose connections come from `local` (any 127.x.y.z reaches the server).
    fn from_address(server: &Server, local: Option<std::net::IpAddr>) -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(15))
                .local_address(local)
                .build()
                .unwrap(),
            base: server.base.clone(),
        }
    }

    async fn post(
        &self,
        path: &str,
        access: Option<&str>,
        body: Value,
    ) -> reqwest::Result<(u16, Value)> {
        let mut req = self.http.post(format!("{}{path}", self.base)).json(&body);
        if let Some(token) = access {
            req = req.bearer_auth(token);
        }
        let res = req.send().await?;
        let status = res.status().as_u16();
        Ok((status, res.json().await.unwrap_or(Value::Null)))
    }

    async fn sign_in(&self, email: &str, password: &str) -> (u16, Value) {
        let body = json!({ "email": email, "password": password, "token_in_body": true });
        self.post("/api/auth/login", None, body).await.unwrap()
    }

    async fn login(&self, email: &str) -> (String, String) {
        let (status, answer) = self.sign_in(email, seed::DEMO_PASSWORD).await;
        assert_eq!(status, 200, "{email}: {answer}");
        (
            answer["access_token"].as_str().unwrap().to_owned(),
            answer["user"]["id"].as_str().unwrap().to_owned(),
        )
    }

    async fn ok(&self, path: &str, access: &str, body: Value) -> Value {
        let (status, answer) = self.post(path, Some(access), body).await.unwrap();
        assert_eq!(status, 200, "{path}: {answer}");
        answer
    }

    /// Jane's new session, escalated: (session id, handoff id).
    async fn escalation(&self, jane: &str) -> (String, String) {
        let session = self
            .ok(
                "/api/sessions/create",
                jane,
                json!({ "problem_summary": "Faults" }),
            )
            .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let handoff = self
            .ok(
                "/api/handoffs/create",
                jane,
                json!({ "session_id": session, "intent": "escalate", "reason": "Faults" }),
            )
            .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        (session, handoff)
    }

    /// Opens the escalation stream (200).
    async fn open_stream(&self, access: &str) -> reqwest::Response {
        let res = self
            .http
            .get(format!("{}/api/escalations/stream", self.base))
            .bearer_auth(access)
            .timeout(Duration::from_secs(120))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        res
    }

    /// Opens the escalation stream; resolves with the time `handoff_created` arrives.
    async fn first_escalation_heard(&self, access: &str) -> tokio::task::JoinHandle<Instant> {
        let mut body = self.open_stream(access).await.bytes_stream();
        tokio::spawn(async move {
            let mut seen = String::new();
            while let Some(chunk) = body.next().await {
                seen.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
                if seen.contains("event: handoff_created") {
                    return Instant::now();
                }
            }
            panic!("the stream ended: {seen}");
        })
    }
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn the_server_recovers_by_itself_when_the_database_comes_back(pool: PgPool) {
    seed::seed_demo(&pool).await.unwrap();
    let (host, name) = database_of(&pool);
    let proxy = Proxy::start(host).await;
    let server = Server::start(
        &format!(
            "postgres://{}@127.0.0.1:{}/{name}",
            database_user(),
            proxy.port
        ),
        free_port(),
    )
    .await;
    let api = Api::new(&server);
    let (sam, _) = api.login("sam@acme.test").await;
    let (jane, _) = api.login("jane@acme.test").await;
    let stream_before = api.first_escalation_heard(&sam).await;

    // Load: four clients reading sessions as fast as they can, for the whole test.
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..4)
        .map(|_| {
            let (api, stop, sam) = (api.clone(), stop.clone(), sam.clone());
            tokio::spawn(async move {
                let mut answers = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let status = match api.post("/api/sessions/list", Some(&sam), json!({})).await {
                        Ok((status, answer)) => {
                            if status != 200 {
                                assert_eq!(answer["error"], "internal_error", "{answer}");
                            }
                            status
                        }
                        Err(e) => panic!("a request got no answer: {e}"),
                    };
                    answers.push((Instant::now(), status));
                }
                answers
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(1)).await;
    proxy.set(false);
    let down_at = Instant::now();
    tokio::time::sleep(Duration::from_secs(4)).await;
    proxy.set(true);
    let up_at = Instant::now();
    // Back by itself: calls succeed again within seconds, with no restart.
    let recovered = server.wait_healthy(Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    stop.store(true, Ordering::Relaxed);
    let answers: Vec<(Instant, u16)> = join_all(clients)
        .await
        .into_iter()
        .flat_map(Result::unwrap)
        .collect();
    let before = answers.iter().filter(|(t, _)| *t < down_at);
    assert!(before.clone().count() > 10 && before.clone().all(|(_, s)| *s == 200));
    let during = answers.iter().filter(|(t, _)| *t > down_at && *t < up_at);
    assert!(
        during.clone().any(|(_, s)| *s == 500),
        "the outage was felt"
    );
    let settled = up_at + recovered + Duration::from_secs(1);
    let after: Vec<_> = answers.iter().filter(|(t, _)| *t > settled).collect();
    assert!(
        after.len() > 10 && after.iter().all(|(_, s)| *s == 200),
        "after recovery: {:?}",
        after.iter().map(|(_, s)| s).collect::<Vec<_>>()
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
    let url = database_url(&pool);
    let port = free_port();
    let mut server = Server::start(&url, port).await;
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
    let answered = first.iter().filter(|(_, a)| a.is_some()).count();
    assert!(
        answered >= 1 && answered < first.len(),
        "killed mid-storm: {answered} of {} answered",
        first.len()
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
    let server = Server::start(&url, port).await;
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
    let mut server = Server::start(&database_url(&pool), free_port()).await;
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

/// The sign-in throttle counts failures per client address as the server sees it: someone
/// guessing from one address is stopped there, and a colleague at another address still signs
/// in. (Were the address lost between the socket and the throttle, every client would share
/// one count, and the colleague would be refused too.)
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn sign_in_failures_are_counted_per_client_address(pool: PgPool) {
    seed::seed_demo(&pool).await.unwrap();
    let server = Server::start(&database_url(&pool), free_port()).await;
    let guesser = Api::from_address(&server, Some([127, 0, 0, 1].into()));
    let colleague = Api::from_address(&server, Some([127, 0, 0, 2].into()));
    // One address, a different unknown e-mail each time: only the per-address count can stop it.
    let limit = Limits::default().per_ip;
    for i in 1..=limit {
        let (status, answer) = guesser
            .sign_in(&format!("guess{i}@acme.test"), "not-the-password")
            .await;
        assert_eq!(status, 401, "guess {i} of {limit} is answered: {answer}");
    }
    let (status, _) = guesser
        .sign_in("one-more-guess@acme.test", "not-the-password")
        .await;
    assert_eq!(status, 429, "the guess after {limit} failures is refused");

    let (status, _) = guesser.sign_in("sam@acme.test", seed::DEMO_PASSWORD).await;
    assert_eq!(
        status, 429,
        "the guessing address stays refused, even with a right password"
    );
    let (status, answer) = colleague
        .sign_in("sam@acme.test", seed::DEMO_PASSWORD)
        .await;
    assert_eq!(status, 200, "another address signs in: {answer}");
}
