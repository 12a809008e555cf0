//! `/signup` (a new account and its owner; closed unless the server opens it) and
//! `/verify-email?token=…` (confirm the owner's address).

use crate::api::loaded::loaded;
use crate::{
    api::team::{get_sign_in_options, sign_up, verify_email},
    components::{
        auth_card::{field_message, AuthCard, TextField},
        call::Call,
        icons::Info,
        ui::{error_note, PRIMARY_WIDE},
    },
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use vocab::error::{ApiError, ErrorCode};

/// Where a new owner goes first: to bring their team in.
const AFTER_SIGN_UP: &str = "/account/members";

#[component]
pub fn SignUpPage() -> impl IntoView {
    let options = loaded(|| (), |_| get_sign_in_options());
    view! {
        <Title text="Create your account" />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match options.await {
                    Ok(o) if o.signup_open => view! { <SignUpForm /> }.into_any(),
                    _ => view! { <SignUpClosed /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// What `/signup` shows (with HTTP 403) while sign-up is closed.
#[component]
fn SignUpClosed() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(axum::http::StatusCode::FORBIDDEN);
    }
    view! {
        <AuthCard title="Sign-up is closed" intro="New accounts aren't being created on this server.">
            <div class="flex gap-3 rounded-lg border border-cyan-200 bg-cyan-50 px-4 py-3 text-sm text-cyan-900" role="status" data-testid="signup-closed">
                <Info />
                <p>"To join your MSP's account, ask its owner or an admin to invite you: the invitation comes by e-mail."</p>
            </div>
        </AuthCard>
    }
}

#[component]
fn SignUpForm() -> impl IntoView {
    let account_name = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let create = Call::new();
    let busy = create.pending();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        error.set(None);
        let (a, n, e, p) = (
            account_name.get_untracked(),
            name.get_untracked(),
            email.get_untracked(),
            password.get_untracked(),
        );
        create.run(async move {
            match sign_up(a, n, e, p).await {
                Ok(_) => {
                    // A full page load, so the next page renders on the server signed in.
                    let _ = window().location().assign(AFTER_SIGN_UP);
                    std::future::pending::<()>().await;
                }
                Err(err) => error.set(Some(err)),
            }
        });
    };
    let general = Signal::derive(move || {
        error.with(|e| {
            e.as_ref()
                .filter(|e| e.error != ErrorCode::ValidationFailed)
                .map(|e| e.message.clone())
        })
    });
    view! {
        <AuthCard title="Create your account" intro="Your MSP's own space on ResolutionFlow. You'll be its owner, and can invite your team next. The free plan needs no card.">
            <form class="space-y-5" on:submit=submit on:input=move |_| error.set(None) novalidate>
                <TextField id="account-name" label="Company name" value=account_name error=field_message(error, "account_name") autocomplete="organization" />
                <TextField id="name" label="Your name" value=name error=field_message(error, "name") autocomplete="name" />
                <TextField id="email" label="Work e-mail" value=email error=field_message(error, "email") kind="email" autocomplete="email" />
                <TextField id="password" label="Password" value=password error=field_message(error, "password") kind="password" autocomplete="new-password" hint="At least 12 characters." />
                {error_note(general, "")}
                <button type="submit" class=PRIMARY_WIDE disabled=move || busy.get()>
                    {move || if busy.get() { "Creating…" } else { "Create the account" }}
                </button>
            </form>
        </AuthCard>
    }
}

/// Confirms an address with a button rather than on opening the link: a mail scanner that
/// opens every link must not use it up.
#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let done = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let verify = Call::new();
    let busy = verify.pending();
    let confirm = move |_| {
        let token = token();
        verify.run(async move {
            match verify_email(token).await {
                Ok(_) => done.set(true),
                Err(err) if err.error == ErrorCode::NotFound => error.set(Some(
                    "This link has expired or was already used.".to_owned(),
                )),
                Err(err) => error.set(Some(err.message)),
            }
        });
    };
    view! {
        <Title text="Confirm your e-mail" />
        <AuthCard title="Confirm your e-mail" intro="One click tells us this address is yours.">
            <Show
                when=move || done.get()
                fallback=move || view! {
                    <div class="space-y-4">
                        {error_note(error, "")}
                        <button type="button" class=PRIMARY_WIDE disabled=move || busy.get() on:click=confirm>
                            {move || if busy.get() { "Confirming…" } else { "Confirm my e-mail" }}
                        </button>
                    </div>
                }
            >
                <div class="rounded-lg border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-900" role="status" data-testid="email-verified">
                    <p>"Your e-mail is confirmed."</p>
                    <a href="/" class="mt-2 inline-block font-semibold text-emerald-800 underline">"Go to ResolutionFlow"</a>
                </div>
            </Show>
        </AuthCard>
    }
}
