//! `rf-load`: measures a running ResolutionFlow server the way its users load it.
//!
//! - `refresh`: `/api/auth/refresh` rotations by N concurrent clients, then `pgbench` running
//!   the statements a rotation runs at the same concurrency, and the ratio of the two;
//! - `claim`: N seniors pressing Pick Up on one escalation at the same instant, round after round;
//! - `fanout`: N open escalation streams, one escalation, how long each stream took to hear it,
//!   and what an open stream costs the server in memory;
//! - `live`: two server processes; a message's delivery to the other side's stream, a revoked
//!   login's stream closing, and what presence costs (the `live` module).
//!
//! `scripts/bench.sh` starts a server on a throwaway database and runs all three; the figures
//! and what they mean are in `docs/PERFORMANCE.md`.

use anyhow::{bail, ensure, Context, Result};
use clap::{Parser, Subcommand};
use futures::{stream, StreamExt};
use serde_json::{json, Value};
use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    sync::{mpsc, Barrier},
};
use uuid::Uuid;

mod live;

const DEMO_PASSWORD: &str = "resolutionflow-demo";

#[derive(Parser)]
struct Cli {
    /// The server to measure.
    #[arg(long, default_value = "http://127.0.0.1:3457")]
    base_url: String,
    #[command(subcommand)]
    measure: Measure,
}

#[derive(Subcommand)]
enum Measure {
    /// Refresh-token rotation throughput and latency, next to pgbench on the same statements.
    Refresh {
        #[arg(long, default_value_t = 32)]
        clients: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// The server's database, for pgbench.
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
    },
    /// Concurrent claimers of one escalation (users senior1@acme.test … must exist).
    Claim {
        #[arg(long, default_value_t = 100)]
        claimers: usize,
        #[arg(long, default_value_t = 10)]
        rounds: usize,
        /// The server's process id, to read the CPU time it spends.
        #[arg(long)]
        server_pid: u32,
    },
    /// Open streams, escalations delivered to all, the server's memory per stream and CPU per
    /// delivered event; with a floor, the same against `bench/fanout-floor`, and the ratios.
    Fanout {
        #[arg(long, default_value_t = 10_000)]
        streams: usize,
        #[arg(long, default_value_t = 5)]
        rounds: usize,
        /// The server's process id, to read its resident memory and CPU time.
        #[arg(long)]
        server_pid: u32,
        /// The floor program's address.
        #[arg(long, requires = "floor_pid")]
        floor_url: Option<String>,
        /// The floor program's process id.
        #[arg(long, requires = "floor_url")]
        floor_pid: Option<u32>,
    },
    /// Message delivery and revocation reach across two processes; presence's cost.
    Live {
        /// The second server process, on the same database.
        #[arg(long)]
        other_url: String,
        #[arg(long)]
        server_pid: u32,
        #[arg(long)]
        other_pid: u32,
        /// The database, for the writes presence causes.
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
    },
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    let api = Api::new(&cli.base_url)?;
    match cli.measure {
        Measure::Refresh {
            clients,
            seconds,
            database_url,
        } => refresh(&api, clients, Duration::from_secs(seconds), &database_url).await,
        Measure::Claim {
            claimers,
            rounds,
            server_pid,
        } => claim(&api, claimers, rounds, server_pid).await,
        Measure::Fanout {
            streams,
            rounds,
            server_pid,
            floor_url,
            floor_pid,
        } => {
            let floor = floor_url.as_deref().map(Api::new).transpose()?;
            let floor = floor.as_ref().zip(floor_pid);
            fanout(&api, streams, rounds, server_pid, floor).await
        }
        Measure::Live {
            other_url,
            server_pid,
            other_pid,
            database_url,
        } => {
            let other = Api::new(&other_url)?;
            live::run(&api, &other, [server_pid, other_pid], &database_url).await
        }
    }
}

/// The JSON API over HTTP, as an API client (bearer tokens, tokens in bodies) uses it.
#[derive(Clone)]
struct Api {
    http: reqwest::Client,
    base: String,
}

