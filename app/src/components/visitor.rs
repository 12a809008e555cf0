//! The visitor (who is signed in in this browser) as the UI sees it, loaded once per page with
//! the server render and handed to the browser with the hydration data.

use super::{
    login_channel::{use_login_channel, LoginChannel, LoginEvent},
    login_expiry::{use_login_windows, LoginWindows},
};
use crate::api::auth::{current_visitor, refresh, RefreshAnswer, Visitor};
use crate::api::loaded::Loaded;
use leptos::prelude::*;
use leptos_router::{components::Redirect, hooks::use_location};
use std::future::Future;
use vocab::{
    error::{ApiError, ErrorCode},
    visitor::SignedIn,
};

pub type VisitorResource = Loaded<Result<Visitor, ApiError>>;

/// Loads the visitor with the page and keeps [`LoginWindows`] in step with their login.
pub fn provide_visitor() -> (VisitorResource, LoginWindows) {
    // Blocking: the shell's redirects and its <head> depend on who is signed in.
    let resource: VisitorResource = Resource::new_with_options(|| (), |_| current_visitor(), true);
    let windows = LoginWindows(RwSignal::new(None));
    Effect::new(move |_| {
        if let Some(Ok(visitor)) = resource.get() {
            let ends = visitor
                .signed_in
                .and_then(|s| s.idle_expires_at.zip(s.absolute_expires_at));
            windows.0.set(ends);
        }
    });
    provide_context(resource);
    provide_context(windows);
    (resource, windows)
}

/// Refreshes the login from the browser. When two tabs refresh at once, the loser is told
/// `invalid_refresh_token`, but by then the winner's new cookie is in the jar: one retry after
/// a moment succeeds.
pub async fn refresh_in_browser() -> Result<RefreshAnswer, ApiError> {
    match refresh(None).await {
        Err(err) if err.error == ErrorCode::InvalidRefreshToken => {
            #[cfg(feature = "hydrate")]
            gloo_timers::future::TimeoutFuture::new(300).await;
            refresh(None).await
        }
        other => other,
    }
}

/// Calls the API from the browser on the user's behalf. Access tokens live minutes; a page
/// stays open for hours. A call answered `not_authenticated` refreshes the login once (which
/// the other tabs hear about) and is tried again; a login that has ended takes the user to
/// the sign-in page, told why.
#[derive(Clone, Copy)]
pub struct Api {
    windows: LoginWindows,
    channel: LoginChannel,
}

pub fn use_api() -> Api {
    Api {
        windows: use_login_windows(),
        channel: use_login_channel(),
    }
}

impl Api {
    pub async fn call<T, Fut>(self, call: impl Fn() -> Fut) -> Result<T, ApiError>
    where
        Fut: Future<Output = Result<T, ApiError>>,
    {
        let first = call().await;
        // On the server a page render never refreshes: the page-load layer already did.
        if cfg!(not(feature = "hydrate")) {
            return first;
        }
        match first {
            Err(err) if err.error == ErrorCode::NotAuthenticated => {
                match refresh_in_browser().await {
                    Ok(answer) => {
                        let windows = (answer.idle_expires_at, answer.absolute_expires_at);
                        self.windows.0.set(Some(windows));
                        self.channel.broadcast(&LoginEvent::Refreshed {
                            idle_expires_at: windows.0,
                            absolute_expires_at: windows.1,
                        });
                        call().await
                    }
                    Err(ended) => {
                        let expired = matches!(
                            ended.error,
                            ErrorCode::SessionExpiredIdle | ErrorCode::SessionExpiredAbsolute
                        );
                        leave_for_login(expired.then_some(LeftBecause::Expired));
                        Err(err)
                    }
                }
            }
            other => other,
        }
    }
}

/// Why a tab was sent to the sign-in page, which says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeftBecause {
    /// The login ran past its idle or absolute limit.
    Expired,
    /// The login was ended (docs/API.md §9); `by_someone_else` when an owner or admin did it.
    SignedOut { by_someone_else: bool },
}

impl LeftBecause {
    fn query(self) -> &'static str {
        match self {
            Self::Expired => "reason=session_expired&",
            Self::SignedOut {
                by_someone_else: false,
            } => "reason=signed_out&",
            Self::SignedOut {
                by_someone_else: true,
            } => "reason=signed_out&by=owner&",
        }
    }
}

