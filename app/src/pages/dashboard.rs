use crate::api::loaded::loaded;
use crate::{
    api::sessions::list_sessions,
    components::{
        escalation_queue::EscalationQueue,
        session_sidebar::{SessionSidebar, SessionsResource},
        time::when,
        visitor::{use_signed_in, RequireUser},
    },
};
use leptos::prelude::*;
use leptos_meta::Title;

/// The signed-in home page: the escalation queue, my sessions, and this sign-in's windows.
#[component]
pub fn DashboardPage() -> impl IntoView {
    view! {
        <Title text="Dashboard" />
        <RequireUser>
            <Dashboard />
        </RequireUser>
    }
}

#[component]
fn Dashboard() -> impl IntoView {
    let session = use_signed_in();
    let user = session.user.clone();
    let windows = session.idle_expires_at.zip(session.absolute_expires_at);
    let sessions: SessionsResource = loaded(|| (), |_| list_sessions());
    let nowhere = Memo::new(|_| None);
    view! {
        <div class="mx-auto w-full max-w-7xl px-4 py-8 sm:px-6">
            <h1 class="text-2xl font-semibold tracking-tight text-slate-900" data-testid="greeting">
                {format!("Welcome back, {}", user.first_name())}
            </h1>
            <p class="mt-1 text-sm text-slate-600">
                {format!("Signed in as {} · {}", user.email, user.role)}
            </p>
            <div class="mt-8 grid items-start gap-6 lg:grid-cols-[1fr_20rem]">
                <EscalationQueue />
                <div class="flex flex-col gap-6">
                    <div class="rounded-xl border border-slate-200 bg-slate-50/60 p-4">
                        <SessionSidebar sessions current=nowhere />
                    </div>
                    {windows.map(|(idle, absolute)| view! {
                        <section class="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
                            <h2 class="text-sm font-semibold text-slate-900">"This sign-in"</h2>
                            <dl class="mt-3 grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
                                <dt class="text-slate-600">"Signs out if idle after"</dt>
                                <dd class="text-slate-900" data-testid="idle-expires">{when(idle)}</dd>
                                <dt class="text-slate-600">"Ends at the latest"</dt>
                                <dd class="text-slate-900" data-testid="absolute-expires">{when(absolute)}</dd>
                            </dl>
                        </section>
                    })}
                </div>
            </div>
        </div>
    }
}
