//! The HTTP surface driven in-process through the real router.

use axum::{body::Body, http::Request};
use domain::db;
use http_body_util::BodyExt;
use sqlx::PgPool;
use tower::ServiceExt;

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

/// A multi-threaded server can start rendering a page on one thread and finish streaming it on
/// another, so nothing a page makes while it renders may be bound to the thread it was made
/// on. (The sign-in form's button call once was: dropped on another thread, it panicked and the
/// browser got an empty answer.) Here the page's body is read on a thread of its own.
#[sqlx::test(migrator = "db::MIGRATOR")]
async fn a_page_rendered_on_one_thread_finishes_streaming_on_another(pool: PgPool) {
    let router = crate::common::router(pool).await;
    for path in ["/login", "/forgot-password"] {
        let req = Request::get(path).body(Body::empty()).unwrap();
        let res = router.clone().oneshot(req).await.expect("router answers");
        assert_eq!(res.status(), 200, "{path}");
        let body = res.into_body();
        let elsewhere = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime")
                .block_on(body.collect())
                .map(|collected| collected.to_bytes())
        });
        let bytes = elsewhere
            .join()
            .unwrap_or_else(|_| panic!("{path}: the page panicked while it finished streaming"))
            .expect("body");
        let html = String::from_utf8_lossy(&bytes);
        assert!(html.contains("</html>"), "{path}: the whole page arrives");
    }
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
