//! AccountSecuritySettingsPage: the owner's session policy and sign-out controls.

mod logins;
mod policy;

use crate::api::loaded::loaded;
use crate::{
    api::security::get_security,
    components::{
        icons::Shield,
        visitor::{use_signed_in, LoadError, RequireUser},
    },
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use logins::LoginsCard;
use policy::PolicyCard;
use vocab::{security::PolicyView, users::Role};

#[component]
pub fn AccountSecurityPage() -> impl IntoView {
    super::prefetch_working_day();
    view! {
        <Title text="Session security" />
        <RequireUser>
            <OwnerOnly />
        </RequireUser>
    }
}

/// The page is the owner's; anyone else goes back to the settings list. (The server refuses
/// them too: every call here answers 403 to a non-owner.)
#[component]
fn OwnerOnly() -> impl IntoView {
    if use_signed_in().user.role == Role::Owner {
        view! { <SecuritySettings /> }.into_any()
    } else {
        view! { <Redirect path="/account" /> }.into_any()
    }
}

#[component]
fn SecuritySettings() -> impl IntoView {
    let data = loaded(|| (), |_| get_security());
    view! {
        <div class="mx-auto w-full max-w-3xl px-4 py-10 sm:px-6">
            <header class="flex items-start gap-4">
                <span class="flex h-12 w-12 shrink-0 items-center justify-center rounded-xl bg-indigo-50 text-indigo-600">
                    <Shield />
                </span>
                <div>
                    <h1 class="text-2xl font-semibold tracking-tight text-slate-900">"Session security"</h1>
                    <p class="mt-1 text-sm text-slate-600">
                        "Decide how long people in your account stay signed in, see who is signed in right now, and sign people out when a device is lost or someone leaves."
                    </p>
                </div>
            </header>
            <Suspense fallback=|| view! { <p class="mt-8 text-sm text-slate-600">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(view) => view! { <Loaded initial=view /> }.into_any(),
                        Err(err) => view! { <LoadError err /> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

/// Both cards read and replace the one policy view the page loaded.
#[component]
fn Loaded(initial: PolicyView) -> impl IntoView {
    let policy = RwSignal::new(initial);
    view! {
        <PolicyCard policy />
        <LoginsCard policy />
    }
}
