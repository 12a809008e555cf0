use crate::components::{
    icons::{ChevronRight, People, Shield},
    visitor::{use_signed_in, RequireUser},
};
use leptos::prelude::*;
use leptos_meta::Title;
use vocab::users::Role;

/// `/account`: the settings list. Owners see the session security row; nobody else does.
#[component]
pub fn AccountSettingsPage() -> impl IntoView {
    super::prefetch_working_day();
    view! {
        <Title text="Account settings" />
        <RequireUser>
            <AccountSettings />
        </RequireUser>
    }
}

#[component]
fn AccountSettings() -> impl IntoView {
    let user = use_signed_in().user;
    let is_owner = user.role == Role::Owner;
    let manages_team = user.role.manages_team();
    view! {
        <div class="mx-auto w-full max-w-3xl px-4 py-10 sm:px-6">
            <h1 class="text-2xl font-semibold tracking-tight text-slate-900">"Account settings"</h1>
            <p class="mt-1 text-sm text-slate-600">"Your profile and, for owners and admins, how your team's account is run."</p>

            <section class="mt-8 overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm">
                <div class="px-5 py-4">
                    <h2 class="text-sm font-semibold text-slate-900">"Profile"</h2>
                    <dl class="mt-3 grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
                        <dt class="text-slate-600">"Name"</dt>
                        <dd class="text-slate-900">{user.name.clone()}</dd>
                        <dt class="text-slate-600">"E-mail"</dt>
                        <dd class="text-slate-900">{user.email.clone()}</dd>
                        <dt class="text-slate-600">"Role"</dt>
                        <dd class="text-slate-900">{user.role.to_string()}</dd>
                    </dl>
                </div>
                {manages_team.then(|| view! {
                    <a
                        href="/account/members"
                        class="flex items-center gap-4 border-t border-slate-100 px-5 py-4 hover:bg-slate-50"
                        data-testid="members-row"
                    >
                        <span class="flex h-10 w-10 items-center justify-center rounded-lg bg-indigo-50 text-indigo-600">
                            <People />
                        </span>
                        <span class="flex-1">
                            <span class="block text-sm font-medium text-slate-900">"Members"</span>
                            <span class="block text-sm text-slate-600">
                                "Invite your team, change roles, and deactivate leavers."
                            </span>
                        </span>
                        <ChevronRight />
                    </a>
                })}
                {is_owner.then(|| view! {
                    <a
                        href="/account/security"
                        class="flex items-center gap-4 border-t border-slate-100 px-5 py-4 hover:bg-slate-50"
                        data-testid="session-security-row"
                    >
                        <span class="flex h-10 w-10 items-center justify-center rounded-lg bg-indigo-50 text-indigo-600">
                            <Shield class="h-5 w-5" />
                        </span>
                        <span class="flex-1">
                            <span class="block text-sm font-medium text-slate-900">"Session security"</span>
                            <span class="block text-sm text-slate-600">
                                "How long people stay signed in, and who is signed in now."
                            </span>
                        </span>
                        <ChevronRight />
                    </a>
                })}
            </section>
        </div>
    }
}