/// Sends the browser to the sign-in page, coming back here afterwards.
pub fn leave_for_login(because: Option<LeftBecause>) {
    #[cfg(feature = "hydrate")]
    {
        let location = window().location();
        let here = format!(
            "{}{}",
            location.pathname().unwrap_or_default(),
            location.search().unwrap_or_default()
        );
        let _ = location.replace(&login_url(because, &here));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = because;
}

pub fn use_visitor() -> VisitorResource {
    expect_context::<VisitorResource>()
}

/// Who is signed in, inside a [`RequireUser`].
pub fn use_signed_in() -> SignedIn {
    expect_context::<SignedIn>()
}

/// Where a signed-out visitor goes: the sign-in page, told why the login ended when it knows,
/// and told where they were headed.
pub fn login_url(because: Option<LeftBecause>, next: &str) -> String {
    let mut url = String::from("/login?");
    url.push_str(because.map_or("", LeftBecause::query));
    url.push_str("next=");
    url.push_str(&encode_component(next));
    url
}

/// Percent-encodes everything but unreserved characters and `/`.
pub fn encode_component(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Renders its children for a signed-in visitor (with who it is in context); sends anyone
/// else to the sign-in page.
#[component]
pub fn RequireUser(children: ChildrenFn) -> impl IntoView {
    let visitor = use_visitor();
    let location = use_location();
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match visitor.await {
                    Ok(Visitor { signed_in: Some(view), .. }) => {
                        provide_context(view);
                        children.with_value(|c| c()).into_any()
                    }
                    Ok(Visitor { ended, .. }) => {
                        let path = location.pathname.get_untracked();
                        let search = location.search.get_untracked();
                        let next = if search.is_empty() { path } else { format!("{path}?{search}") };
                        view! { <Redirect path=login_url(ended.map(|_| LeftBecause::Expired), &next) /> }.into_any()
                    }
                    Err(err) => view! { <LoadError err /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn LoadError(err: ApiError) -> impl IntoView {
    if err.error == ErrorCode::SubscriptionRequired {
        return view! { <PlanLapsed err /> }.into_any();
    }
    view! {
        <div class="mx-auto mt-16 max-w-md rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-900" role="alert">
            {err.message}
        </div>
    }
    .into_any()
}

/// What the Pro features show when the account's plan has lapsed: what happened, that nothing
/// is lost, and what still works.
#[component]
pub fn PlanLapsed(err: ApiError) -> impl IntoView {
    let detail = |key: &str| {
        err.details
            .get(key)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let state = match (detail("plan"), detail("status")) {
        (Some(plan), Some(status)) => {
            format!("Plan: {plan} · status: {}", status.replace('_', " "))
        }
        _ => "This account has no subscription.".to_owned(),
    };
    view! {
        <section class="mx-auto mt-10 w-full max-w-xl rounded-xl border border-amber-200 bg-amber-50 p-6 text-amber-950" role="alert" data-testid="plan-lapsed">
            <h2 class="text-base font-semibold">"Your plan has lapsed"</h2>
            <p class="mt-2 text-sm">{err.message.clone()}</p>
            <p class="mt-2 text-sm font-medium">{state}</p>
            <p class="mt-2 text-sm">
                "An owner of your account can renew it; everything comes back as it was. Meanwhile you can still sign in and manage the account and its security."
            </p>
            <a href="/account" class="mt-4 inline-flex rounded-md bg-amber-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-amber-500">
                "Account settings"
            </a>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_url_keeps_the_destination_and_the_reason() {
        assert_eq!(login_url(None, "/"), "/login?next=/");
        assert_eq!(
            login_url(Some(LeftBecause::Expired), "/pilot/1?pickup=true"),
            "/login?reason=session_expired&next=/pilot/1%3Fpickup%3Dtrue"
        );
        assert_eq!(
            login_url(
                Some(LeftBecause::SignedOut {
                    by_someone_else: true
                }),
                "/"
            ),
            "/login?reason=signed_out&by=owner&next=/"
        );
    }
}