/// A signed-in API client.
struct Login {
    access: String,
    refresh: String,
    user_id: String,
    account_id: String,
}

impl Api {
    fn new(base: &str) -> Result<Self> {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(usize::MAX)
            .timeout(Duration::from_secs(60))
            .build()?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
        })
    }

    async fn post(&self, path: &str, access: Option<&str>, body: &Value) -> Result<(u16, Value)> {
        let mut req = self.http.post(format!("{}{path}", self.base)).json(body);
        if let Some(token) = access {
            req = req.bearer_auth(token);
        }
        let res = req.send().await.with_context(|| format!("POST {path}"))?;
        let status = res.status().as_u16();
        let body = res.json().await.unwrap_or(Value::Null);
        Ok((status, body))
    }

    /// `post`, which must answer 200.
    async fn call(&self, path: &str, access: &str, body: Value) -> Result<Value> {
        let (status, answer) = self.post(path, Some(access), &body).await?;
        ensure!(status == 200, "{path}: {status} {answer}");
        Ok(answer)
    }

    async fn login(&self, email: &str) -> Result<Login> {
        let body = json!({ "email": email, "password": DEMO_PASSWORD, "token_in_body": true });
        let (status, answer) = self.post("/api/auth/login", None, &body).await?;
        ensure!(status == 200, "login {email}: {status} {answer}");
        let text = |v: &Value| v.as_str().map(str::to_owned).context("missing field");
        Ok(Login {
            access: text(&answer["access_token"])?,
            refresh: text(&answer["refresh_token"])?,
            user_id: text(&answer["user"]["id"])?,
            account_id: text(&answer["user"]["account_id"])?,
        })
    }

    /// Opens the escalation stream on a connection of its own and sends the request. The
    /// stream is read raw, not through the HTTP client: with 10,000 of them on the same two
    /// cores as the server, the client's own work per event would be measured as delivery time.
    /// With `refresh`, the stream belongs to that login, as a browser's does (its cookie), so
    /// that ending the login ends the stream.
    async fn open_stream(
        &self,
        access: &str,
        refresh: Option<&str>,
    ) -> Result<tokio::net::TcpStream> {
        let url = reqwest::Url::parse(&self.base)?;
        let host = url.host_str().context("no host in the base URL")?;
        let port = url.port_or_known_default().context("no port")?;
        let mut stream = tokio::net::TcpStream::connect((host, port)).await?;
        let cookie = refresh
            .map(|token| format!("Cookie: rf_refresh={token}\r\n"))
            .unwrap_or_default();
        // `Connection: close`: a stream the server ends is then a socket it closes, which is
        // what the readers here wait for (a kept-alive connection would only end the body).
        let request = format!(
            "GET /api/escalations/stream HTTP/1.1\r\nHost: {host}:{port}\r\n\
             Authorization: Bearer {access}\r\n{cookie}Accept: text/event-stream\r\n\
             Connection: close\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await?;
        Ok(stream)
    }

    /// A new session of `who`'s; gives its id.
    async fn session(&self, who: &Login, summary: &str) -> Result<Value> {
        let session = self
            .call(
                "/api/sessions/create",
                &who.access,
                json!({ "problem_summary": summary }),
            )
            .await?;
        Ok(session["id"].clone())
    }

    /// Has the floor program write `frame` to every stream it holds (`bench/fanout-floor`).
    async fn fire(&self, frame: &[u8]) -> Result<()> {
        let res = self
            .http
            .post(format!("{}/fire", self.base))
            .body(frame.to_vec())
            .send()
            .await
            .context("POST /fire")?;
        ensure!(res.status() == 200, "fire: {}", res.status());
        Ok(())
    }

    /// Escalates the session; gives the handoff id.
    async fn escalate(&self, who: &Login, session_id: &Value) -> Result<String> {
        let handoff = self
            .call(
                "/api/handoffs/create",
                &who.access,
                json!({ "session_id": session_id, "intent": "escalate", "reason": "Load test" }),
            )
            .await?;
        handoff["id"]
            .as_str()
            .map(str::to_owned)
            .context("handoff id")
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    find(haystack, needle).is_some()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Percentiles of a sample, printed in milliseconds.
struct Latencies(Vec<Duration>);

impl Latencies {
    fn at(&self, q: f64) -> f64 {
        let mut sorted = self.0.clone();
        sorted.sort();
        let i = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1;
        sorted[i].as_secs_f64() * 1000.0
    }

    fn summary(&self) -> String {
        format!(
            "p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (n = {})",
            self.at(0.50),
            self.at(0.99),
            self.at(1.0),
            self.0.len()
        )
    }
}

async fn refresh(api: &Api, clients: usize, run: Duration, database_url: &str) -> Result<()> {
    let logins: Vec<Login> = stream::iter(0..clients)
        .map(|_| api.login("sam@acme.test"))
        .buffer_unordered(4)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_>>()?;
    let (user_id, account_id) = (logins[0].user_id.clone(), logins[0].account_id.clone());
    let started = Instant::now();
    let deadline = started + run;
    let tasks = logins.into_iter().map(|login| {
        let api = api.clone();
        tokio::spawn(async move {
            let mut token = login.refresh;
            let mut samples = Vec::new();
            while Instant::now() < deadline {
                let t = Instant::now();
                let (status, answer) = api
                    .post(
                        "/api/auth/refresh",
                        None,
                        &json!({ "refresh_token": token }),
                    )
                    .await?;
                samples.push(t.elapsed());
                ensure!(status == 200, "refresh: {status} {answer}");
                token = answer["refresh_token"]
                    .as_str()
                    .context("no refresh_token in the answer")?
                    .to_owned();
            }
            Ok(samples)
        })
    });
    let mut all = Vec::new();
    for task in futures::future::join_all(tasks).await {
        all.extend(task??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let http_rate = all.len() as f64 / elapsed;
    let latencies = Latencies(all);
    println!(
        "refresh  HTTP   {clients} clients, {:.0} s: {http_rate:.0} rotations/s, {}",
        run.as_secs_f64(),
        latencies.summary()
    );
    let tps = pgbench(database_url, clients, run, &user_id, &account_id).await?;
    println!(
        "refresh  ratio HTTP / faster pgbench = {:.2}",
        http_rate / tps
    );
    Ok(())
}

/// The statements one rotation runs (server/auth.rs `refresh`), as pgbench scripts: one
/// transaction that opens in the user's account (looked up as it begins), loads the user,
/// consumes the presented token and records the new one. Each client rotates its own chain, as a browser does.
///
/// The server opens each transaction with `BEGIN` and its settings in one simple-protocol
/// round trip and prepares the rest. pgbench cannot mix the two, so it runs both ways: every
/// statement prepared (the transaction's opening then costs a round trip more), and everything
/// in the simple protocol (opening as the server does, but nothing prepared). The ratio is
/// taken against the faster of the two.
const ROTATION_PREPARED: &str = r#"BEGIN;
SELECT set_config('role', 'rf_app', true), set_config('plan_cache_mode', 'force_generic_plan', true), set_config('app.account_id', rf_user_account(:uid)::text, true);
SELECT u.id, u.account_id, u.name, u.email, u.role, a.session_idle_minutes, a.session_absolute_minutes FROM users u JOIN accounts a ON a.id = u.account_id WHERE u.id = :uid AND u.deleted_at IS NULL;
UPDATE refresh_tokens SET revoked_at = now(), rotated_at = now(), revoked_reason = 'rotated' WHERE jti = :prev AND user_id = :uid AND revoked_at IS NULL RETURNING family_id;
INSERT INTO refresh_tokens (jti, account_id, user_id, family_id, issued_at, expires_at, user_agent) VALUES (gen_random_uuid(), :acct, :uid, :fam, now(), now() + interval '3 days', 'pgbench') RETURNING jti AS prev \gset
COMMIT;
"#;

const ROTATION_SIMPLE: &str = r#"BEGIN \; SELECT set_config('role', 'rf_app', true), set_config('plan_cache_mode', 'force_generic_plan', true), set_config('app.account_id', rf_user_account(':uid')::text, true);
SELECT u.id, u.account_id, u.name, u.email, u.role, a.session_idle_minutes, a.session_absolute_minutes FROM users u JOIN accounts a ON a.id = u.account_id WHERE u.id = ':uid' AND u.deleted_at IS NULL;
UPDATE refresh_tokens SET revoked_at = now(), rotated_at = now(), revoked_reason = 'rotated' WHERE jti = ':prev' AND user_id = ':uid' AND revoked_at IS NULL RETURNING family_id;
INSERT INTO refresh_tokens (jti, account_id, user_id, family_id, issued_at, expires_at, user_agent) VALUES (gen_random_uuid(), ':acct', ':uid', ':fam', now(), now() + interval '3 days', 'pgbench') RETURNING jti AS prev \gset
COMMIT;
"#;

async fn pgbench(
    database_url: &str,
    clients: usize,
    run: Duration,
    user_id: &str,
    account_id: &str,
) -> Result<f64> {
    let mut best: f64 = 0.0;
    for (mode, sql) in [("prepared", ROTATION_PREPARED), ("simple", ROTATION_SIMPLE)] {
        let tps = pgbench_run(database_url, mode, sql, clients, run, user_id, account_id).await?;
        best = best.max(tps);
    }
    Ok(best)
}

async fn pgbench_run(
    database_url: &str,
    mode: &str,
    sql: &str,
    clients: usize,
    run: Duration,
    user_id: &str,
    account_id: &str,
) -> Result<f64> {
    let script =
        std::env::temp_dir().join(format!("rf-rotation-{}-{mode}.sql", std::process::id()));
    tokio::fs::write(&script, sql).await?;
    let output = tokio::process::Command::new("pgbench")
        .args(["-n", "-M", mode, "-j", "2"])
        .arg(format!("--client={clients}"))
        .arg(format!("--time={}", run.as_secs()))
        .args([
            "-D",
            &format!("uid={user_id}"),
            "-D",
            &format!("acct={account_id}"),
        ])
        .args(["-D", &format!("fam={}", Uuid::new_v4())])
        .args(["-D", &format!("prev={}", Uuid::nil())])
        .arg("-f")
        .arg(&script)
        .arg(database_url)
        .output()
        .await
        .context("running pgbench")?;
    let _ = tokio::fs::remove_file(&script).await;
    let text = String::from_utf8_lossy(&output.stdout);
    ensure!(
        output.status.success(),
        "pgbench failed: {}{}",
        text,
        String::from_utf8_lossy(&output.stderr)
    );
    let mut latency = String::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("latency average = ") {
            latency = rest.to_owned();
        }
        if let Some(rest) = line.strip_prefix("tps = ") {
            let tps: f64 = rest
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .parse()
                .context("pgbench tps")?;
            println!(
                "refresh  pgbench ({mode}) same statements, {clients} clients: {tps:.0} transactions/s, latency average {latency}"
            );
            return Ok(tps);
        }
    }
    bail!("no tps in pgbench's output: {text}")
}

/// How long after the escalation the claimers press Pick Up.
const SETTLE: Duration = Duration::from_secs(1);

async fn claim(api: &Api, claimers: usize, rounds: usize, server_pid: u32) -> Result<()> {
    let jane = api.login("jane@acme.test").await?;
    let seniors: Vec<Login> = stream::iter(1..=claimers)
        .map(|i| {
            let api = api.clone();
            async move { api.login(&format!("senior{i}@acme.test")).await }
        })
        .buffer_unordered(4)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_>>()?;
    // One call each first, all at once, so every claimer has its own connection open (pooled
    // by the client) as each senior's browser would.
    let warm = seniors
        .iter()
        .map(|senior| api.call("/api/auth/session", &senior.access, json!({})));
    for answer in futures::future::join_all(warm).await {
        answer?;
    }
    let mut latencies = Vec::new();
    let mut spent = Machine::default();
    for round in 1..=rounds {
        let session = api.session(&jane, &format!("Claim race {round}")).await?;
        let handoff = api.escalate(&jane, &session).await?;
        // Seniors press Pick Up once the card has arrived and they have read it, not in the
        // same millisecond: by then the escalation's own aftermath (mail to every senior, the
        // assessment) is done, and the race is measured on its own.
        tokio::time::sleep(SETTLE).await;
        let barrier = Arc::new(Barrier::new(claimers));
        let cpu_before = Machine::now(server_pid)?;
        let tasks = seniors.iter().map(|senior| {
            let (api, barrier, handoff) = (api.clone(), barrier.clone(), handoff.clone());
            let access = senior.access.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                let t = Instant::now();
                let (status, answer) = api
                    .post(
                        "/api/handoffs/claim",
                        Some(&access),
                        &json!({ "handoff_id": handoff }),
                    )
                    .await?;
                Ok::<_, anyhow::Error>((status, answer, t.elapsed()))
            })
        });
        let answers = futures::future::join_all(tasks).await;
        spent.add(Machine::now(server_pid)?.since(cpu_before));
        let mut won = 0;
        for task in answers {
            let (status, answer, took) = task??;
            latencies.push(took);
            match status {
                200 => won += 1,
                409 => ensure!(
                    answer["error"] == "already_claimed"
                        && answer["claimed_by"]["name"].is_string(),
                    "a lost claim without the winner: {answer}"
                ),
                _ => bail!("claim: {status} {answer}"),
            }
        }
        ensure!(won == 1, "round {round}: {won} claims won");
    }
    println!(
        "claim    {claimers} concurrent claimers x {rounds} rounds: exactly one winner every round; {}",
        Latencies(latencies).summary()
    );
    let claims = (claimers * rounds) as u64;
    let per_claim = |cpu: Cpu| (cpu.user_ms + cpu.system_ms) * 1000 / claims;
    println!(
        "claim    CPU per claim (10 ms ticks over all rounds): server {} µs, PostgreSQL {} µs, load tool {} µs; \
         in all: server {}, PostgreSQL {}, load tool {}",
        per_claim(spent.server),
        per_claim(spent.postgres),
        per_claim(spent.tool),
        spent.server,
        spent.postgres,
        spent.tool
    );
    Ok(())
}

/// CPU time a process has used so far, user and system, from `/proc/PID/stat`.
fn cpu_time(pid: &str) -> Result<Cpu> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .context("no command in stat")?
        .1
        .split_whitespace()
        .collect();
    // Linux reports these in USER_HZ, 100 per second on every architecture it runs on.
    let ms = |i: usize| fields[i].parse::<u64>().map(|ticks| ticks * 10);
    Ok(Cpu {
        user_ms: ms(11)?,
        system_ms: ms(12)?,
    })
}

