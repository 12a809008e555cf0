//! The server as it meets the internet (docs/SECURITY.md), with the real binary over real
//! sockets: behind a real nginx, two processes sharing one sign-in count per client address;
//! slow clients dropped on time while others are answered; the connection cap; and the
//! database role `serve` refuses.

use crate::common::eventually;
use crate::server::{free_port, healthz, Api, Db, Running, Server};
use domain::{auth::throttle::Limits, db, seed};
use serde_json::json;
use sqlx::PgPool;
use std::{
    net::IpAddr,
    process::{Command, Stdio},
    time::{Duration, Instant},
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// Debian's nginx in front of `upstreams`, on a port of its own, connecting to them from
/// `from` (so the servers can tell the proxy from its clients on one machine), appending each
/// client's address to `X-Forwarded-For` as a production proxy does. One process, without a
/// master: killing it when the test ends leaves no worker behind (an orphaned worker kept the
/// files the test run had open, `scripts/test.sh`'s lock among them).
struct Nginx {
    _child: Running,
    base: String,
    _dir: TempDir,
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Nginx {
    async fn start(upstreams: &[&Server], from: IpAddr) -> Self {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("rf-nginx-{port}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let servers: String = upstreams
            .iter()
            .map(|s| format!("server {};\n", s.base.trim_start_matches("http://")))
            .collect();
        let d = dir.display();
        let conf = format!(
            "daemon off;\nmaster_process off;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
             events {{ worker_connections 256; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
               fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
               upstream rf {{\n{servers}  }}\n\
               server {{\n    listen 127.0.0.1:{port};\n    location / {{\n      proxy_pass http://rf;\n\
                 proxy_bind {from};\n      proxy_set_header Host $host;\n\
                 proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n    }}\n  }}\n}}\n"
        );
        std::fs::write(dir.join("nginx.conf"), conf).unwrap();
        let child = Command::new("nginx")
            .args(["-c", &format!("{d}/nginx.conf"), "-p", &d.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("nginx runs (Debian's package `nginx`; scripts/test.sh installs it)");
        let nginx = Self {
            _child: Running(child),
            base: format!("http://127.0.0.1:{port}"),
            _dir: TempDir(dir),
        };
        eventually("nginx listens", async || {
            TcpStream::connect(("127.0.0.1", port)).await.is_ok()
        })
        .await;
        nginx
    }
}

/// The proxy's own address, as the servers see it.
const PROXY: [u8; 4] = [127, 0, 0, 9];

/// Behind nginx every connection comes from the proxy; with `RF_TRUSTED_PROXIES` naming it, each
/// client is still counted apart, and two processes count as one: the guesser is stopped after
/// the per-address limit however the proxy spreads the guesses, forging `X-Forwarded-For` does
/// not help, and a colleague elsewhere signs in. Guessing one member's password from one
/// address locks out only that address.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn behind_a_real_proxy_two_processes_count_each_client_address_once(pool: PgPool) {
    seed::seed_demo(&pool).await.unwrap();
    let db = Db::of(&pool).await;
    let trusted = [("RF_TRUSTED_PROXIES", "127.0.0.9")];
    let one = Server::start_with(&db, free_port(), &trusted).await;
    let two = Server::start_with(&db, free_port(), &trusted).await;
    let nginx = Nginx::start(&[&one, &two], PROXY.into()).await;
    let guesser = Api::at(&nginx.base, Some([127, 0, 0, 2].into()));
    let colleague = Api::at(&nginx.base, Some([127, 0, 0, 3].into()));
    let member = Api::at(&nginx.base, Some([127, 0, 0, 4].into()));

    let limit = Limits::default().per_address;
    for i in 1..=limit {
        // Each guess claims to come from somewhere else; only the proxy's own entry counts.
        let forged = format!("203.0.113.{i}");
        let (status, answer) = guesser
            .sign_in_forwarded(&format!("guess{i}@acme.test"), "not-the-password", &forged)
            .await;
        assert_eq!(status, 401, "guess {i} of {limit} is answered: {answer}");
    }
    let (status, _) = guesser
        .sign_in_forwarded("one-more@acme.test", "not-the-password", "198.51.100.1")
        .await;
    assert_eq!(
        status, 429,
        "the guess after {limit} is refused, by either process"
    );
    let (status, _) = guesser.sign_in("sam@acme.test", seed::DEMO_PASSWORD).await;
    assert_eq!(status, 429, "the guessing address stays refused");
    let (status, answer) = colleague
        .sign_in("sam@acme.test", seed::DEMO_PASSWORD)
        .await;
    assert_eq!(status, 200, "another client address signs in: {answer}");

    // Wrong passwords for Jane from one address: that address is stopped on her e-mail...
    let per = Limits::default().per_email_at_address;
    for _ in 0..per {
        let (status, _) = colleague
            .sign_in("jane@acme.test", "not-her-password")
            .await;
        assert_eq!(status, 401);
    }
    let (status, _) = colleague
        .sign_in("jane@acme.test", seed::DEMO_PASSWORD)
        .await;
    assert_eq!(status, 429, "that address is stopped on her e-mail");
    // ...and Jane, from her own address, signs in.
    let (status, answer) = member.sign_in("jane@acme.test", seed::DEMO_PASSWORD).await;
    assert_eq!(status, 200, "she is not locked out elsewhere: {answer}");

    // The owner tells their devices apart by the address each came from, as the proxy saw it
    // (docs/SECURITY.md, "Devices"): the same browser, two people, two places.
    let owner = Api::at(&nginx.base, Some([127, 0, 0, 5].into()));
    let (access, _) = owner.login("owner@acme.test").await;
    let view = owner.ok("/api/account/security", &access, json!({})).await;
    let mut seen: Vec<(String, String)> = view["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let field = |k: &str| s[k].as_str().unwrap_or("none").to_owned();
            (field("user_name"), field("client_address"))
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("Jane Junior".to_owned(), "127.0.0.4".to_owned()),
            ("Olivia Owner".to_owned(), "127.0.0.5".to_owned()),
            ("Sam Senior".to_owned(), "127.0.0.3".to_owned()),
        ]
    );
}

/// Reads until the server closes the connection; how long that took.
async fn until_closed(stream: &mut TcpStream, within: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout_at((started + within).into(), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => continue,
            Err(_) => return None,
        }
    }
}

/// A client that sends its headers one byte a second is dropped after about 10 s, and the
/// server answers everyone else meanwhile.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_client_sending_headers_a_byte_a_second_is_dropped_and_others_are_answered(pool: PgPool) {
    let server = Server::start(&Db::of(&pool).await, free_port()).await;
    let addr = server.base.trim_start_matches("http://").to_owned();
    let mut slow = TcpStream::connect(&addr).await.unwrap();
    let dripping = tokio::spawn(async move {
        let started = Instant::now();
        for byte in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "
            .iter()
            .cycle()
        {
            if slow.write_all(&[*byte]).await.is_err() {
                return Some(started.elapsed());
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
            if started.elapsed() > Duration::from_secs(30) {
                return None;
            }
        }
        None
    });
    let api = reqwest::Client::new();
    let started = Instant::now();
    // Twice a second, someone else asks and is answered while the slow client drips.
    let mut every = tokio::time::interval(Duration::from_millis(500));
    while !dripping.is_finished() && started.elapsed() < Duration::from_secs(30) {
        every.tick().await;
        let status = healthz(&api, &server.base, Duration::from_secs(2))
            .await
            .expect("others are answered meanwhile");
        assert_eq!(status, 200);
    }
    let dropped = dripping
        .await
        .unwrap()
        .expect("the slow client was never dropped");
    // The write after the close is the one that fails: up to a second after it.
    assert!(
        dropped < Duration::from_secs(15),
        "dropped after {dropped:?}, not about 10 s"
    );

    // An idle connection (nothing sent at all) goes the same way.
    let mut idle = TcpStream::connect(&addr).await.unwrap();
    let closed = until_closed(&mut idle, Duration::from_secs(20)).await;
    assert!(
        closed.is_some_and(|t| t < Duration::from_secs(13)),
        "an idle connection closed after {closed:?}"
    );
}

/// A request body that does not arrive whole within 30 s is refused (408) and its connection
/// closed.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_body_that_never_arrives_is_refused_after_30_seconds(pool: PgPool) {
    let server = Server::start(&Db::of(&pool).await, free_port()).await;
    let addr = server.base.trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&addr).await.unwrap();
    stream
        .write_all(
            b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
              Content-Length: 100\r\n\r\n{\"email\":",
        )
        .await
        .unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(45), stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "no answer within 45 s");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("bad_request"), "{answer}");
    assert!(
        started.elapsed() >= Duration::from_secs(29),
        "a body still arriving is not cut short"
    );
}

