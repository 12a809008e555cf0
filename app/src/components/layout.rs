//! The frame of every page: the top bar, the main area and the toast region.

use super::{
    escalation_feed::provide_escalation_feed,
    icons::LogoMark,
    login_channel::{provide_login_channel, LoginEvent},
    login_expiry_toast::LoginExpiryToast,
    menu::provide_menu_behaviour,
    notification_bell::NotificationBell,
    presence::provide_presence,
    sign_out::SignOutForm,
    time::provide_clock,
    toast::{provide_toasts, ToastRegion},
    ui::provide_hydrated,
    visitor::{provide_visitor, use_api, use_visitor},
};
use crate::api::loaded::loaded;
use crate::api::{
    auth::{logout, Visitor},
    notifications::list_notifications,
};
use leptos::prelude::*;
use vocab::users::User;

#[component]
pub fn AppLayout(children: Children) -> impl IntoView {
    let toasts = provide_toasts();
    provide_menu_behaviour();
    provide_hydrated();
    provide_clock();
    let (visitor, windows) = provide_visitor();
    // Another tab refreshed: adopt its windows. Another tab signed out or revoked: follow it.
    provide_login_channel(move |event| match event {
        LoginEvent::Refreshed {
            idle_expires_at,
            absolute_expires_at,
        } => windows.0.set(Some((idle_expires_at, absolute_expires_at))),
        // Signing out is idempotent: doing it here too means this tab never reaches the sign-in
        // page while the cookie jar still holds the old login.
        LoginEvent::Ended => leptos::task::spawn_local(async {
            let _ = logout().await;
            let _ = window().location().assign("/login");
        }),
    });
    // One live escalation stream per tab, for the people who work the queue.
    let feed = provide_escalation_feed();
    provide_presence(feed);
    let api = use_api();
    Effect::new(move |_| {
        if let Some(Ok(Visitor {
            signed_in: Some(view),
            plan_lapsed: false,
            ..
        })) = visitor.get()
        {
            if view.user.role.can_work() {
                feed.connect(api);
            }
        }
    });
    view! {
        <div class="flex min-h-full flex-col">
            <TopBar />
            <LoginExpiryToast />
            <main class="flex flex-1 flex-col">{children()}</main>
            <ToastRegion toasts />
        </div>
    }
}

#[component]
fn TopBar() -> impl IntoView {
    let visitor = use_visitor();
    // Loaded beside the visitor and awaited in the same place: one suspense for the whole
    // signed-in corner (nesting another one here would not hydrate).
    let notifications = loaded(|| (), |_| list_notifications());
    view! {
        <header class="sticky top-0 z-40 border-b border-slate-200 bg-white/90 backdrop-blur">
            <div class="mx-auto flex h-14 max-w-7xl items-center justify-between px-4 sm:px-6">
                // On a phone the mark alone, so the header's links fit beside it.
                <a href="/" class="flex items-center gap-2.5 font-semibold tracking-tight text-slate-900" aria-label="ResolutionFlow">
                    <LogoMark class="h-7 w-7" />
                    <span class="hidden sm:inline">"ResolutionFlow"</span>
                </a>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        match visitor.await {
                            Ok(Visitor { signed_in: Some(view), .. }) => {
                                let bell = notifications.await.ok();
                                view! {
                                    <div class="flex items-center gap-2">
                                        <a href="/kb" class="rounded-md px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-100">
                                            "Knowledge base"
                                        </a>
                                        {bell.map(|initial| view! { <NotificationBell initial /> })}
                                        <UserMenu user=view.user />
                                    </div>
                                }
                                    .into_any()
                            }
                            _ => ().into_any(),
                        }
                    })}
                </Suspense>
            </div>
        </header>
    }
}

/// "Jane Junior" → "JJ", for avatars.
pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .collect::<String>()
        .to_uppercase()
}

/// The signed-in user's menu. A `<details>` element, so it opens and signs out without
/// JavaScript too.
#[component]
fn UserMenu(user: User) -> impl IntoView {
    view! {
        <details class="group relative" data-menu data-testid="user-menu">
            <summary class="flex cursor-pointer list-none items-center gap-2 rounded-full py-1 pl-1 pr-3 text-sm text-slate-700 hover:bg-slate-100 [&::-webkit-details-marker]:hidden">
                <span class="flex h-8 w-8 items-center justify-center rounded-full bg-indigo-100 text-xs font-semibold text-indigo-700">
                    {initials(&user.name)}
                </span>
                <span class="hidden font-medium sm:inline">{user.name.clone()}</span>
                <svg class="h-4 w-4 text-slate-400 transition group-open:rotate-180" viewBox="0 0 20 20" fill="currentColor" aria-hidden="true">
                    <path fill-rule="evenodd" d="M5.2 7.2a.75.75 0 0 1 1.06 0L10 10.94l3.74-3.74a.75.75 0 1 1 1.06 1.06l-4.27 4.27a.75.75 0 0 1-1.06 0L5.2 8.26a.75.75 0 0 1 0-1.06z" clip-rule="evenodd" />
                </svg>
            </summary>
            <div class="absolute right-0 mt-2 w-64 overflow-hidden rounded-lg border border-slate-200 bg-white shadow-lg">
                <div class="border-b border-slate-100 px-4 py-3">
                    <p class="truncate text-sm font-medium text-slate-900">{user.name.clone()}</p>
                    <p class="truncate text-xs text-slate-600">{user.email.clone()}</p>
                    <p class="mt-1 inline-flex rounded bg-slate-100 px-1.5 py-0.5 text-[11px] font-medium text-slate-600">
                        {user.role.to_string()}
                    </p>
                </div>
                <a href="/account" class="block px-4 py-2.5 text-sm text-slate-700 hover:bg-slate-50">
                    "Account settings"
                </a>
                <SignOutForm>
                    <button type="submit" class="block w-full px-4 py-2.5 text-left text-sm text-slate-700 hover:bg-slate-50">
                        "Sign out"
                    </button>
                </SignOutForm>
            </div>
        </details>
    }
}
