//! `seed-demo` creates exactly the demo data of the README, a second run changes nothing, and
//! `--world TAG` makes another copy beside it.

use domain::{auth::passwords, db, seed};
use sqlx::PgPool;

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn seeds_the_contract_users_once(pool: PgPool) {
    let first = seed::seed_demo(&pool).await.unwrap();
    assert_eq!(
        (first.accounts, first.users, first.subscriptions),
        (2, 7, 2)
    );

    let rows: Vec<(String, String, String, String, bool, Option<String>)> = sqlx::query_as(
        "SELECT u.email, u.name, a.name, u.role, u.email_verified_at IS NOT NULL, u.password_hash \
         FROM users u JOIN accounts a ON a.id = u.account_id ORDER BY a.name, u.email",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let expected = [
        ("alex@acme.test", "Alex Admin", "Acme MSP", "admin"),
        ("jane@acme.test", "Jane Junior", "Acme MSP", "engineer"),
        ("owner@acme.test", "Olivia Owner", "Acme MSP", "owner"),
        ("sam@acme.test", "Sam Senior", "Acme MSP", "engineer"),
        ("val@acme.test", "Val Viewer", "Acme MSP", "viewer"),
        ("nina@globex.test", "Nina Globex", "Globex IT", "engineer"),
        ("owner@globex.test", "Grace Globex", "Globex IT", "owner"),
    ];
    assert_eq!(rows.len(), expected.len());
    for (row, want) in rows.iter().zip(expected) {
        assert_eq!(
            (
                row.0.as_str(),
                row.1.as_str(),
                row.2.as_str(),
                row.3.as_str()
            ),
            want
        );
        assert!(row.4, "{} is verified", row.0);
        let hash = row.5.as_deref().expect("demo users have a password");
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            passwords::verify(seed::DEMO_PASSWORD, hash),
            "{} signs in with the demo password",
            row.0
        );
    }

    let plans: Vec<(String, String)> =
        sqlx::query_as("SELECT plan, status FROM subscriptions ORDER BY account_id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(plans, vec![("pro".into(), "active".into()); 2]);

    let hashes_before: Vec<String> =
        sqlx::query_scalar("SELECT password_hash FROM users ORDER BY email")
            .fetch_all(&pool)
            .await
            .unwrap();
    let second = seed::seed_demo(&pool).await.unwrap();
    assert!(second.is_empty(), "second run created {second:?}");
    let hashes_after: Vec<String> =
        sqlx::query_scalar("SELECT password_hash FROM users ORDER BY email")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(hashes_before, hashes_after, "a second run rewrites nothing");
}

/// `seed-demo --world TAG`: the same people and sessions again, under addresses of their own,
/// beside the README's and touching none of them; once per tag.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_world_is_another_copy_of_the_demo_beside_the_readmes(pool: PgPool) {
    seed::seed_demo(&pool).await.unwrap();
    let readme: Vec<(String, String)> =
        sqlx::query_as("SELECT id::text, email FROM users ORDER BY email")
            .fetch_all(&pool)
            .await
            .unwrap();
    let w7 = seed::World::tagged("w7").unwrap();
    let made = seed::seed_world(&pool, w7).await.unwrap();
    assert_eq!(
        (made.accounts, made.users, made.subscriptions, made.sessions),
        (2, 7, 2, 3)
    );
    assert!(seed::seed_world(&pool, w7).await.unwrap().is_empty());

    let world: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT u.email, u.name, a.name FROM users u JOIN accounts a ON a.id = u.account_id \
         WHERE u.email LIKE '%-w7.test' ORDER BY u.email",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let emails: Vec<&str> = world.iter().map(|u| u.0.as_str()).collect();
    assert_eq!(
        emails,
        [
            "alex@acme-w7.test",
            "jane@acme-w7.test",
            "nina@globex-w7.test",
            "owner@acme-w7.test",
            "owner@globex-w7.test",
            "sam@acme-w7.test",
            "val@acme-w7.test",
        ]
    );
    assert!(world.contains(&(
        "jane@acme-w7.test".into(),
        "Jane Junior".into(),
        "Acme MSP".into()
    )));
    let janes: Vec<(String, i64)> = sqlx::query_as(
        "SELECT u.email, count(s.id) FROM users u JOIN troubleshooting_sessions s ON s.user_id = u.id \
         GROUP BY u.email ORDER BY u.email",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        janes,
        [
            ("jane@acme-w7.test".into(), 3),
            ("jane@acme.test".into(), 3)
        ]
    );
    let after: Vec<(String, String)> = sqlx::query_as(
        "SELECT id::text, email FROM users WHERE email NOT LIKE '%-w7.test' ORDER BY email",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(after, readme, "the README's people are as they were");

    for bad in ["", "W7", "w 7", "w7@x", &"w".repeat(33)] {
        assert!(seed::World::tagged(bad).is_err(), "{bad:?}");
    }
}