#[derive(Clone, Copy, Default)]
struct Cpu {
    user_ms: u64,
    system_ms: u64,
}

impl std::ops::Sub for Cpu {
    type Output = Cpu;
    fn sub(self, earlier: Cpu) -> Cpu {
        Cpu {
            // Saturating: a process that exited in between takes its time with it.
            user_ms: self.user_ms.saturating_sub(earlier.user_ms),
            system_ms: self.system_ms.saturating_sub(earlier.system_ms),
        }
    }
}

impl std::ops::AddAssign for Cpu {
    fn add_assign(&mut self, more: Cpu) {
        self.user_ms += more.user_ms;
        self.system_ms += more.system_ms;
    }
}

impl std::fmt::Display for Cpu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ms (user {}, system {})",
            self.user_ms + self.system_ms,
            self.user_ms,
            self.system_ms
        )
    }
}

/// CPU time of every PostgreSQL process on this machine (the database shares the cores).
fn postgres_cpu() -> Result<Cpu> {
    let mut total = Cpu::default();
    for entry in std::fs::read_dir("/proc")? {
        let name = entry?.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        let is_postgres = std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .is_ok_and(|comm| comm.trim() == "postgres");
        // A backend can exit between the listing and the read; it is then not counted.
        if let (true, Ok(cpu)) = (is_postgres, cpu_time(pid)) {
            total += cpu;
        }
    }
    Ok(total)
}

