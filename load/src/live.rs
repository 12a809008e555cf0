//! `rf-load live`: the three figures of live collaboration (docs/API.md §9, docs/PERFORMANCE.md
//! "Live collaboration"), with two server processes on one database:
//!
//! - a message's delivery: Jane's `POST /api/sessions/message` on one process until Sam's stream
//!   on the other has the `session_message` frame, over 200 messages, one after another;
//! - revocation reach: an owner's `revoke-session` on one process until the revoked login's
//!   stream on the other says `signed_out`, over 50 logins;
//! - presence: 1,000 viewers (100 seniors, ten sessions each) renewing every 20 s for 40 s,
//!   half on each process: the servers' and PostgreSQL's CPU per renewal, and what PostgreSQL
//!   wrote meanwhile; then the servers' CPU once everyone has left.

use super::{cpu_time, postgres_cpu, Api, Cpu, Latencies, Login};
use anyhow::{ensure, Context, Result};
use base64::Engine;
use futures::{stream, StreamExt};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::{io::AsyncReadExt, sync::mpsc};

pub async fn run(one: &Api, two: &Api, pids: [u32; 2], database_url: &str) -> Result<()> {
    delivery(one, two).await?;
    revocation(one, two).await?;
    presence(one, two, pids, database_url).await
}

/// One SSE event as read off a raw stream, with the instant it was read.
struct Heard {
    event: String,
    data: String,
    at: Instant,
}

/// Opens a stream on `api` and reads it in a task of its own: every event, as it arrives, and
/// `end` when the server closes it. Waits for `ready`.
async fn listen(
    api: &Api,
    access: &str,
    refresh: Option<&str>,
) -> Result<mpsc::UnboundedReceiver<Heard>> {
    let mut stream = api.open_stream(access, refresh).await?;
    let (tx, mut rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut seen: Vec<u8> = Vec::with_capacity(4096);
        let mut buf = [0u8; 4096];
        loop {
            let n = stream.read(&mut buf).await.unwrap_or(0);
            let at = Instant::now();
            if n == 0 {
                let _ = tx.send(Heard {
                    event: "end".into(),
                    data: String::new(),
                    at,
                });
                return;
            }
            seen.extend_from_slice(&buf[..n]);
            // An event is one chunk of the chunked body: its lines end at a blank line, and the
            // chunk sizes around it are lines of their own, ignored here.
            while let Some(end) = seen.windows(2).position(|w| w == b"\n\n") {
                let frame = String::from_utf8_lossy(&seen[..end]).into_owned();
                seen.drain(..end + 2);
                let field = |name: &str| {
                    frame
                        .lines()
                        .find_map(|l| l.strip_prefix(name))
                        .map(str::to_owned)
                };
                if let Some(event) = field("event: ") {
                    let data = field("data: ").unwrap_or_default();
                    if tx.send(Heard { event, data, at }).is_err() {
                        return;
                    }
                }
            }
        }
    });
    next_event(&mut rx, "ready", "").await?;
    Ok(rx)
}

/// Waits (10 s at most) for the event named `event` whose data holds `needle`.
async fn next_event(
    rx: &mut mpsc::UnboundedReceiver<Heard>,
    event: &str,
    needle: &str,
) -> Result<Instant> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let heard = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .with_context(|| format!("no {event} within 10 s"))?
            .with_context(|| format!("the stream ended before {event}"))?;
        if heard.event == event && heard.data.contains(needle) {
            return Ok(heard.at);
        }
        ensure!(heard.event != "end", "the stream ended before {event}");
    }
}

