use crate::api::loaded::loaded;
use crate::components::call::Call;
use crate::components::ui::{field_error, input_class, sent_back, PRIMARY_WIDE};
use crate::{
    api::{
        auth::{login, Visitor},
        team::get_sign_in_options,
    },
    components::{
        icons::{Check, Eye, EyeOff, Info, LogoMark},
        sso_buttons::sso_buttons,
        visitor::use_visitor,
    },
};
use leptos::{html, prelude::*};
use leptos_meta::Title;
use leptos_router::{components::Redirect, hooks::use_query_map};
use vocab::{error::ErrorCode, paths::safe_next, team::SsoRefusal};

#[component]
pub fn LoginPage() -> impl IntoView {
    let options = loaded(|| (), |_| get_sign_in_options());
    let query = use_query_map();
    // Where to go once signed in, by whichever way.
    let next = Memo::new(move |_| {
        query.with(|q| {
            q.get("next")
                .map(|n| safe_next(&n).to_owned())
                .unwrap_or_else(|| "/".into())
        })
    });
    let refusal = move || query.with(|q| q.get("reason").and_then(|r| SsoRefusal::parse(&r)));
    view! {
        <Title text="Sign in" />
        <AlreadySignedIn />
        <div class="grid flex-1 lg:grid-cols-2">
            <BrandPanel />
            <section class="flex items-center justify-center px-6 py-12 sm:px-12">
                <div class="w-full max-w-sm">
                    <div class="mb-8">
                        <h1 class="text-2xl font-semibold tracking-tight text-slate-900">
                            "Sign in to ResolutionFlow"
                        </h1>
                        <p class="mt-2 text-sm text-slate-600">
                            "Use the work e-mail your MSP signed you up with."
                        </p>
                    </div>
                    {move || refusal().map(|r| view! {
                        <div class="mb-6 rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-900" role="alert" data-testid="sso-refused">
                            {r.message()}
                        </div>
                    })}
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            options.await.ok().map(|o| sso_buttons(&o.sso_providers, &next.get_untracked(), None))
                        })}
                    </Suspense>
                    <LoginForm next />
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            options.await.ok().filter(|o| o.signup_open).map(|_| view! {
                                <p class="mt-8 text-sm text-slate-600">
                                    "New to ResolutionFlow? "
                                    <a href="/signup" class="font-medium text-indigo-700 hover:text-indigo-600">"Create an account"</a>
                                </p>
                            })
                        })}
                    </Suspense>
                </div>
            </section>
        </div>
    }
}

/// The message for an error code the no-JavaScript form was sent back with.
fn message_for(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::ValidationFailed | ErrorCode::BadRequest => "Enter your e-mail and password.",
        code => code.in_words(),
    }
}