/// CPU time of the three processes that share the cores: the server, PostgreSQL, this tool.
#[derive(Clone, Copy, Default)]
struct Machine {
    server: Cpu,
    postgres: Cpu,
    tool: Cpu,
}

impl Machine {
    fn now(server_pid: u32) -> Result<Self> {
        Ok(Self {
            server: cpu_time(&server_pid.to_string())?,
            postgres: postgres_cpu()?,
            tool: cpu_time("self")?,
        })
    }

    /// What each spent since `earlier`.
    fn since(self, earlier: Machine) -> Machine {
        Machine {
            server: self.server - earlier.server,
            postgres: self.postgres - earlier.postgres,
            tool: self.tool - earlier.tool,
        }
    }

    fn add(&mut self, more: Machine) {
        self.server += more.server;
        self.postgres += more.postgres;
        self.tool += more.tool;
    }
}

/// Resident memory of a process, in KiB.
fn rss_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .context("no VmRSS")?;
    line.split_whitespace()
        .nth(1)
        .context("VmRSS value")?
        .parse()
        .context("VmRSS number")
}

/// Where a fan-out is measured: the server (streams opened by seniors, an escalation by Jane), or
/// the floor program of `bench/fanout-floor` (any stream, a frame posted to `/fire`).
enum Target<'a> {
    Server {
        api: &'a Api,
        /// Access tokens of the seniors whose streams are read, each for
        /// [`STREAMS_PER_USER`] streams.
        readers: Vec<String>,
        jane: Login,
    },
    Floor {
        api: &'a Api,
        frame: Vec<u8>,
    },
}

