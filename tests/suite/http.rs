//! The HTTP surface driven in-process through the real router.

use domain::db;
use sqlx::PgPool;

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn healthz_answers_ok_once_the_database_answers(pool: PgPool) {
    let router = crate::common::router(pool.clone()).await;
    let res = crate::common::get(&router, "/healthz").await;
    assert_eq!((res.status, res.body.as_str()), (200, "ok"));

    pool.close().await;
    let res = crate::common::get(&router, "/healthz").await;
    assert_eq!(res.status, 503, "a closed database is reported, not hidden");
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn the_login_page_is_server_rendered(pool: PgPool) {
    let res = crate::common::get(&crate::common::router(pool).await, "/login").await;
    assert_eq!(res.status, 200);
    assert!(res.body.contains("Sign in to ResolutionFlow"));
    assert!(res.body.contains(r#"name="email""#) && res.body.contains(r#"name="password""#));
    assert!(
        res.body.contains("/pkg/resolutionflow.js"),
        "the page loads the hydration bundle"
    );
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn an_unknown_page_answers_404_with_the_not_found_page(pool: PgPool) {
    let res = crate::common::get(&crate::common::router(pool).await, "/no/such/page").await;
    assert_eq!(res.status, 404);
    assert!(res.body.contains("Page not found"));
}

#[sqlx::test(migrator = "db::MIGRATOR")]
async fn an_unknown_api_function_answers_404_in_the_contract_shape(pool: PgPool) {
    let res = crate::common::post_json(
        &crate::common::router(pool).await,
        "/api/no/such/function",
        "{}",
    )
    .await;
    assert_eq!(res.status, 404);
    assert_eq!(res.json()["error"], "not_found");
    assert_eq!(res.headers["content-type"], "application/json");
}
