//! The login role a server runs as (`scripts/run.sh` creates the same): not a superuser, only a
//! member of the application role, so row-level security holds whatever a transaction sets.
//! Shared by the in-process suite and the process tests.

use domain::db;
use sqlx::PgPool;

pub const SERVER_ROLE: &str = "rf_server";

/// Creates the server's login role (roles are cluster-wide: once, whichever test comes first,
/// and a concurrent creator is no error).
pub async fn server_role(pool: &PgPool) {
    sqlx::raw_sql(&format!(
        "DO $$ BEGIN
             CREATE ROLE {SERVER_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
         DO $$ BEGIN
             GRANT {app} TO {SERVER_ROLE};
         EXCEPTION WHEN OTHERS THEN NULL; END $$;",
        app = db::APP_ROLE
    ))
    .execute(pool)
    .await
    .expect("the server role");
    let member: bool = sqlx::query_scalar(&format!(
        "SELECT pg_has_role('{SERVER_ROLE}', '{}', 'MEMBER')",
        db::APP_ROLE
    ))
    .fetch_one(pool)
    .await
    .unwrap();
    assert!(member, "{SERVER_ROLE} is a member of {}", db::APP_ROLE);
}

/// The test database's URL as [`SERVER_ROLE`], straight to PostgreSQL.
pub fn server_url(pool: &PgPool) -> String {
    let base: reqwest::Url = std::env::var("DATABASE_URL")
        .expect("DATABASE_URL")
        .parse()
        .expect("a database URL");
    let name = pool.connect_options().get_database().unwrap().to_owned();
    format!(
        "postgres://{SERVER_ROLE}@{}:{}/{name}",
        base.host_str().unwrap_or("127.0.0.1"),
        base.port().unwrap_or(5432)
    )
}