/// Beyond `RF_MAX_CONNECTIONS` a connection waits to be served until one closes.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn connections_beyond_the_cap_wait_for_one_to_close(pool: PgPool) {
    let server = Server::start_with(
        &Db::of(&pool).await,
        free_port(),
        &[("RF_MAX_CONNECTIONS", "3")],
    )
    .await;
    let addr = server.base.trim_start_matches("http://").to_owned();
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(TcpStream::connect(&addr).await.unwrap());
    }
    let api = reqwest::Client::new();
    let refused = healthz(&api, &server.base, Duration::from_secs(3)).await;
    assert!(
        refused.is_err(),
        "a fourth connection is not served while three are held"
    );
    // The three send nothing, so the header deadline closes them, and the fourth gets its turn.
    let status = healthz(&api, &server.base, Duration::from_secs(20))
        .await
        .expect("served once a connection closed");
    assert_eq!(status, 200);
    drop(held);
}

/// `serve` will not run requests as a superuser: row-level security would not hold.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn serve_refuses_a_database_role_that_bypasses_row_level_security(pool: PgPool) {
    let db = Db::of(&pool).await;
    let as_superuser = Db {
        url: db.admin_url.clone(),
        admin_url: db.admin_url.clone(),
    };
    let out = Server::command(&as_superuser, free_port())
        .env("RUST_LOG", "error")
        .output()
        .expect("the binary runs");
    assert!(!out.status.success(), "serve started as a superuser");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("row-level security"), "{stderr}");
    assert!(stderr.contains("is a superuser"), "{stderr}");
}

