//! Row-level security: a query that forgets its account filter still sees only its own tenant.

use domain::{db, seed};
use sqlx::PgPool;
use vocab::ids::AccountId;

async fn emails(pool: &PgPool, account: AccountId) -> Vec<String> {
    let mut tx = db::tenant_tx(pool, account).await.unwrap();
    // Deliberately no `WHERE account_id = ...`.
    sqlx::query_scalar("SELECT email FROM users ORDER BY email")
        .fetch_all(&mut *tx)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn an_unfiltered_query_sees_only_the_current_tenant(pool: PgPool) {
    seed::seed_demo(&pool).await.unwrap();
    let acme = seed::demo_account_id("acme");
    let globex = seed::demo_account_id("globex");

    assert_eq!(
        emails(&pool, acme).await,
        [
            "alex@acme.test",
            "jane@acme.test",
            "owner@acme.test",
            "sam@acme.test",
            "val@acme.test"
        ]
    );
    assert_eq!(
        emails(&pool, globex).await,
        ["nina@globex.test", "owner@globex.test"]
    );

    let mut tx = db::tenant_tx(&pool, acme).await.unwrap();
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM accounts")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(names, ["Acme MSP"]);
    let subscriptions: i64 = sqlx::query_scalar("SELECT count(*) FROM subscriptions")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(subscriptions, 1);
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn another_tenants_row_can_be_neither_changed_nor_written(pool: PgPool) {
    seed::seed_demo(&pool).await.unwrap();
    let acme = seed::demo_account_id("acme");
    let globex = seed::demo_account_id("globex");

    let mut tx = db::tenant_tx(&pool, acme).await.unwrap();
    let touched =
        sqlx::query("UPDATE users SET name = 'Hijacked' WHERE email = 'nina@globex.test'")
            .execute(&mut *tx)
            .await
            .unwrap()
            .rows_affected();
    assert_eq!(touched, 0, "an UPDATE cannot reach another tenant's row");

    let insert = sqlx::query(
        "INSERT INTO users (account_id, email, name, role) VALUES ($1, 'mole@acme.test', 'Mole', 'owner')",
    )
    .bind(globex)
    .execute(&mut *tx)
    .await;
    let err = insert.expect_err("writing a row into another tenant is refused");
    assert!(err.to_string().contains("row-level security"), "{err}");
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn the_tenant_setting_ends_with_its_transaction(pool: PgPool) {
    seed::seed_demo(&pool).await.unwrap();
    let acme = seed::demo_account_id("acme");
    // One connection only, so the second transaction runs where the first one did.
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect_with(pool.connect_options().as_ref().clone())
        .await
        .unwrap();

    let mut tx = db::tenant_tx(&pool, acme).await.unwrap();
    let inside: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(inside, 5, "the tenant transaction sees Acme");
    tx.commit().await.unwrap();

    // The same connection, now outside any tenant transaction but as the app role: nothing is
    // visible because no tenant is set.
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("SET LOCAL ROLE rf_app")
        .execute(&mut *tx)
        .await
        .unwrap();
    let visible: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(visible, 0);
    let setting: Option<String> =
        sqlx::query_scalar("SELECT current_setting('app.account_id', true)")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
    // Reset to empty on a connection that had it (NULL on one that never did): no tenant either way.
    assert_eq!(
        setting.unwrap_or_default(),
        "",
        "app.account_id did not leak from the previous transaction"
    );
}

/// Every table the application role can read or write is a tenant table with row-level
/// security enabled and forced. A new table without a policy fails here, unless the role has
/// no privilege on it at all (sqlx's bookkeeping, the sign-in counts).
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn every_table_has_row_level_security_enabled_and_forced(pool: PgPool) {
    let unprotected: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> '_sqlx_migrations' \
           AND NOT (c.relrowsecurity AND c.relforcerowsecurity \
                    AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid)) \
           AND has_table_privilege('rf_app', c.oid, 'SELECT, INSERT, UPDATE, DELETE') \
         ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(
        unprotected.is_empty(),
        "tables without row-level security: {unprotected:?}"
    );
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn the_app_role_cannot_rewrite_the_audit_trail(pool: PgPool) {
    seed::seed_demo(&pool).await.unwrap();
    let acme = seed::demo_account_id("acme");
    let mut tx = db::tenant_tx(&pool, acme).await.unwrap();
    sqlx::query("INSERT INTO audit_events (account_id, event_type) VALUES ($1, 'test.event')")
        .bind(acme)
        .execute(&mut *tx)
        .await
        .unwrap();
    let err = sqlx::query("DELETE FROM audit_events")
        .execute(&mut *tx)
        .await
        .expect_err("audit rows are append-only");
    assert!(err.to_string().contains("permission denied"), "{err}");
}