/// The frames a stream counts: an escalation, then its assessment (the built-in assessor's, which
/// the server sends to every stream moments later).
const CREATED: &[u8] = b"event: handoff_created\n";
const ASSESSED: &[u8] = b"event: handoff_assessment_ready\n";

/// The frames each stream receives per round: from the server an escalation and its assessment;
/// the floor is sent the same two, as the server's first stream received them, in one write.
const FRAMES_PER_ROUND: usize = 2;

/// A frame a stream received: when, whether it was the escalation, and (from the first stream
/// only) its text.
struct Heard {
    at: Instant,
    created: bool,
    text: Option<Vec<u8>>,
}

/// What one target's fan-out rounds came to.
struct Delivered {
    heard: Latencies,
    /// The target process's CPU time over the rounds, from the escalation's send to the last
    /// frame's arrival.
    cpu: Cpu,
    /// Its CPU time in the second after each round's last frame: what the escalation still
    /// costs once delivered (recording its mail, the webhooks), beside the heartbeats.
    after: Cpu,
    /// Frames delivered over the rounds.
    frames: usize,
    /// A round's frames (the escalation, its assessment) as the streams received them, for the
    /// floor to write the same.
    frame: Vec<u8>,
}

impl Delivered {
    fn cpu_per_frame_us(&self) -> f64 {
        (self.cpu.user_ms + self.cpu.system_ms) as f64 * 1000.0 / self.frames as f64
    }
}

