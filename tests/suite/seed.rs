//! `seed-demo` creates exactly the demo data of the README, and a second run changes nothing.

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
