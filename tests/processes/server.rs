//! What the process tests share: the real server binary on a port of its own, on the test's
//! database, as the login role `scripts/run.sh` creates for it (only a member of the
//! application role) with migrations through the superuser; and a JSON client for it.

use crate::common::{
    eventually,
    role::{server_role, server_url, SERVER_ROLE},
};
use domain::seed;
use futures::StreamExt;
use serde_json::{json, Value};
use sqlx::PgPool;
use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// The real database server and the test database's name.
pub fn database_of(pool: &PgPool) -> (String, String) {
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

/// The superuser the tests connect as (from `DATABASE_URL`).
pub fn database_user() -> String {
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let url: reqwest::Url = url.parse().expect("a database URL");
    url.username().to_owned()
}

/// Where a server finds its database: requests as [`SERVER_ROLE`] at `host` (PostgreSQL, or a
/// proxy in front of it), migrations as the superuser, straight to PostgreSQL.
#[derive(Clone)]
pub struct Db {
    pub url: String,
    pub admin_url: String,
}

impl Db {
    pub async fn of(pool: &PgPool) -> Self {
        server_role(pool).await;
        Self {
            url: server_url(pool),
            admin_url: Self::admin_url(pool),
        }
    }

    /// The server reaches the database through `host` (`127.0.0.1:PORT`).
    pub async fn through(pool: &PgPool, host: &str) -> Self {
        server_role(pool).await;
        let (_, name) = database_of(pool);
        Self {
            url: format!("postgres://{SERVER_ROLE}@{host}/{name}"),
            admin_url: Self::admin_url(pool),
        }
    }

    fn admin_url(pool: &PgPool) -> String {
        let (host, name) = database_of(pool);
        format!("postgres://{}@{host}/{name}", database_user())
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process that is killed and reaped when dropped, so a failing test leaves none behind.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An answer's status and JSON body (an error when the body broke off: a server killed mid-answer).
/// Every answer of the API is JSON, so anything else fails the test that got it, saying what
/// came instead.
async fn json_answer(res: reqwest::Response) -> reqwest::Result<(u16, Value)> {
    let status = res.status().as_u16();
    let text = res.text().await?;
    let body =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status}, not JSON ({e}): {text}"));
    Ok((status, body))
}

/// The server binary, serving on its own port.
pub struct Server {
    child: Running,
    pub base: String,
}

impl Server {
    pub async fn start(db: &Db, port: u16) -> Self {
        Self::start_with(db, port, &[]).await
    }

    /// With more of the environment (`RF_TRUSTED_PROXIES`, ...).
    pub async fn start_with(db: &Db, port: u16, extra: &[(&str, &str)]) -> Self {
        Self::start_logging(db, port, extra, None).await
    }

    /// [`Server::start_with`], its log (stdout and stderr) written to `log` when given.
    pub async fn start_logging(
        db: &Db,
        port: u16,
        extra: &[(&str, &str)],
        log: Option<&std::fs::File>,
    ) -> Self {
        let (out, err) = match log {
            Some(file) => (
                Stdio::from(file.try_clone().unwrap()),
                Stdio::from(file.try_clone().unwrap()),
            ),
            None => (Stdio::null(), Stdio::null()),
        };
        let child = Self::command(db, port)
            .envs(extra.iter().copied())
            .stdout(out)
            .stderr(err)
            .spawn()
            .expect("the server starts");
        let server = Self {
            child: Running(child),
            base: format!("http://127.0.0.1:{port}"),
        };
        server.wait_healthy().await;
        server
    }

    /// `resolutionflow serve` on `db` and `port`, not yet started.
    pub fn command(db: &Db, port: u16) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_resolutionflow"));
        command
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", &db.url)
            .env("ADMIN_DATABASE_URL", &db.admin_url)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env(
                "RF_JWT_SECRET",
                "faults-test-secret-faults-test-secret-0123",
            )
            .env("RF_COOKIE_SECURE", "false")
            .env("ACCESS_TOKEN_MINUTES", "60")
            .env("RUST_LOG", "error");
        command
    }

    pub async fn wait_healthy(&self) {
        let (http, base) = (&reqwest::Client::new(), &self.base);
        eventually("the server is healthy", async || {
            healthz(http, base, Duration::from_secs(2))
                .await
                .is_ok_and(|status| status == 200)
        })
        .await
    }

    pub fn kill(&mut self) {
        self.child.0.kill().unwrap();
        self.child.0.wait().unwrap();
    }

    /// Sends SIGTERM (what a deploy sends) and waits up to `within` for the process to exit.
    pub async fn terminate(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.0.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success());
        let started = Instant::now();
        while started.elapsed() < within {
            if let Some(status) = self.child.0.try_wait().unwrap() {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        None
    }
}

/// One `GET /healthz` to `base` (a server, or a proxy in front of servers), given `within`.
pub async fn healthz(
    http: &reqwest::Client,
    base: &str,
    within: Duration,
) -> reqwest::Result<reqwest::StatusCode> {
    let res = http
        .get(format!("{base}/healthz"))
        .timeout(within)
        .send()
        .await?;
    Ok(res.status())
}

#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    pub fn new(server: &Server) -> Self {
        Self::from_address(server, None)
    }

    /// A client whose connections come from `local` (any 127.x.y.z reaches the server).
    pub fn from_address(server: &Server, local: Option<std::net::IpAddr>) -> Self {
        Self::at(&server.base, local)
    }

    /// A client of whatever serves at `base` (a proxy in front of servers), from `local`.
    pub fn at(base: &str, local: Option<std::net::IpAddr>) -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(15))
                .local_address(local)
                .build()
                .unwrap(),
            base: base.to_owned(),
        }
    }

    pub async fn post(
        &self,
        path: &str,
        access: Option<&str>,
        body: Value,
    ) -> reqwest::Result<(u16, Value)> {
        let mut req = self.http.post(format!("{}{path}", self.base)).json(&body);
        if let Some(token) = access {
            req = req.bearer_auth(token);
        }
        json_answer(req.send().await?).await
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> (u16, Value) {
        let body = json!({ "email": email, "password": password, "token_in_body": true });
        self.post("/api/auth/login", None, body).await.unwrap()
    }

    /// Signs in with an `X-Forwarded-For` of the client's own making.
    pub async fn sign_in_forwarded(
        &self,
        email: &str,
        password: &str,
        forged: &str,
    ) -> (u16, Value) {
        let body = json!({ "email": email, "password": password });
        let res = self
            .http
            .post(format!("{}/api/auth/login", self.base))
            .header("x-forwarded-for", forged)
            .json(&body)
            .send()
            .await
            .unwrap();
        json_answer(res).await.unwrap()
    }

    pub async fn login(&self, email: &str) -> (String, String) {
        let (status, answer) = self.sign_in(email, seed::DEMO_PASSWORD).await;
        assert_eq!(status, 200, "{email}: {answer}");
        (
            answer["access_token"].as_str().unwrap().to_owned(),
            answer["user"]["id"].as_str().unwrap().to_owned(),
        )
    }

    pub async fn ok(&self, path: &str, access: &str, body: Value) -> Value {
        let (status, answer) = self.post(path, Some(access), body).await.unwrap();
        assert_eq!(status, 200, "{path}: {answer}");
        answer
    }

    /// Jane's new session, escalated: (session id, handoff id).
    pub async fn escalation(&self, jane: &str) -> (String, String) {
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
    pub async fn open_stream(&self, access: &str) -> reqwest::Response {
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
    pub async fn first_escalation_heard(&self, access: &str) -> tokio::task::JoinHandle<Instant> {
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
