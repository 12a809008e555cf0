//! `resolutionflow create-site-admin` run as a real process against a real database: a fresh
//! create, a re-run on the same e-mail, `--promote-only`, and `--send-reset` with a mail server
//! that takes the mail, one that refuses it, and none.

use crate::common::peers;
use domain::{db, links::hash as hash_token};
use sqlx::PgPool;
use std::process::{Command, Output};

/// The test database's URL, for the child process.
fn url_of(pool: &PgPool) -> String {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let (server, _) = base.rsplit_once('/').expect("a database URL");
    let name = pool
        .connect_options()
        .get_database()
        .expect("a database name")
        .to_owned();
    format!("{server}/{name}")
}

fn run(pool: &PgPool, args: &[&str]) -> Output {
    run_with(pool, args, &[])
}

fn run_with(pool: &PgPool, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_resolutionflow"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", url_of(pool))
        .env("RF_PUBLIC_URL", "https://rf.example.test")
        .envs(env.iter().copied())
        .output()
        .expect("the binary runs")
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn token_in(text: &str) -> String {
    let at = text
        .find("https://rf.example.test/reset-password?token=")
        .expect("a reset link");
    text[at..]
        .split("token=")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect()
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn create_site_admin_creates_reruns_safely_and_promotes(pool: PgPool) {
    // Fresh: an account, an owner who is super admin, verified, with no password; a link.
    let out = stdout(&run(
        &pool,
        &[
            "create-site-admin",
            "--email",
            "  Root@Example.TEST ",
            "--print-reset",
        ],
    ));
    assert!(
        out.contains("created site admin root@example.test"),
        "{out}"
    );
    let first = token_in(&out);
    let (role, admin, verified, password): (String, bool, bool, Option<String>) = sqlx::query_as(
        "SELECT role, is_super_admin, email_verified_at IS NOT NULL, password_hash FROM users WHERE email = 'root@example.test'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (role.as_str(), admin, verified, password),
        ("owner", true, true, None)
    );
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM password_reset_tokens")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(stored, [hash_token(&first)], "only the hash is kept");

    // Again: nothing new but a fresh link.
    let out = stdout(&run(
        &pool,
        &["create-site-admin", "--email", "root@example.test"],
    ));
    assert!(
        out.contains("promoted site admin root@example.test"),
        "{out}"
    );
    assert_ne!(token_in(&out), first);
    assert_eq!(count(&pool, "SELECT count(*) FROM users").await, 1);
    assert_eq!(count(&pool, "SELECT count(*) FROM accounts").await, 1);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM password_reset_tokens").await,
        2
    );

    // Promote-only: an existing demo user becomes super admin, verified, and gets no link.
    stdout(&run(&pool, &["seed-demo"]));
    sqlx::query("UPDATE users SET email_verified_at = NULL WHERE email = 'sam@acme.test'")
        .execute(&pool)
        .await
        .unwrap();
    let out = stdout(&run(
        &pool,
        &[
            "create-site-admin",
            "--email",
            "sam@acme.test",
            "--promote-only",
        ],
    ));
    assert!(
        out.contains("promoted site admin sam@acme.test") && !out.contains("token="),
        "{out}"
    );
    let (admin, verified): (bool, bool) = sqlx::query_as(
        "SELECT is_super_admin, email_verified_at IS NOT NULL FROM users WHERE email = 'sam@acme.test'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(admin && verified);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM password_reset_tokens").await,
        2
    );

    // Promote-only never creates anyone.
    let out = run(
        &pool,
        &[
            "create-site-admin",
            "--email",
            "ghost@example.test",
            "--promote-only",
        ],
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no user has the e-mail ghost@example.test")
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM users WHERE email = 'ghost@example.test'"
        )
        .await,
        0
    );

    // --send-reset with no mail server falls back to printing; the recorded mail has no link.
    let out = stdout(&run(
        &pool,
        &[
            "create-site-admin",
            "--email",
            "root@example.test",
            "--send-reset",
        ],
    ));
    assert!(out.contains("nothing was mailed"), "{out}");
    let link = token_in(&out);
    let body: String = sqlx::query_scalar(
        "SELECT body FROM outbound_emails WHERE recipient = 'root@example.test'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(!body.contains(&link) && body.contains("[reset link]"));
}

/// `--send-reset` mails the link when the mail server takes it (and prints no link), and prints
/// it, saying why, when the server refuses; either way the link is the one stored.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn send_reset_mails_the_link_or_prints_it_when_mail_is_refused(pool: PgPool) {
    let (smtp, inbox) = peers::smtp_sink(false).await;
    let args = [
        "create-site-admin",
        "--email",
        "root@example.test",
        "--send-reset",
    ];
    // Run beside the test's runtime, which serves the mail server meanwhile.
    let send = |smtp: String| {
        let pool = pool.clone();
        tokio::task::spawn_blocking(move || run_with(&pool, &args, &[("RF_SMTP_URL", &smtp)]))
    };
    let out = stdout(&send(smtp).await.unwrap());
    assert!(
        out.starts_with("created site admin root@example.test")
            && out.ends_with("\nreset link mailed to root@example.test\n"),
        "no link on the terminal: {out}"
    );
    let (to, mail) = inbox.lock().unwrap()[0].clone();
    assert_eq!(to, ["root@example.test"]);
    let mailed = peers::mailed_token(&inbox, 1, "/reset-password").await;
    assert_eq!(
        count(
            &pool,
            &format!(
                "SELECT count(*) FROM password_reset_tokens WHERE token_hash = '{}'",
                hash_token(&mailed)
            )
        )
        .await,
        1,
        "the mailed link is the stored one: {mail}"
    );

    let (refusing, refused) = peers::smtp_sink(true).await;
    let out = stdout(&send(refusing).await.unwrap());
    assert!(
        out.contains("\nthe mail could not be sent (") && out.contains("554"),
        "{out}"
    );
    let printed = token_in(&out);
    assert!(refused.lock().unwrap().is_empty());
    assert_eq!(
        count(&pool, &format!("SELECT count(*) FROM password_reset_tokens WHERE token_hash = '{}' AND used_at IS NULL", hash_token(&printed))).await,
        1
    );
}
