//! The two working forms for browsers without JavaScript (docs/API.md §5): `POST /pilot`
//! starts a session (the sidebar's New, on the dashboard and the pilot page),
//! `POST /pilot/{id}/messages` sends a message in one. The same calls as the
//! JSON API, under the same rules; each answers 303, on to the session, or back to the page
//! with the refusal's code for the page to put into words.
//!
//! What a browser checks by itself (`required`, `maxlength`) never reaches here empty or too
//! long; what is refused here is what the page could not know (a plan that lapsed, a session
//! resolved a moment ago, a role changed).

use crate::{auth::caller::Caller, auth::forms::see_other, sessions, state::AppState};
use axum::{
    extract::{rejection::FormRejection, Path, State},
    response::Response,
    Form,
};
use chrono::Utc;
use serde::Deserialize;
use vocab::{
    error::{ApiError, ErrorCode},
    ids::SessionId,
    paths::safe_next,
};

#[derive(Deserialize)]
pub struct StartForm {
    problem_summary: String,
    #[serde(default)]
    psa_ticket_id: String,
    /// The page the form is on (the dashboard or a session's), to go back to on a refusal.
    #[serde(default)]
    from: String,
}

/// `POST /pilot`: starts a session and opens it.
pub async fn start(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    form: Result<Form<StartForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return back("/", "new_session_error", ErrorCode::BadRequest);
    };
    let page = safe_next(&form.from)
        .split(['?', '#'])
        .next()
        .unwrap_or("/");
    let started = async {
        let caller = caller?;
        caller.require_pro()?;
        sessions::create(
            &state.pool,
            &caller.user,
            &form.problem_summary,
            Some(&form.psa_ticket_id),
            Utc::now(),
        )
        .await
    };
    match started.await {
        Ok(session) => see_other(&format!("/pilot/{}", session.id)),
        Err(err) => back(page, "new_session_error", err.error),
    }
}

#[derive(Deserialize)]
pub struct MessageForm {
    body: String,
}

/// `POST /pilot/{id}/messages`: sends a message and shows the conversation with it.
pub async fn message(
    State(state): State<AppState>,
    Path(session_id): Path<SessionId>,
    caller: Result<Caller, ApiError>,
    form: Result<Form<MessageForm>, FormRejection>,
) -> Response {
    let sent = async {
        let caller = caller?;
        let Form(form) = form.map_err(|e| ApiError::bad_request(e.body_text()))?;
        caller.require_pro()?;
        sessions::message(
            &state.pool,
            &caller.user,
            session_id,
            &form.body,
            Utc::now(),
        )
        .await
    };
    let page = format!("/pilot/{session_id}");
    match sent.await {
        Ok(_) => see_other(&format!("{page}#composer")),
        Err(err) => back(&page, "message_error", err.error),
    }
}

/// Back to `page` with the refusal's `code` under `key`; to the sign-in page, and from there
/// back to `page`, when it was the caller who was not signed in.
fn back(page: &str, key: &str, code: ErrorCode) -> Response {
    let (path, pair) = if code.status() == 401 {
        ("/login", ("next", page))
    } else {
        (page, (key, code.as_str()))
    };
    let query = serde_urlencoded::to_string([pair]).unwrap_or_default();
    see_other(&format!("{path}?{query}"))
}