/// A token in a link never reaches the log: requests are logged by their path alone, and
/// bodies not at all, on the pages and calls that carry one.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_token_in_a_url_never_reaches_the_log(pool: PgPool) {
    let path = std::env::temp_dir().join(format!("rf-token-log-{}.txt", free_port()));
    let log = std::fs::File::create(&path).unwrap();
    let server = Server::start_logging(
        &Db::of(&pool).await,
        free_port(),
        &[("RUST_LOG", "info,tower_http=debug")],
        Some(&log),
    )
    .await;
    let token = "5ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7";
    let http = reqwest::Client::new();
    for page in ["invite", "verify-email", "reset-password"] {
        let res = http
            .get(format!("{}/{page}?token={token}", server.base))
            .send()
            .await
            .unwrap();
        assert!(res.status().as_u16() < 500, "{page}: {}", res.status());
    }
    let api = Api::new(&server);
    for call in ["/api/auth/invitation", "/api/auth/verify-email"] {
        let body = serde_json::json!({ "token": token });
        let (status, _) = api.post(call, None, body).await.unwrap();
        assert_eq!(status, 404, "{call}");
    }
    drop(server);
    let written = std::fs::read_to_string(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(
        written.contains("/invite"),
        "requests are logged: {written}"
    );
    assert!(
        !written.contains(token),
        "the token is in the log: {written}"
    );
}