/// The most streams one user may hold open (docs/API.md §9): the fan-out's streams are spread
/// over as many seniors as that takes.
const STREAMS_PER_USER: usize = 20;

async fn fanout(
    api: &Api,
    streams: usize,
    rounds: usize,
    server_pid: u32,
    floor: Option<(&Api, u32)>,
) -> Result<()> {
    let seniors = streams.div_ceil(STREAMS_PER_USER);
    let signed_in = Instant::now();
    let readers: Vec<String> = stream::iter(1..=seniors)
        .map(|i| {
            let api = api.clone();
            async move { api.login(&format!("senior{i}@acme.test")).await }
        })
        .buffer_unordered(4)
        .map(|login| login.map(|login| login.access))
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_>>()?;
    println!(
        "fanout   {seniors} seniors signed in to read the streams ({:.1} s)",
        signed_in.elapsed().as_secs_f64()
    );
    let jane = api.login("jane@acme.test").await?;
    let server = Target::Server { api, readers, jane };
    let ours = deliver(&server, streams, rounds, server_pid).await?;
    println!(
        "fanout   {rounds} escalations to {streams} streams each: {}",
        ours.heard.summary()
    );
    println!(
        "fanout   server CPU {} over {} delivered frames (the escalation and its assessment to each stream): {:.1} µs per frame",
        ours.cpu,
        ours.frames,
        ours.cpu_per_frame_us()
    );
    println!(
        "fanout   server CPU in the second after each round's last frame (mail recorded, webhooks, heartbeats): {}",
        ours.after
    );
    let Some((floor_api, floor_pid)) = floor else {
        return Ok(());
    };
    let frame = ours.frame.clone();
    let floor = deliver(
        &Target::Floor {
            api: floor_api,
            frame,
        },
        streams,
        rounds,
        floor_pid,
    )
    .await?;
    println!(
        "fanout   floor: the same {} bytes (both frames, one write) to {streams} streams, {rounds} times: {}",
        ours.frame.len(),
        floor.heard.summary()
    );
    println!(
        "fanout   floor CPU {} over {} delivered frames: {:.1} µs per frame",
        floor.cpu,
        floor.frames,
        floor.cpu_per_frame_us()
    );
    println!(
        "fanout   floor CPU in the second after each round's last frame: {}",
        floor.after
    );
    println!(
        "fanout   server / floor: CPU per delivered frame {:.2}x, p50 {:.2}x, p99 {:.2}x",
        ours.cpu_per_frame_us() / floor.cpu_per_frame_us(),
        ours.heard.at(0.50) / floor.heard.at(0.50),
        ours.heard.at(0.99) / floor.heard.at(0.99)
    );
    Ok(())
}

