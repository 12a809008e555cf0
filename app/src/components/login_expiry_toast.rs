//! LoginExpiryToast: the notice at the top of the app five minutes before the session ends.
//! Idle (amber): "Stay signed in" refreshes. Absolute (cyan): nothing can extend it, so
//! "Sign in now" starts a fresh session. Dismissed, it stays away until the deadline changes.

use super::time::format_time;
use super::{
    login_channel::{use_login_channel, LoginEvent},
    login_expiry::{time_left, use_login_expiry, use_login_windows, Warning},
    sign_out::SignOutForm,
    toast::DismissButton,
    visitor::refresh_in_browser,
};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use vocab::visitor::LoginEnd;

const BUTTON: &str = "rounded-md px-3 py-1.5 text-sm font-semibold shadow-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-offset-2 disabled:opacity-60";

#[component]
pub fn LoginExpiryToast() -> impl IntoView {
    let expiry = use_login_expiry();
    let windows = use_login_windows();
    let channel = use_login_channel();
    let dismissed = RwSignal::new(None::<DateTime<Utc>>);
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);

    let stay_signed_in = move |_| {
        busy.set(true);
        failure.set(None);
        leptos::task::spawn_local(async move {
            match refresh_in_browser().await {
                Ok(answer) => {
                    windows
                        .0
                        .set(Some((answer.idle_expires_at, answer.absolute_expires_at)));
                    channel.broadcast(&LoginEvent::Refreshed {
                        idle_expires_at: answer.idle_expires_at,
                        absolute_expires_at: answer.absolute_expires_at,
                    });
                }
                Err(err) => failure.set(Some(err.message)),
            }
            busy.set(false);
        });
    };
    let visible = move || {
        let e = expiry.get();
        e.warning != Warning::None && e.at != dismissed.get()
    };

    view! {
        <Show when=visible>
            {move || {
                let e = expiry.get();
                let at = e.at.unwrap_or_default();
                let ended = e.warning == Warning::Now;
                let (tone, title, body) = match (e.reason, ended) {
                    (LoginEnd::Idle, false) => (
                        "border-amber-200 bg-amber-50 text-amber-900",
                        "Your session is about to expire",
                        format!("You'll be signed out in {} because of inactivity.", time_left(Utc::now(), at)),
                    ),
                    (LoginEnd::Absolute, false) => (
                        "border-cyan-200 bg-cyan-50 text-cyan-900",
                        "Your session ends soon",
                        format!("For security, sessions have a maximum length. Yours ends at {}; sign in again to keep working.", format_time(at)),
                    ),
                    (LoginEnd::Idle, true) => (
                        "border-amber-200 bg-amber-50 text-amber-900",
                        "Your session has expired",
                        "You were signed out after a period of inactivity.".to_owned(),
                    ),
                    (LoginEnd::Absolute, true) => (
                        "border-cyan-200 bg-cyan-50 text-cyan-900",
                        "Your session has ended",
                        "Sessions have a maximum length. Sign in again to keep working.".to_owned(),
                    ),
                };
                let recoverable = e.reason == LoginEnd::Idle && !ended;
                view! {
                    <div class="pointer-events-none fixed inset-x-0 top-16 z-50 flex justify-center px-4">
                        <div
                            class=format!("pointer-events-auto flex w-full max-w-lg items-start gap-3 rounded-lg border px-4 py-3 shadow-lg {tone}")
                            role="alert"
                            data-testid="session-expiry-toast"
                            data-reason=if e.reason == LoginEnd::Idle { "idle" } else { "absolute" }
                        >
                            <div class="flex-1">
                                <p class="text-sm font-semibold">{title}</p>
                                <p class="mt-0.5 text-sm opacity-90">{body}</p>
                                {move || failure.get().map(|m| view! { <p class="mt-1 text-sm text-red-700">{m}</p> })}
                                <div class="mt-3">
                                    {if recoverable {
                                        view! {
                                            <button
                                                type="button"
                                                class=format!("{BUTTON} bg-amber-600 text-white hover:bg-amber-500 focus-visible:ring-amber-500")
                                                disabled=move || busy.get()
                                                on:click=stay_signed_in
                                            >
                                                "Stay signed in"
                                            </button>
                                        }
                                            .into_any()
                                    } else {
                                        // A fresh sign-in is the only way on: end this session first.
                                        view! {
                                            <SignOutForm>
                                                <button type="submit" class=format!("{BUTTON} bg-cyan-700 text-white hover:bg-cyan-600 focus-visible:ring-cyan-600")>
                                                    "Sign in now"
                                                </button>
                                            </SignOutForm>
                                        }
                                            .into_any()
                                    }}
                                </div>
                            </div>
                            <DismissButton on_dismiss=move || dismissed.set(e.at) />
                        </div>
                    </div>
                }
            }}
        </Show>
    }
}
