//! `/forgot-password` (ask for a reset link) and `/reset-password?token=…` (set a new
//! password with it).

use crate::components::call::Call;
use crate::components::ui::{error_note, input_class, PRIMARY_WIDE};
use crate::{
    api::auth::{forgot_password, reset_password},
    components::{
        auth_card::{field_message, AuthCard, TextField},
        icons::Info,
    },
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use vocab::error::{ApiError, ErrorCode};

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let email = RwSignal::new(String::new());
    // `?sent`: the form was posted without JavaScript (`POST /forgot-password`) and came back.
    let sent = RwSignal::new(use_query_map().with_untracked(|q| q.get("sent").is_some()));
    let send = Call::new();
    let busy = send.pending();
    let error = RwSignal::new(None::<ApiError>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let address = email.get_untracked();
        send.run(async move {
            match forgot_password(address).await {
                Ok(_) => sent.set(true),
                Err(err) => error.set(Some(err)),
            }
        });
    };
    view! {
        <Title text="Reset your password" />
        <AuthCard title="Reset your password" intro="Enter the e-mail you sign in with and we'll send you a link to set a new password.">
            <Show
                when=move || sent.get()
                fallback=move || view! {
                    <form method="post" action="/forgot-password" class="space-y-5" on:submit=submit>
                        <div>
                            <label for="email" class="block text-sm font-medium text-slate-700">"E-mail"</label>
                            <input
                                id="email"
                                name="email"
                                type="email"
                                autocomplete="username"
                                required
                                class=input_class(false)
                                prop:value=move || email.get()
                                on:input=move |ev| email.set(event_target_value(&ev))
                            />
                        </div>
                        {move || error.get().map(|e| view! { <p class="text-sm text-red-700" role="alert">{e.user_message()}</p> })}
                        <button type="submit" class=PRIMARY_WIDE disabled=move || busy.get()>
                            {move || if busy.get() { "Sending…" } else { "Send the link" }}
                        </button>
                    </form>
                }
            >
                <div class="flex gap-3 rounded-lg border border-cyan-200 bg-cyan-50 px-4 py-3 text-sm text-cyan-900" role="status" data-testid="reset-sent">
                    <Info />
                    <p>"If an account uses that e-mail, a reset link is on its way. It works once, for an hour."</p>
                </div>
            </Show>
        </AuthCard>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let done = RwSignal::new(false);
    let reset = Call::new();
    let busy = reset.pending();
    let error = RwSignal::new(None::<ApiError>);
    let mismatch = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (new, again) = (password.get_untracked(), confirm.get_untracked());
        mismatch.set(new != again);
        if new != again {
            return;
        }
        let token = token();
        error.set(None);
        reset.run(async move {
            match reset_password(token, new).await {
                Ok(_) => done.set(true),
                Err(err) => error.set(Some(err)),
            }
        });
    };

    // Shown above the button: a link that can't be used, or anything unexpected.
    let general_error = move || {
        error.with(|e| {
            let e = e.as_ref()?;
            if e.error == ErrorCode::ValidationFailed {
                e.field("token").map(str::to_owned)
            } else {
                Some(e.message.clone())
            }
        })
    };
    view! {
        <Title text="Set a new password" />
        <AuthCard title="Set a new password" intro="Choose a password of at least 12 characters. Every device signed in to your account will be signed out.">
            <Show
                when=move || done.get()
                fallback=move || view! {
                    <form class="space-y-5" on:submit=submit on:input=move |_| error.set(None)>
                        <TextField
                            id="new-password"
                            label="New password"
                            value=password
                            error=field_message(error, "password")
                            kind="password"
                            autocomplete="new-password"
                        />
                        <TextField
                            id="confirm-password"
                            label="Type it again"
                            value=confirm
                            error=Signal::derive(move || mismatch.get().then(|| "The two passwords don't match.".to_owned()))
                            kind="password"
                            autocomplete="new-password"
                        />
                        {error_note(Signal::derive(general_error), "")}
                        <button type="submit" class=PRIMARY_WIDE disabled=move || busy.get()>
                            {move || if busy.get() { "Saving…" } else { "Set the password" }}
                        </button>
                    </form>
                }
            >
                <div class="rounded-lg border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-900" role="status" data-testid="reset-done">
                    <p>"Your password is set, and every device was signed out."</p>
                    <a href="/login" class="mt-2 inline-block font-semibold text-emerald-800 underline">"Sign in with it"</a>
                </div>
            </Show>
        </AuthCard>
    }
}
