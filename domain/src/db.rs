//! The database: pool, migrations, and the tenant transaction that every request runs in.

use sqlx::{migrate::Migrator, postgres::PgPoolOptions, Connection, PgPool, Postgres, Transaction};
use std::time::Duration;
use vocab::ids::{AccountId, UserId};

/// The migrations of `migrations/`, embedded in the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

/// The non-superuser role that tenant transactions switch to. Row-level security applies to it.
pub const APP_ROLE: &str = "rf_app";

pub type Tx = Transaction<'static, Postgres>;

/// A pooled connection idle for longer than this is pinged before it is handed out.
const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// A pool of at most `max_connections` connections to `url`.
pub async fn connect(url: &str, max_connections: u32) -> Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        // sqlx pings every connection as it goes back to the pool, and by default again as it
        // comes out: a round trip before every transaction. One back in the pool for under a
        // second answered its ping that long ago; only one idle for longer is pinged again,
        // so after a database restart the pool still drops dead connections, not requests.
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for > PING_AFTER_IDLE {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
        .connect(url)
        .await
}

pub async fn migrate(pool: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    MIGRATOR.run(pool).await
}

/// How every transaction of the app begins: `BEGIN`, then, for this transaction only, the role
/// that row-level security applies to and generic plans for the prepared statements. Without
/// the latter PostgreSQL plans a statement anew on every execution whenever it judges the plan
/// for the given parameters cheaper, which under row-level security it nearly always does; our
/// statements are key lookups whose generic plan is the same plan, and the planning was a fifth
/// of PostgreSQL's CPU time per claim (docs/PERFORMANCE.md). `settings` adds more `set_config`s.
fn begin_as_app(settings: &str) -> String {
    format!(
        "BEGIN; SELECT set_config('role', '{APP_ROLE}', true), \
         set_config('plan_cache_mode', 'force_generic_plan', true){settings}"
    )
}

/// Begins a transaction that can only see and write one account's rows.
///
/// It switches to [`APP_ROLE`] and sets `app.account_id` for this transaction only (`SET LOCAL`
/// semantics), so row-level security filters every statement in it, including one that forgets
/// its `account_id` filter. Both settings end with the transaction, so a pooled connection never
/// carries one tenant into the next request.
///
/// `BEGIN` and the settings go in one round trip. They are spliced into that statement rather
/// than bound, which is safe only because they are a constant and a UUID's canonical text.
pub async fn tenant_tx(pool: &PgPool, account_id: AccountId) -> Result<Tx, sqlx::Error> {
    pool.begin_with(begin_as_app(&format!(
        ", set_config('app.account_id', '{}', true)",
        account_id.0.hyphenated()
    )))
    .await
}

/// A transaction in the account of the user `user_id`, when only the user is known (a refresh
/// token names its user, not the account). The account is looked up by `rf_user_account` in
/// the same round trip as `BEGIN`; for an unknown or deleted user it is empty, and the
/// transaction sees no tenant row at all. Spliced like [`tenant_tx`]'s: a UUID's text.
pub async fn user_tx(pool: &PgPool, user_id: UserId) -> Result<Tx, sqlx::Error> {
    pool.begin_with(begin_as_app(&format!(
        ", set_config('app.account_id', rf_user_account('{}')::text, true)",
        user_id.0.hyphenated()
    )))
    .await
}

/// A transaction as the application role with no tenant: it sees no tenant row at all, only
/// what the `SECURITY DEFINER` sign-in functions return.
pub async fn anonymous_tx(pool: &PgPool) -> Result<Tx, sqlx::Error> {
    pool.begin_with(begin_as_app("")).await
}

/// Why `serve` will not run on this connection's role, if it would not (docs/SECURITY.md,
/// "Row-level security"): a superuser or a role that bypasses row-level security sees every
/// tenant, and so does one that can switch (`SET ROLE`, `set_config('role', ...)`) to such a
/// role, whatever the tenant transaction set. Requests must run as a role that is at most a
/// member of [`APP_ROLE`].
pub async fn privileged_role(pool: &PgPool) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT format('%s can act as %s, which %s', current_user, r.rolname, \
                CASE WHEN r.rolsuper THEN 'is a superuser' ELSE 'bypasses row-level security' END) \
         FROM pg_roles r \
         WHERE (r.rolsuper OR r.rolbypassrls) AND pg_has_role(current_user, r.oid, 'MEMBER') \
         ORDER BY r.rolname = current_user DESC, r.rolname LIMIT 1",
    )
    .fetch_optional(pool)
    .await
}

/// Deletes what no request needs any more, in every tenant (`rf_prune`): sign-in counts whose
/// `throttle_window` ended, refresh tokens, reset and verification links a day past their
/// expiry, and single sign-on states past theirs. Returns how many rows went. `serve` calls it
/// hourly ([`PRUNE_EVERY`]).
pub async fn prune(
    pool: &PgPool,
    throttle_window: chrono::Duration,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<i64, sqlx::Error> {
    let mut tx = anonymous_tx(pool).await?;
    let pruned = sqlx::query_scalar("SELECT rf_prune($1, $2)")
        .bind(now)
        .bind(throttle_window.num_seconds() as i32)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(pruned)
}

pub const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// Is the database answering? Used by `/healthz`.
pub async fn ping(pool: &PgPool) -> bool {
    matches!(
        tokio::time::timeout(
            Duration::from_secs(2),
            sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(pool)
        )
        .await,
        Ok(Ok(1))
    )
}
