//! `/invite?token=…`: who invited you to which account and as what, then single sign-on or a
//! name and a password to join with.

use crate::api::loaded::loaded;
use crate::{
    api::team::{accept_invitation, get_sign_in_options, look_up_invitation},
    components::{
        auth_card::{field_message, AuthCard, TextField},
        call::Call,
        icons::Info,
        sso_buttons::sso_buttons,
        time::when,
        ui::{error_note, PRIMARY_WIDE},
    },
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use vocab::{
    error::{ApiError, ErrorCode},
    team::{InvitationView, SsoProvider},
};

#[component]
pub fn InvitePage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let found = loaded(token, look_up_invitation);
    let options = loaded(|| (), |_| get_sign_in_options());
    view! {
        <Title text="Join your team" />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match found.await {
                    Ok(view) => {
                        let providers = options.await.map(|o| o.sso_providers).unwrap_or_default();
                        view! { <Accept view token=token() providers /> }.into_any()
                    }
                    Err(err) => view! { <Unusable err /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A link that can't be used any more, said plainly (with HTTP 404).
#[component]
fn Unusable(err: ApiError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    let message = if err.error == ErrorCode::NotFound {
        "This invitation has expired, was revoked, or was already used. Ask whoever invited you to send a new one.".to_owned()
    } else {
        err.message
    };
    view! {
        <AuthCard title="This invitation can't be used" intro="Invitation links work once, for 7 days.">
            <div class="flex gap-3 rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900" role="alert" data-testid="invitation-unusable">
                <Info />
                <p>{message}</p>
            </div>
        </AuthCard>
    }
}

#[component]
fn Accept(view: InvitationView, token: String, providers: Vec<SsoProvider>) -> impl IntoView {
    let sso = sso_buttons(&providers, "/", Some(&token));
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let join = Call::new();
    let busy = join.pending();
    let token = StoredValue::new(token);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        error.set(None);
        let (n, p) = (name.get_untracked(), password.get_untracked());
        join.run(async move {
            match accept_invitation(token.get_value(), n, p).await {
                Ok(_) => {
                    let _ = window().location().assign("/");
                    std::future::pending::<()>().await;
                }
                Err(err) => error.set(Some(err)),
            }
        });
    };
    let general = Signal::derive(move || {
        error.with(|e| {
            let e = e.as_ref()?;
            match e.error {
                ErrorCode::NotFound => {
                    Some("This invitation can no longer be used. Ask for a new one.".to_owned())
                }
                ErrorCode::ValidationFailed => e.field("token").map(str::to_owned),
                _ => Some(e.message.clone()),
            }
        })
    });
    let intro = format!(
        "{} invited you to join {} on ResolutionFlow as {}.",
        view.invited_by_name,
        view.account_name,
        view.role.with_article()
    );
    view! {
        <AuthCard title="Join your team" intro>
            <dl class="mb-6 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 rounded-lg border border-slate-200 bg-white px-4 py-3 text-sm" data-testid="invitation">
                <dt class="text-slate-600">"Account"</dt>
                <dd class="font-medium text-slate-900">{view.account_name.clone()}</dd>
                <dt class="text-slate-600">"E-mail"</dt>
                <dd class="break-all text-slate-900">{view.email.clone()}</dd>
                <dt class="text-slate-600">"Role"</dt>
                <dd class="text-slate-900">{view.role.to_string()}</dd>
                <dt class="text-slate-600">"Link works until"</dt>
                <dd class="text-slate-900">{when(view.expires_at)}</dd>
            </dl>
            {sso}
            <form class="space-y-5" on:submit=submit on:input=move |_| error.set(None) novalidate>
                <TextField id="name" label="Your name" value=name error=field_message(error, "name") autocomplete="name" />
                <TextField id="password" label="Choose a password" value=password error=field_message(error, "password") kind="password" autocomplete="new-password" hint="At least 12 characters." />
                {error_note(general, "")}
                <button type="submit" class=PRIMARY_WIDE disabled=move || busy.get()>
                    {move || if busy.get() { "Joining…" } else { "Join the team" }}
                </button>
            </form>
        </AuthCard>
    }
}