async fn delivery(one: &Api, two: &Api) -> Result<()> {
    const MESSAGES: usize = 200;
    let jane = one.login("jane@acme.test").await?;
    let sam = two.login("sam@acme.test").await?;
    let session = one.session(&jane, "Live delivery").await?;
    let handoff = one.escalate(&jane, &session).await?;
    two.call(
        "/api/handoffs/claim",
        &sam.access,
        json!({ "handoff_id": handoff }),
    )
    .await?;
    let mut sam_hears = listen(two, &sam.access, None).await?;
    let mut took = Vec::with_capacity(MESSAGES);
    for i in 0..MESSAGES + 5 {
        let sent = Instant::now();
        let message = one
            .call(
                "/api/sessions/message",
                &jane.access,
                json!({ "session_id": session, "body": format!("Message {i}") }),
            )
            .await?;
        let id = message["id"].as_str().context("message id")?;
        let heard = next_event(&mut sam_hears, "session_message", id).await?;
        // The first few warm both processes' connections up.
        if i >= 5 {
            took.push(heard.duration_since(sent));
        }
    }
    println!(
        "live     message POST on one process -> the other side's stream on another: {}",
        Latencies(took).summary()
    );
    Ok(())
}

/// The login (refresh-token family) a refresh token belongs to: its `fam` claim.
fn login_of(refresh: &str) -> Result<String> {
    let claims = refresh.split('.').nth(1).context("not a JWT")?;
    let claims: Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(claims)?)?;
    claims["fam"]
        .as_str()
        .map(str::to_owned)
        .context("no fam claim")
}

async fn revocation(one: &Api, two: &Api) -> Result<()> {
    const LOGINS: usize = 50;
    let owner = one.login("owner@acme.test").await?;
    let mut took = Vec::with_capacity(LOGINS);
    for _ in 0..LOGINS {
        let sam = one.login("sam@acme.test").await?;
        let mut hears = listen(two, &sam.access, Some(&sam.refresh)).await?;
        let sent = Instant::now();
        one.call(
            "/api/account/security/revoke-session",
            &owner.access,
            json!({ "session_id": login_of(&sam.refresh)? }),
        )
        .await?;
        let closed = next_event(&mut hears, "signed_out", "owner_revoked").await?;
        took.push(closed.duration_since(sent));
        next_event(&mut hears, "end", "").await?;
    }
    println!(
        "live     owner's revoke on one process -> the login's stream on another says signed_out: {}",
        Latencies(took).summary()
    );
    Ok(())
}

/// What the database has written so far: WAL position (bytes), and rows changed per table of
/// this database (inserted + updated + deleted).
async fn written(database_url: &str) -> Result<(i64, Vec<(String, i64)>)> {
    let output = tokio::process::Command::new("psql")
        .args(["-AtF", "|", "-c"])
        .arg(
            "SELECT 'wal', pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint \
             UNION ALL SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables",
        )
        .arg(database_url)
        .output()
        .await
        .context("running psql")?;
    ensure!(
        output.status.success(),
        "psql: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut wal = None;
    let mut tables = Vec::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let (name, count) = line.split_once('|').context("psql's answer")?;
        match name {
            "wal" => wal = Some(count.parse()?),
            _ => tables.push((name.to_owned(), count.parse()?)),
        }
    }
    Ok((wal.context("no WAL position")?, tables))
}

/// The tables whose row counts moved between two readings, with how much.
fn changed(before: &[(String, i64)], after: &[(String, i64)]) -> Vec<(String, i64)> {
    after
        .iter()
        .filter_map(|(table, n)| {
            let was = before
                .iter()
                .find(|(t, _)| t == table)
                .map_or(0, |(_, n)| *n);
            (*n != was).then(|| (table.clone(), n - was))
        })
        .collect()
}

/// A backend publishes its row counters at most once a second, and an idle one within 10 s
/// (PostgreSQL's statistics collector): long enough a wait that the counters are complete.
const STATS_SETTLE: Duration = Duration::from_secs(11);

fn servers_cpu(pids: [u32; 2]) -> Result<Cpu> {
    let mut total = cpu_time(&pids[0].to_string())?;
    total += cpu_time(&pids[1].to_string())?;
    Ok(total)
}

