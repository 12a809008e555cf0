//! The logins card: who is signed in, on which devices, and the controls that end logins (one
//! device, everyone else, or everyone including the owner).

use crate::{
    api::{
        auth::logout,
        security::{get_security, revoke_login, revoke_logins},
    },
    components::{
        call::Call,
        confirm_modal::{ConfirmModal, RevokeLoginsModal, Scope},
        escalation_feed::{use_escalation_feed, EscalationFeed},
        login_channel::{use_login_channel, LoginChannel, LoginEvent},
        time::ago,
        toast::{use_toasts, Toasts, Tone},
        ui::SECONDARY,
    },
};
use leptos::prelude::*;
use std::time::Duration;
use vocab::security::{ActiveUser, Login, PolicyView};

/// "Chrome on Linux", from a user agent.
fn device_label(user_agent: Option<&str>) -> String {
    let Some(ua) = user_agent else {
        return "Unknown device".to_owned();
    };
    let browser = [
        ("Edg/", "Edge"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ]
    .iter()
    .find(|(needle, _)| ua.contains(needle))
    .map(|(_, name)| *name);
    let os = [
        ("Windows", "Windows"),
        ("iPhone", "iPhone"),
        ("Android", "Android"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(needle, _)| ua.contains(needle))
    .map(|(_, name)| *name);
    match (browser, os) {
        (Some(b), Some(o)) => format!("{b} on {o}"),
        (Some(b), None) => b.to_owned(),
        (None, Some(o)) => o.to_owned(),
        (None, None) => "Unknown device".to_owned(),
    }
}

fn count_copy(users: &[ActiveUser]) -> String {
    match users {
        [] => "Nobody is signed in right now.".to_owned(),
        [only] if only.is_you => "Only you are signed in right now.".to_owned(),
        [_] => "1 person is signed in right now.".to_owned(),
        many => format!("{} people are signed in right now.", many.len()),
    }
}

/// The card's calls: ending one login, and the two bulk sign-outs behind their dialog.
#[derive(Clone, Copy)]
struct SignOuts {
    policy: RwSignal<PolicyView>,
    toasts: Toasts,
    channel: LoginChannel,
    feed: EscalationFeed,
    /// The bulk sign-out being confirmed.
    modal: RwSignal<Option<Scope>>,
    /// The one login being confirmed.
    confirming: RwSignal<Option<Login>>,
    one: Call,
    bulk: Call,
}

impl SignOuts {
    fn new(policy: RwSignal<PolicyView>) -> Self {
        SignOuts {
            policy,
            toasts: use_toasts(),
            channel: use_login_channel(),
            feed: use_escalation_feed(),
            modal: RwSignal::new(None),
            confirming: RwSignal::new(None),
            one: Call::new(),
            bulk: Call::new(),
        }
    }

    async fn reload(self) {
        if let Ok(view) = get_security().await {
            self.policy.set(view);
        }
    }

    /// The dialog's confirm for one login.
    fn revoke(self) {
        let Some(login) = self.confirming.get_untracked() else {
            return;
        };
        self.confirming.set(None);
        self.one.run(async move {
            match revoke_login(login.id).await {
                Ok(_) => {
                    self.toasts.push(
                        Tone::Success,
                        format!("Signed out {} on that device.", login.user_name),
                    );
                    self.reload().await;
                }
                Err(err) => self.toasts.push(Tone::Danger, err.message),
            }
        });
    }

    /// The dialog's confirm: the bulk sign-out it asked about.
    fn confirm(self) {
        let Some(scope) = self.modal.get_untracked() else {
            return;
        };
        if scope == Scope::All {
            self.feed.close();
        }
        self.bulk.run(async move {
            match revoke_logins(Some(scope.as_str().to_owned())).await {
                Ok(done) => {
                    let n = done.revoked_count;
                    self.toasts.push(
                        Tone::Success,
                        format!("Signed out {n} session{}.", if n == 1 { "" } else { "s" }),
                    );
                    if scope == Scope::All {
                        self.leave();
                        // Still pending until the sign-in page replaces this one.
                        std::future::pending::<()>().await;
                    }
                    self.modal.set(None);
                    self.reload().await;
                }
                Err(err) => {
                    self.toasts.push(Tone::Danger, err.message);
                    self.modal.set(None);
                }
            }
        });
    }

    /// After signing everyone out, this browser too: the toast is read, then the other tabs
    /// are told and the sign-in page follows, with no "session expired" banner (the owner
    /// did this).
    fn leave(self) {
        let channel = self.channel;
        set_timeout(
            move || {
                channel.broadcast(&LoginEvent::Ended);
                leptos::task::spawn_local(async {
                    let _ = logout().await;
                    let _ = window().location().assign("/login");
                });
            },
            Duration::from_millis(1500),
        );
    }
}

#[component]
pub fn LoginsCard(policy: RwSignal<PolicyView>) -> impl IntoView {
    let sign_outs = SignOuts::new(policy);
    let modal = sign_outs.modal;
    view! {
        <section class="mt-6 rounded-xl border border-slate-200 bg-white p-6 shadow-sm" data-testid="sessions-card">
            <h2 class="text-base font-semibold text-slate-900">"Active sessions"</h2>
            <p class="mt-1 text-sm text-slate-600" data-testid="sessions-count">
                {move || policy.with(|p| count_copy(&p.active_users))}
            </p>
            <ul class="mt-4 divide-y divide-slate-100 rounded-lg border border-slate-200">
                {move || {
                    let view = policy.get();
                    view.active_users
                        .into_iter()
                        .map(|user| {
                            let logins: Vec<Login> = view
                                .logins
                                .iter()
                                .filter(|l| l.user_id == user.user_id)
                                .cloned()
                                .collect();
                            user_row(user, logins, sign_outs)
                        })
                        .collect_view()
                }}
            </ul>
            <div class="mt-5 flex flex-wrap gap-3">
                <Show when=move || policy.with(|p| p.active_users.len() > 1)>
                    <button
                        type="button"
                        class=SECONDARY
                        on:click=move |_| modal.set(Some(Scope::Others))
                    >
                        "Sign out everyone except me"
                    </button>
                </Show>
                <button
                    type="button"
                    class="rounded-md border border-red-200 bg-red-50 px-4 py-2 text-sm font-medium text-red-700 shadow-sm hover:bg-red-100"
                    on:click=move |_| modal.set(Some(Scope::All))
                >
                    "Sign me out and everyone else"
                </button>
            </div>
            {move || modal.get().map(|scope| view! {
                <RevokeLoginsModal
                    scope
                    pending=sign_outs.bulk.pending()
                    on_confirm=move || sign_outs.confirm()
                    on_cancel=move || modal.set(None)
                />
            })}
            {move || sign_outs.confirming.get().map(|login| view! {
                <ConfirmModal
                    title=format!("Sign out {} on {}?", login.user_name, device_name(&login))
                    body="That browser is signed out now and has to sign in again. Their other devices stay signed in."
                    confirm="Sign out that device"
                    test_id="revoke-one"
                    pending=sign_outs.one.pending()
                    on_confirm=move || sign_outs.revoke()
                    on_cancel=move || sign_outs.confirming.set(None)
                />
            })}
        </section>
    }
}

/// A signed-in person and each of their logins.
fn user_row(user: ActiveUser, logins: Vec<Login>, sign_outs: SignOuts) -> impl IntoView {
    view! {
        <li class="px-4 py-3" data-testid="active-user">
            <div class="flex flex-wrap items-baseline justify-between gap-x-4">
                <p class="text-sm font-medium text-slate-900">
                    {user.name}
                    {user.is_you.then(|| view! { <span class="ml-1 font-normal text-slate-600">"(you)"</span> })}
                </p>
                <p class="text-xs text-slate-600">
                    {user.last_login_at.map(|t| view! { "Last sign-in " {ago(t)} })}
                </p>
            </div>
            <p class="text-sm text-slate-600">{user.email}</p>
            <ul class="mt-2 space-y-1.5">
                {logins
                    .into_iter()
                    .map(|login| login_row(login, sign_outs))
                    .collect_view()}
            </ul>
        </li>
    }
}

/// A device as a person tells it apart: its browser and the address it came from.
fn device_name(login: &Login) -> String {
    let label = device_label(login.user_agent.as_deref());
    match &login.client_address {
        Some(address) => format!("{label} ({address})"),
        None => label,
    }
}

/// One device: what it is and where from, when it signed in and was last active, and its
/// Revoke (asked first).
fn login_row(login: Login, sign_outs: SignOuts) -> impl IntoView {
    let label = device_label(login.user_agent.as_deref());
    let address = login.client_address.clone();
    let detail =
        view! { "signed in " {ago(login.created_at)} " · active " {ago(login.last_used_at)} };
    let aria_label = format!("Revoke {} on {}", login.user_name, device_name(&login));
    let action = if login.is_current {
        view! { <span class="rounded bg-emerald-100 px-1.5 py-0.5 font-medium text-emerald-700">"This device"</span> }.into_any()
    } else {
        view! {
            <button type="button" class="rounded border border-slate-300 bg-white px-2 py-1 font-medium text-slate-700 hover:bg-slate-100"
                aria-label=aria_label
                on:click=move |_| sign_outs.confirming.set(Some(login.clone()))>
                "Revoke"
            </button>
        }
        .into_any()
    };
    view! {
        <li class="flex items-center justify-between gap-3 rounded-md bg-slate-50 px-3 py-2 text-xs text-slate-600" data-testid="login-row">
            <span class="min-w-0">
                <span class="font-medium text-slate-700">{label}</span>
                {address.map(|a| view! { " · " <span class="font-mono" data-testid="login-address">{a}</span> })}
                <span class="block">{detail}</span>
            </span>
            {action}
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_are_named_from_the_user_agent() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
        assert_eq!(device_label(Some(chrome)), "Chrome on Linux");
        assert_eq!(device_label(Some("curl/8.5.0")), "curl");
        assert_eq!(device_label(None), "Unknown device");
    }
}
