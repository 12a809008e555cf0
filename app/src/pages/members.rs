//! `/account/members` (owners and admins): invite by e-mail with a role, the open invitations,
//! and everyone in the account with their role, status, last sign-in and how they sign in;
//! change a role, deactivate, reactivate. What each control offers is what `vocab::team`
//! allows, and the server checks the same rules again.

use crate::api::loaded::loaded;
use crate::{
    api::team::{deactivate, invite, list_members, reactivate, revoke_invitation, update_role},
    components::{
        auth_card::field_message,
        call::Call,
        confirm_modal::ConfirmModal,
        icons::Plus,
        time::{ago, when},
        toast::{use_toasts, Toasts, Tone},
        ui::{field_error, input_class, PRIMARY, SECONDARY_SMALL},
        visitor::{use_signed_in, LoadError, RequireUser},
    },
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use vocab::{
    error::ApiError,
    team::{Invitation, Member, MemberStatus, Team},
    users::Role,
};

#[component]
pub fn MembersPage() -> impl IntoView {
    super::prefetch_working_day();
    view! {
        <Title text="Members" />
        <RequireUser>
            <ManagersOnly />
        </RequireUser>
    }
}

/// The page is for owners and admins; anyone else goes back to the settings list. (The server
/// refuses them too: every call here answers 403.)
#[component]
fn ManagersOnly() -> impl IntoView {
    let me = use_signed_in().user;
    if me.role.manages_team() {
        view! { <Members me=me.role /> }.into_any()
    } else {
        view! { <Redirect path="/account" /> }.into_any()
    }
}

#[component]
fn Members(me: Role) -> impl IntoView {
    let data = loaded(|| (), |_| list_members());
    view! {
        <div class="mx-auto w-full max-w-4xl px-4 py-10 sm:px-6">
            <a href="/account" class="text-sm font-medium text-indigo-700 hover:text-indigo-600">"← Account settings"</a>
            <h1 class="mt-3 text-2xl font-semibold tracking-tight text-slate-900">"Members"</h1>
            <p class="mt-1 text-sm text-slate-600">
                "Bring your engineers in, choose what each of them can do, and take leavers out: a deactivated member is signed out at once and keeps everything they wrote."
            </p>
            <Suspense fallback=|| view! { <p class="mt-8 text-sm text-slate-600">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(team) => view! { <Loaded initial=team me /> }.into_any(),
                        Err(err) => view! { <LoadError err /> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

/// The page's calls, each followed by the list read again.
#[derive(Clone, Copy)]
struct Changes {
    team: RwSignal<Team>,
    toasts: Toasts,
    call: Call,
    me: Role,
}

impl Changes {
    fn run(
        self,
        done: impl Fn() -> String + 'static,
        change: impl std::future::Future<Output = Result<(), ApiError>> + 'static,
    ) {
        self.call.run(async move {
            match change.await {
                Ok(()) => {
                    self.toasts.push(Tone::Success, done());
                    if let Ok(fresh) = list_members().await {
                        self.team.set(fresh);
                    }
                }
                Err(err) => self.toasts.push(Tone::Danger, err.user_message()),
            }
        });
    }
}

#[component]
fn Loaded(initial: Team, me: Role) -> impl IntoView {
    let changes = Changes {
        team: RwSignal::new(initial),
        toasts: use_toasts(),
        call: Call::new(),
        me,
    };
    let team = changes.team;
    // The member whose deactivation is being confirmed.
    let confirming = RwSignal::new(None::<Member>);
    let on_deactivate = move |member: Member| confirming.set(Some(member));
    view! {
        <InviteCard changes />
        <Show when=move || team.with(|t| !t.invitations.is_empty())>
            <section class="mt-6 rounded-xl border border-slate-200 bg-white shadow-sm" data-testid="invitations">
                <h2 class="px-5 pt-4 text-base font-semibold text-slate-900">"Waiting to join"</h2>
                <ul class="mt-2 divide-y divide-slate-100">
                    {move || team.get().invitations.into_iter().map(|i| invitation_row(i, changes)).collect_view()}
                </ul>
            </section>
        </Show>
        <section class="mt-6 rounded-xl border border-slate-200 bg-white shadow-sm" data-testid="members">
            <h2 class="px-5 pt-4 text-base font-semibold text-slate-900">
                {move || team.with(|t| {
                    let active = t.members.iter().filter(|m| m.status == MemberStatus::Active).count();
                    format!("{active} active member{}", if active == 1 { "" } else { "s" })
                })}
            </h2>
            <ul class="mt-2 divide-y divide-slate-100">
                {move || team.get().members.into_iter().map(|m| member_row(m, changes, on_deactivate)).collect_view()}
            </ul>
        </section>
        {move || confirming.get().map(|member| {
            let (id, name) = (member.user_id, member.name.clone());
            view! {
                <ConfirmModal
                    title=format!("Deactivate {}?", member.name)
                    body="They are signed out of every device now and can't sign in again until you reactivate them. Escalations they picked up go back to the queue; their sessions and messages stay."
                    confirm="Deactivate"
                    test_id="deactivate-dialog"
                    pending=changes.call.pending()
                    on_confirm=move || {
                        confirming.set(None);
                        let name = name.clone();
                        changes.run(move || format!("{name} was deactivated and signed out."), async move {
                            deactivate(id).await.map(|_| ())
                        });
                    }
                    on_cancel=move || confirming.set(None)
                />
            }
        })}
    }
}

/// The roles `me` may give a new member, most junior first (the select's default).
fn invitable(me: Role) -> Vec<Role> {
    [Role::Engineer, Role::Viewer, Role::Admin, Role::Owner]
        .into_iter()
        .filter(|r| me.can_invite(*r))
        .collect()
}

#[component]
fn InviteCard(changes: Changes) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Engineer);
    let error = RwSignal::new(None::<ApiError>);
    let sending = Call::new();
    let busy = sending.pending();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        error.set(None);
        let (address, as_role) = (email.get_untracked(), role.get_untracked());
        sending.run(async move {
            match invite(address, as_role.as_str().to_owned()).await {
                Ok(sent) => {
                    email.set(String::new());
                    changes
                        .toasts
                        .push(Tone::Success, format!("Invitation sent to {}.", sent.email));
                    if let Ok(fresh) = list_members().await {
                        changes.team.set(fresh);
                    }
                }
                Err(err) => error.set(Some(err)),
            }
        });
    };
    let email_error = field_message(error, "email");
    let other_error = Signal::derive(move || {
        error.with(|e| {
            let e = e.as_ref()?;
            e.field("email").is_none().then(|| e.user_message())
        })
    });
    view! {
        <section class="mt-8 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
            <h2 class="text-base font-semibold text-slate-900">"Invite someone"</h2>
            <p class="mt-1 text-sm text-slate-600">"They get a link by e-mail that works once, for 7 days."</p>
            <form class="mt-4 flex flex-col gap-3 sm:flex-row sm:items-start" on:submit=submit novalidate>
                <div class="flex-1">
                    <label for="invite-email" class="sr-only">"E-mail"</label>
                    <input
                        id="invite-email"
                        type="email"
                        autocomplete="off"
                        placeholder="name@yourmsp.com"
                        class=move || input_class(email_error.with(Option::is_some))
                        aria-invalid=move || email_error.with(Option::is_some).to_string()
                        aria-describedby="invite-email-error"
                        prop:value=move || email.get()
                        on:input=move |ev| email.set(event_target_value(&ev))
                    />
                    {field_error("invite-email-error".to_owned(), email_error, None)}
                </div>
                <div>
                    <label for="invite-role" class="sr-only">"Role"</label>
                    <select
                        id="invite-role"
                        class="mt-1.5 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30 sm:w-40"
                        on:change=move |ev| {
                            if let Some(r) = Role::parse(&event_target_value(&ev)) {
                                role.set(r);
                            }
                        }
                    >
                        {invitable(changes.me).into_iter().map(|r| view! {
                            <option value=r.as_str() selected=r == Role::Engineer>{r.to_string()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class=format!("{PRIMARY} mt-1.5 inline-flex items-center justify-center gap-1.5") disabled=move || busy.get()>
                    <Plus />
                    {move || if busy.get() { "Sending…" } else { "Invite" }}
                </button>
            </form>
            {move || other_error.get().map(|m| view! { <p class="mt-2 text-sm text-red-700" role="alert">{m}</p> })}
        </section>
    }
}

fn invitation_row(invitation: Invitation, changes: Changes) -> impl IntoView {
    let id = invitation.invitation_id;
    let email = invitation.email.clone();
    let can_revoke = changes.me.can_invite(invitation.role);
    view! {
        <li class="flex flex-col gap-2 px-5 py-3 sm:flex-row sm:items-center sm:justify-between" data-testid="invitation-row">
            <div class="min-w-0">
                <p class="truncate text-sm font-medium text-slate-900">{invitation.email.clone()}</p>
                <p class="text-sm text-slate-600">
                    {format!("{} · invited by {} · until ", invitation.role, invitation.invited_by.name)}
                    {when(invitation.expires_at)}
                </p>
            </div>
            {can_revoke.then(|| view! {
                <button
                    type="button"
                    class=SECONDARY_SMALL
                    aria-label=format!("Revoke the invitation to {email}")
                    on:click=move |_| {
                        let email = email.clone();
                        changes.run(move || format!("The invitation to {email} was revoked."), async move {
                            revoke_invitation(id).await.map(|_| ())
                        });
                    }
                >
                    "Revoke"
                </button>
            })}
        </li>
    }
}

fn sign_in_methods(member: &Member) -> String {
    let password = member.has_password.then_some("Password");
    let providers = member.sso_providers.iter().map(|p| p.label());
    let methods: Vec<&str> = password.into_iter().chain(providers).collect();
    if methods.is_empty() {
        "No way to sign in yet".to_owned()
    } else {
        methods.join(", ")
    }
}

fn member_row(
    member: Member,
    changes: Changes,
    on_deactivate: impl Fn(Member) + Copy + 'static,
) -> impl IntoView {
    let me = changes.me;
    let active = member.status == MemberStatus::Active;
    let roles: Vec<Role> = Role::ALL
        .iter()
        .copied()
        .filter(|r| *r == member.role || me.can_change_role(member.role, *r))
        .collect();
    let can_change = !member.is_you && roles.len() > 1;
    let can_deactivate = !member.is_you && me.can_deactivate(member.role);
    let last = match member.last_login_at {
        Some(at) => view! { "Signed in " {ago(at)} }.into_any(),
        None => "Never signed in".into_any(),
    };
    let (id, name) = (member.user_id, member.name.clone());
    let select_id = format!("role-{id}");
    view! {
        <li class="flex flex-col gap-3 px-5 py-4 sm:flex-row sm:items-center" data-testid="member-row" data-email=member.email.clone()>
            <div class="min-w-0 flex-1">
                <p class="flex flex-wrap items-center gap-2 text-sm font-medium text-slate-900">
                    <span class="truncate">{member.name.clone()}</span>
                    {member.is_you.then(|| view! { <span class="rounded-full bg-indigo-50 px-2 py-0.5 text-xs font-medium text-indigo-700">"You"</span> })}
                    {(!active).then(|| view! { <span class="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-600" data-testid="deactivated-badge">"Deactivated"</span> })}
                </p>
                <p class="truncate text-sm text-slate-600">{member.email.clone()}</p>
                <p class="text-xs text-slate-600">{last}{format!(" · {}", sign_in_methods(&member))}</p>
            </div>
            <div class="flex items-center gap-3">
                {if can_change && active {
                    let name = name.clone();
                    view! {
                        <label for=select_id.clone() class="sr-only">{format!("Role of {}", member.name)}</label>
                        <select
                            id=select_id
                            class="rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30"
                            disabled=move || changes.call.pending().get()
                            on:change=move |ev| {
                                let Some(role) = Role::parse(&event_target_value(&ev)) else { return };
                                let name = name.clone();
                                changes.run(move || format!("{name} is now {}.", role.with_article()), async move {
                                    update_role(id, role.as_str().to_owned()).await.map(|_| ())
                                });
                            }
                        >
                            {roles.into_iter().map(|r| view! {
                                <option value=r.as_str() selected=r == member.role>{r.to_string()}</option>
                            }).collect_view()}
                        </select>
                    }.into_any()
                } else {
                    view! { <span class="w-24 text-sm text-slate-700">{member.role.to_string()}</span> }.into_any()
                }}
                {can_deactivate.then(|| if active {
                    let member = member.clone();
                    view! {
                        <button type="button" class="rounded-md border border-red-200 bg-white px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-500" on:click=move |_| on_deactivate(member.clone())>
                            "Deactivate"
                        </button>
                    }.into_any()
                } else {
                    view! {
                        <button
                            type="button"
                            class=SECONDARY_SMALL
                            on:click=move |_| {
                                let name = name.clone();
                                changes.run(move || format!("{name} can sign in again."), async move {
                                    reactivate(id).await.map(|_| ())
                                });
                            }
                        >
                            "Reactivate"
                        </button>
                    }.into_any()
                })}
            </div>
        </li>
    }
}