async fn presence(one: &Api, two: &Api, pids: [u32; 2], database_url: &str) -> Result<()> {
    const SENIORS: usize = 100;
    const SESSIONS_EACH: usize = 10;
    const RENEW: Duration = Duration::from_secs(20);
    const RUN: Duration = Duration::from_secs(40);
    let seniors: Vec<Login> = stream::iter(1..=SENIORS)
        .map(|i| async move { one.login(&format!("senior{i}@acme.test")).await })
        .buffer_unordered(4)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_>>()?;
    let mut viewers: Vec<(String, Value)> = Vec::new();
    for senior in &seniors {
        for n in 0..SESSIONS_EACH {
            let session = one.session(senior, &format!("Presence {n}")).await?;
            viewers.push((senior.access.clone(), session));
        }
    }
    // Each senior has a tab open on the second process, as they would.
    let mut tabs = Vec::new();
    for senior in &seniors {
        tabs.push(listen(two, &senior.access, None).await?);
    }
    let report = |api: &Api, access: &str, session: &Value, state: &str| {
        let (api, access, body) = (
            api.clone(),
            access.to_owned(),
            json!({ "session_id": session, "state": state }),
        );
        tokio::spawn(async move {
            let (status, answer) = api.post("/api/presence", Some(&access), &body).await?;
            ensure!(status == 200, "presence: {status} {answer}");
            Ok::<_, anyhow::Error>(())
        })
    };

    // What setting up wrote must be counted before the window opens, not in it.
    tokio::time::sleep(STATS_SETTLE).await;
    let (wal_before, rows_before) = written(database_url).await?;
    let (servers_before, pg_before) = (servers_cpu(pids)?, postgres_cpu()?);
    // Every viewer renews once per RENEW, spread evenly, half through each process.
    let gap = RENEW / viewers.len() as u32;
    let renewals = (RUN.as_secs_f64() / gap.as_secs_f64()) as usize;
    let started = Instant::now();
    let mut sent = Vec::with_capacity(renewals);
    for i in 0..renewals {
        let (access, session) = &viewers[i % viewers.len()];
        let api = if i % 2 == 0 { one } else { two };
        sent.push(report(api, access, session, "viewing"));
        tokio::time::sleep_until((started + gap * (i as u32 + 1)).into()).await;
    }
    for task in futures::future::join_all(sent).await {
        task??;
    }
    let elapsed = started.elapsed();
    let (servers, pg) = (
        servers_cpu(pids)? - servers_before,
        postgres_cpu()? - pg_before,
    );
    tokio::time::sleep(STATS_SETTLE).await;
    let (wal_after, rows_after) = written(database_url).await?;
    let rows = changed(&rows_before, &rows_after);
    let per = |cpu: Cpu| (cpu.user_ms + cpu.system_ms) * 1000 / renewals as u64;
    println!(
        "live     presence: {} viewers renewing every {} s, {renewals} renewals in {:.1} s ({:.0}/s): \
         CPU per renewal (10 ms ticks) servers {} µs, PostgreSQL {} µs; in all servers {servers}, PostgreSQL {pg}",
        viewers.len(),
        RENEW.as_secs(),
        elapsed.as_secs_f64(),
        renewals as f64 / elapsed.as_secs_f64(),
        per(servers),
        per(pg),
    );
    println!(
        "live     presence: PostgreSQL meanwhile changed {} rows in this database {rows:?} and wrote {} bytes of WAL ({:.0} bytes per renewal, the whole cluster's)",
        rows.iter().map(|(_, n)| n).sum::<i64>(),
        wal_after - wal_before,
        (wal_after - wal_before) as f64 / renewals as f64
    );

    // Everyone leaves; then the servers, streams still open, idle with nobody on the board.
    let left = viewers
        .iter()
        .map(|(access, session)| report(one, access, session, "left"));
    for task in futures::future::join_all(left).await {
        task??;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle_before = servers_cpu(pids)?;
    tokio::time::sleep(Duration::from_secs(10)).await;
    let idle = servers_cpu(pids)? - idle_before;
    println!(
        "live     presence: with {SENIORS} streams open and nobody viewing, both servers over 10 s: {idle}"
    );
    drop(tabs);
    Ok(())
}