/// Opens `streams` streams on the target, then escalates `rounds` times, each once every stream
/// has the frames of the one before; every stream's delay from the send to the escalation's
/// arrival (what a senior sees: the card).
async fn deliver(
    target: &Target<'_>,
    streams: usize,
    rounds: usize,
    pid: u32,
) -> Result<Delivered> {
    let (api, readers) = match target {
        Target::Server { api, readers, .. } => (*api, readers.as_slice()),
        Target::Floor { api, .. } => (*api, &[][..]),
    };
    let before = rss_kib(pid)?;
    let ready = Arc::new(AtomicUsize::new(0));
    let (heard_tx, mut heard_rx) = mpsc::unbounded_channel::<Heard>();
    let opened = Instant::now();
    // Opened 200 at a time (a whole office logging in at 9:00, not one SYN flood).
    let open = Arc::new(tokio::sync::Semaphore::new(200));
    let mut tasks = Vec::with_capacity(streams);
    for i in 0..streams {
        let (api, ready, heard_tx, open) =
            (api.clone(), ready.clone(), heard_tx.clone(), open.clone());
        let access = readers
            .get(i / STREAMS_PER_USER)
            .cloned()
            .unwrap_or_default();
        tasks.push(tokio::spawn(async move {
            let mut permit = Some(open.acquire_owned().await?);
            let mut stream = api.open_stream(&access, None).await?;
            // The raw HTTP/1.1 response: the status line, then the body's chunks. Each SSE
            // event is one chunk, so an event's text is never split by the chunk framing.
            let mut seen = Vec::with_capacity(1024);
            let mut buf = [0u8; 2048];
            loop {
                let n = stream.read(&mut buf).await?;
                ensure!(n > 0, "a stream ended before the last event arrived");
                seen.extend_from_slice(&buf[..n]);
                if permit.is_some() && contains(&seen, b"event: ready") {
                    ensure!(
                        seen.starts_with(b"HTTP/1.1 200 "),
                        "stream: {}",
                        String::from_utf8_lossy(&seen)
                    );
                    ready.fetch_add(1, Ordering::SeqCst);
                    permit.take();
                }
                // Each escalation's frames, in the order they came.
                while let Some((at, created)) = [CREATED, ASSESSED]
                    .iter()
                    .filter_map(|marker| find(&seen, marker).map(|at| (at, *marker == CREATED)))
                    .min()
                {
                    let Some(end) = find(&seen[at..], b"\n\n").map(|e| at + e + 2) else {
                        break;
                    };
                    // The first stream gives each frame's text: from its chunk's start (after
                    // the chunk-size line) to the blank line that ends it.
                    let text = (i == 0).then(|| {
                        let start = seen[..at]
                            .windows(2)
                            .rposition(|w| w == b"\r\n")
                            .map_or(0, |p| p + 2);
                        seen[start..end].to_vec()
                    });
                    let _ = heard_tx.send(Heard {
                        at: Instant::now(),
                        created,
                        text,
                    });
                    seen.drain(..end);
                }
                if seen.len() > 64 * 1024 {
                    seen.drain(..seen.len() - 1024);
                }
            }
        }));
    }
    drop(heard_tx);
    while ready.load(Ordering::SeqCst) < streams {
        if let Some(failed) = tasks.iter().position(|t| t.is_finished()) {
            let task = tasks.swap_remove(failed);
            task.await??;
            bail!("a stream finished early");
        }
        ensure!(
            opened.elapsed() < Duration::from_secs(300),
            "streams did not open in 5 minutes"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let open_time = opened.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = rss_kib(pid)?;
    println!(
        "fanout   {streams} streams open in {:.1} s; RSS {before} KiB -> {after} KiB: {:.1} KiB per stream",
        open_time.as_secs_f64(),
        (after.saturating_sub(before)) as f64 / streams as f64
    );
    let mut heard = Vec::with_capacity(streams * rounds);
    let mut cpu = Cpu::default();
    let mut after = Cpu::default();
    let mut frame = Vec::new();
    for round in 0..rounds {
        // What the server does before the event is not the fan-out's: the session is made first.
        let session = match target {
            Target::Server { api, jane, .. } => Some(api.session(jane, "Fan-out").await?),
            Target::Floor { .. } => None,
        };
        let cpu_before = cpu_time(&pid.to_string())?;
        let sent = Instant::now();
        match (target, &session) {
            (Target::Server { api, jane, .. }, Some(session)) => {
                api.escalate(jane, session).await?;
            }
            (Target::Floor { api, frame }, _) => api.fire(frame).await?,
            (Target::Server { .. }, None) => unreachable!("a session is made for the server"),
        }
        let mut this_round = 0;
        while this_round < streams * FRAMES_PER_ROUND {
            let Ok(Some(one)) =
                tokio::time::timeout(Duration::from_secs(30), heard_rx.recv()).await
            else {
                bail!(
                    "round {round}: only {this_round} of {} frames arrived",
                    streams * FRAMES_PER_ROUND
                );
            };
            if one.created {
                heard.push(one.at.duration_since(sent));
            }
            if let Some(text) = one.text {
                // A round's frames, the escalation first.
                if one.created {
                    frame.clear();
                }
                frame.extend_from_slice(&text);
            }
            this_round += 1;
        }
        let delivered = cpu_time(&pid.to_string())?;
        cpu += delivered - cpu_before;
        tokio::time::sleep(Duration::from_secs(1)).await;
        after += cpu_time(&pid.to_string())? - delivered;
    }
    for task in tasks {
        task.abort();
    }
    Ok(Delivered {
        heard: Latencies(heard),
        cpu,
        after,
        frames: streams * rounds * FRAMES_PER_ROUND,
        frame,
    })
}