#[component]
fn LoginForm(next: Memo<String>) -> impl IntoView {
    let query = use_query_map();
    // Why this tab was sent here, if it was (docs/API.md §9 for `signed_out`).
    let notice = move || {
        query.with(|q| match q.get("reason").as_deref() {
            Some("session_expired") => Some((
                "session-expired-banner",
                "Your session has expired. Please sign in again to continue.",
            )),
            Some("signed_out") if q.get("by").as_deref() == Some("owner") => Some((
                "signed-out-banner",
                "An owner or admin of your account signed you out of this browser. Sign in again to go on.",
            )),
            Some("signed_out") => Some((
                "signed-out-banner",
                "You were signed out of this browser. Sign in again to go on.",
            )),
            _ => None,
        })
    };

    let error = RwSignal::new(sent_back("error").map(|code| message_for(code).to_owned()));
    let email_error = RwSignal::new(None::<String>);
    let password_error = RwSignal::new(None::<String>);
    let sign_in = Call::new();
    let pending = sign_in.pending();
    let show_password = RwSignal::new(false);
    let email_ref = NodeRef::<html::Input>::new();
    let password_ref = NodeRef::<html::Input>::new();
    let typed = typed_email();
    let again = typed.is_some();

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let email = email_ref.get().map(|el| el.value()).unwrap_or_default();
        let password = password_ref.get().map(|el| el.value()).unwrap_or_default();
        error.set(None);
        email_error.set(None);
        password_error.set(None);
        sign_in.run(async move {
            match login(email, password, false).await {
                Ok(_) => {
                    // A full page load, so the next page renders on the server with the session.
                    let _ = window().location().assign(&next.get_untracked());
                    // Still pending until that page replaces this one: no second submit.
                    std::future::pending::<()>().await;
                }
                Err(err) => {
                    email_error.set(err.field("email").map(str::to_owned));
                    password_error.set(err.field("password").map(str::to_owned));
                    if err.error != ErrorCode::ValidationFailed {
                        error.set(Some(err.message));
                    }
                    // Focus where the fix is: an empty e-mail, else the password (selected, so
                    // typing replaces it). The alert above is read out either way.
                    if email_error.with_untracked(Option::is_some) {
                        if let Some(email) = email_ref.get_untracked() {
                            let _ = email.focus();
                        }
                    } else if let Some(password) = password_ref.get_untracked() {
                        let _ = password.focus();
                        password.select();
                    }
                }
            }
        });
    };

    view! {
        {move || notice().map(|(testid, words)| view! {
            <div class="mb-6 flex gap-3 rounded-lg border border-cyan-200 bg-cyan-50 px-4 py-3 text-sm text-cyan-900" role="status" data-testid=testid>
                <Info />
                <p>{words}</p>
            </div>
        })}
        {move || error.get().map(|message| view! {
            <div class="mb-6 rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-900" role="alert">
                {message}
            </div>
        })}
        <form method="post" action="/login" class="space-y-5" novalidate on:submit=on_submit>
            <input type="hidden" name="next" value=move || next.get() />
            <div>
                <label for="email" class="block text-sm font-medium text-slate-700">"E-mail"</label>
                <input
                    id="email"
                    name="email"
                    type="email"
                    autocomplete="username"
                    required
                    value=typed
                    node_ref=email_ref
                    aria-invalid=move || email_error.with(Option::is_some).to_string()
                    aria-describedby="email-error"
                    class=move || input_class(email_error.with(Option::is_some))
                    placeholder="you@yourmsp.com"
                />
                {field_error("email-error".to_owned(), email_error, None)}
            </div>
            <div>
                <label for="password" class="block text-sm font-medium text-slate-700">"Password"</label>
                <div class="relative">
                    <input
                        id="password"
                        name="password"
                        type=move || if show_password.get() { "text" } else { "password" }
                        autocomplete="current-password"
                        required
                        autofocus=again
                        node_ref=password_ref
                        aria-invalid=move || password_error.with(Option::is_some).to_string()
                        aria-describedby="password-error"
                        class=move || format!("{} pr-11", input_class(password_error.with(Option::is_some)))
                    />
                    <button
                        type="button"
                        class="absolute inset-y-0 right-0 mt-1 flex items-center rounded-md px-3 text-slate-600 hover:text-slate-700 focus:outline-none focus-visible:text-indigo-700 focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-indigo-500"
                        aria-controls="password"
                        aria-pressed=move || show_password.get().to_string()
                        aria-label=move || if show_password.get() { "Hide password" } else { "Show password" }
                        on:click=move |_| show_password.update(|s| *s = !*s)
                    >
                        {move || if show_password.get() { view! { <EyeOff /> }.into_any() } else { view! { <Eye /> }.into_any() }}
                    </button>
                </div>
                {field_error("password-error".to_owned(), password_error, None)}
                // After the password in the tab order: e-mail, password, then the way out.
                <p class="mt-2 text-right">
                    <a href="/forgot-password" class="rounded text-sm font-medium text-indigo-700 hover:text-indigo-600 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500">"Forgot password?"</a>
                </p>
            </div>
            <button
                type="submit"
                disabled=move || pending.get()
                class=PRIMARY_WIDE
            >
                {move || if pending.get() { "Signing in…" } else { "Sign in" }}
            </button>
        </form>
    }
}

/// The e-mail a sign-in without JavaScript was tried with before it failed (docs/API.md §3),
/// which the server renders back into the form. Only the server knows it: the hydrated page
/// leaves the field's value as the server rendered it.
#[cfg(feature = "ssr")]
fn typed_email() -> Option<String> {
    let state = use_context::<domain::state::AppState>()?;
    let parts = use_context::<axum::http::request::Parts>()?;
    domain::auth::forms::typed_email(&state, &parts.headers)
}

#[cfg(not(feature = "ssr"))]
fn typed_email() -> Option<String> {
    None
}

/// Sends a visitor who is already signed in on to where they were going.
#[component]
fn AlreadySignedIn() -> impl IntoView {
    let session = use_visitor();
    let query = use_query_map();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match session.await {
                    Ok(Visitor { signed_in: Some(_), .. }) => {
                        let next = query.with_untracked(|q| q.get("next").map(|n| safe_next(&n).to_owned()));
                        view! { <Redirect path=next.unwrap_or_else(|| "/".into()) /> }.into_any()
                    }
                    _ => ().into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn BrandPanel() -> impl IntoView {
    let points = [
        "Escalations reach every senior the moment they are raised.",
        "One click to pick up, with the whole troubleshooting trail attached.",
        "Sessions that end when your security policy says so.",
    ];
    view! {
        <aside class="relative hidden overflow-hidden bg-slate-900 lg:flex lg:flex-col lg:justify-between lg:p-12">
            <div class="absolute inset-0 bg-[radial-gradient(circle_at_20%_20%,rgba(99,102,241,0.35),transparent_55%),radial-gradient(circle_at_80%_80%,rgba(34,211,238,0.18),transparent_50%)]" />
            <div class="relative flex items-center gap-3 text-white">
                <LogoMark class="h-9 w-9" />
                <span class="text-lg font-semibold tracking-tight">"ResolutionFlow"</span>
            </div>
            <div class="relative max-w-md">
                <h2 class="text-3xl font-semibold leading-tight tracking-tight text-white">
                    "Fix it once. Hand it off cleanly."
                </h2>
                <p class="mt-4 text-slate-300">
                    "The troubleshooting workspace for engineers at managed service providers."
                </p>
                <ul class="mt-8 space-y-4">
                    {points
                        .into_iter()
                        .map(|p| {
                            view! {
                                <li class="flex gap-3 text-sm text-slate-200">
                                    <span class="mt-0.5 text-cyan-300"><Check /></span>
                                    <span>{p}</span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </div>
            <p class="relative text-xs text-slate-400">"Built for the people who fix other companies' IT."</p>
        </aside>
    }
}
