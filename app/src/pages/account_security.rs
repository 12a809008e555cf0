//! AccountSecuritySettingsPage: the owner's session policy and sign-out controls.

use crate::components::ui::{FieldError, PRIMARY, SECONDARY};
use crate::{
    api::{
        auth::logout,
        security::{get_security, revoke_login, revoke_logins, update_security},
    },
    components::{
        icons::{Check, Info, Shield},
        login_channel::{use_login_channel, LoginEvent},
        revoke_logins_modal::{RevokeLoginsModal, Scope},
        time::{duration_words, time_ago},
        toast::{use_toasts, Tone},
        visitor::{use_signed_in, LoadError, RequireUser},
    },
};
use chrono::Utc;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use std::time::Duration;
use vocab::{
    error::ApiError,
    security::{policy_errors, ActiveUser, Login, PolicyView},
    users::Role,
};

#[component]
pub fn AccountSecurityPage() -> impl IntoView {
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
    let data = Resource::new(|| (), |_| get_security());
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
            <Suspense fallback=|| view! { <p class="mt-8 text-sm text-slate-500">"Loading…"</p> }>
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

#[component]
fn Loaded(initial: PolicyView) -> impl IntoView {
    let policy = RwSignal::new(initial);
    view! {
        <PolicyCard policy />
        <SessionsCard policy />
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Preset {
    Strict,
    Standard,
    Custom,
}

/// Standard: 7 days idle, 30 days at most.
const STANDARD: (i32, i32) = (10080, 43200);

fn preset_of(view: &PolicyView) -> Preset {
    match (view.session_idle_minutes, view.session_absolute_minutes) {
        (None, None) => Preset::Strict,
        (Some(i), Some(a)) if (i, a) == STANDARD => Preset::Standard,
        _ => Preset::Custom,
    }
}

/// The idle and absolute overrides to save (`None` = system default).
type Overrides = (Option<i32>, Option<i32>);
/// `(field, message)` pairs, as in a 422's `fields`.
type FieldErrors = Vec<(String, String)>;

const INPUT: &str = "mt-1 block w-full rounded-md border px-3 py-2 text-sm shadow-sm focus:outline-none focus:ring-2 disabled:cursor-not-allowed disabled:bg-slate-100 disabled:text-slate-500";

#[component]
fn PolicyCard(policy: RwSignal<PolicyView>) -> impl IntoView {
    let toasts = use_toasts();
    let start = policy.get_untracked();
    let defaults = start.defaults;
    let bounds = start.bounds;
    let preset = RwSignal::new(preset_of(&start));
    let idle_text = RwSignal::new(start.effective_idle_minutes.to_string());
    let absolute_text = RwSignal::new(start.effective_absolute_minutes.to_string());
    let server_errors = RwSignal::new(FieldErrors::new());
    let saving = RwSignal::new(false);
    let saved = RwSignal::new(false);

    // What the inputs show: the preset's values, or what the owner typed for Custom.
    let shown = move |custom: RwSignal<String>, strict: i32, standard: i32| match preset.get() {
        Preset::Strict => strict.to_string(),
        Preset::Standard => standard.to_string(),
        Preset::Custom => custom.get(),
    };
    let choose = move |p: Preset| {
        if p == Preset::Custom && preset.get_untracked() != Preset::Custom {
            // Start Custom from what was on screen.
            idle_text.set(shown(idle_text, defaults.idle_minutes, STANDARD.0));
            absolute_text.set(shown(absolute_text, defaults.absolute_minutes, STANDARD.1));
        }
        preset.set(p);
        server_errors.set(Vec::new());
    };
    // The overrides to save, or the inline errors that stop it.
    let request = Memo::new(move |_| -> Result<Overrides, FieldErrors> {
        match preset.get() {
            Preset::Strict => Ok((None, None)),
            Preset::Standard => Ok((Some(STANDARD.0), Some(STANDARD.1))),
            Preset::Custom => {
                let parse = |field: &str, text: &str| {
                    text.trim().parse::<i32>().map_err(|_| {
                        (
                            field.to_owned(),
                            "Enter a whole number of minutes.".to_owned(),
                        )
                    })
                };
                let idle = parse("session_idle_minutes", &idle_text.get());
                let absolute = parse("session_absolute_minutes", &absolute_text.get());
                match (idle, absolute) {
                    (Ok(i), Ok(a)) => {
                        let errors = policy_errors(Some(i), Some(a), defaults, bounds);
                        if errors.is_empty() {
                            Ok((Some(i), Some(a)))
                        } else {
                            Err(errors)
                        }
                    }
                    (i, a) => Err([i.err(), a.err()].into_iter().flatten().collect()),
                }
            }
        }
    });
    let error_for = move |field: &'static str| {
        move || {
            let inline = request.get().err().unwrap_or_default();
            inline
                .into_iter()
                .chain(server_errors.get())
                .find(|(f, _)| f == field)
                .map(|(_, m)| m)
        }
    };
    let save = move |_| {
        let Ok((idle, absolute)) = request.get_untracked() else {
            return;
        };
        saving.set(true);
        server_errors.set(Vec::new());
        leptos::task::spawn_local(async move {
            match update_security(idle, absolute).await {
                Ok(view) => {
                    policy.set(view);
                    saved.set(true);
                    set_timeout(move || saved.set(false), Duration::from_millis(2500));
                }
                Err(err) => match err.details.get("fields").and_then(|f| f.as_object()) {
                    Some(fields) => server_errors.set(
                        fields
                            .iter()
                            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                            .collect(),
                    ),
                    None => toasts.push(Tone::Danger, err.message),
                },
            }
            saving.set(false);
        });
    };

    let radio = move |p: Preset, label: &'static str, detail: String| {
        view! {
            <label class=move || format!(
                "flex cursor-pointer items-start gap-3 rounded-lg border p-3 {}",
                if preset.get() == p { "border-indigo-500 bg-indigo-50/60 ring-1 ring-indigo-500" } else { "border-slate-200 hover:bg-slate-50" },
            )>
                <input
                    type="radio"
                    name="preset"
                    class="mt-0.5 h-4 w-4 accent-indigo-600"
                    prop:checked=move || preset.get() == p
                    on:change=move |_| choose(p)
                />
                <span>
                    <span class="block text-sm font-medium text-slate-900">{label}</span>
                    <span class="block text-sm text-slate-500">{detail}</span>
                </span>
            </label>
        }
    };
    let custom = move || preset.get() != Preset::Custom;
    let idle_error = error_for("session_idle_minutes");
    let absolute_error = error_for("session_absolute_minutes");

    view! {
        <section class="mt-8 rounded-xl border border-slate-200 bg-white p-6 shadow-sm" data-testid="policy-card">
            <h2 class="text-base font-semibold text-slate-900">"Session policy"</h2>
            <p class="mt-1 text-sm text-slate-500">
                "People are signed out after the idle timeout without activity, and always once the absolute limit has passed since they signed in."
            </p>
            <fieldset class="mt-5 grid gap-3 sm:grid-cols-3">
                <legend class="sr-only">"Preset"</legend>
                {radio(Preset::Strict, "Strict", format!("{} idle, {} at most. The default.", duration_words(defaults.idle_minutes), duration_words(defaults.absolute_minutes)))}
                {radio(Preset::Standard, "Standard", format!("{} idle, {} at most.", duration_words(STANDARD.0), duration_words(STANDARD.1)))}
                {radio(Preset::Custom, "Custom", "Your own limits, in minutes.".to_owned())}
            </fieldset>
            <div class="mt-5 grid gap-4 sm:grid-cols-2">
                <MinutesField
                    id="idle-minutes"
                    label="Idle timeout (minutes)"
                    bounds=(bounds.idle_min, bounds.idle_max)
                    disabled=Signal::derive(custom)
                    value=Signal::derive(move || shown(idle_text, defaults.idle_minutes, STANDARD.0))
                    on_input=move |v| { idle_text.set(v); server_errors.set(Vec::new()); }
                    error=Signal::derive(idle_error)
                    error_testid="idle-error"
                />
                <MinutesField
                    id="absolute-minutes"
                    label="Absolute limit (minutes)"
                    bounds=(bounds.absolute_min, bounds.absolute_max)
                    disabled=Signal::derive(custom)
                    value=Signal::derive(move || shown(absolute_text, defaults.absolute_minutes, STANDARD.1))
                    on_input=move |v| { absolute_text.set(v); server_errors.set(Vec::new()); }
                    error=Signal::derive(absolute_error)
                    error_testid="absolute-error"
                />
            </div>
            <div class="mt-5 flex gap-3 rounded-lg border border-cyan-200 bg-cyan-50 px-4 py-3 text-sm text-cyan-900">
                <Info />
                <p>"Changes apply at next login. Anyone signed in now keeps the limits their session started with."</p>
            </div>
            <div class="mt-5 flex items-center gap-3">
                <button
                    type="button"
                    class=PRIMARY
                    disabled=move || saving.get() || request.with(Result::is_err)
                    on:click=save
                >
                    {move || if saving.get() { "Saving…" } else { "Save" }}
                </button>
                <Show when=move || saved.get()>
                    <span class="inline-flex items-center gap-1.5 text-sm font-medium text-emerald-600" role="status" data-testid="saved">
                        <span class="relative flex h-2.5 w-2.5">
                            <span class="absolute inline-flex h-full w-full animate-ping rounded-full bg-emerald-400 opacity-75 motion-reduce:animate-none"></span>
                            <span class="relative inline-flex h-2.5 w-2.5 rounded-full bg-emerald-500"></span>
                        </span>
                        <Check />
                        "Saved"
                    </span>
                </Show>
            </div>
        </section>
    }
}

/// One of the Custom inputs, with its bounds and its inline error.
#[component]
fn MinutesField(
    id: &'static str,
    label: &'static str,
    bounds: (i32, i32),
    disabled: Signal<bool>,
    value: Signal<String>,
    on_input: impl Fn(String) + 'static,
    error: Signal<Option<String>>,
    error_testid: &'static str,
) -> impl IntoView {
    let (min, max) = bounds;
    let class = move || {
        if error.with(Option::is_some) {
            format!("{INPUT} border-red-400 focus:ring-red-500/30")
        } else {
            format!("{INPUT} border-slate-300 focus:border-indigo-500 focus:ring-indigo-500/30")
        }
    };
    view! {
        <div>
            <label for=id class="block text-sm font-medium text-slate-700">{label}</label>
            <input
                id=id
                type="number"
                inputmode="numeric"
                min=min
                max=max
                disabled=disabled
                prop:value=value
                on:input=move |ev| on_input(event_target_value(&ev))
                class=class
                aria-invalid=move || error.with(Option::is_some).to_string()
                aria-describedby=format!("{id}-hint {id}-error")
            />
            <p id=format!("{id}-hint") class="mt-1 text-xs text-slate-500">{format!("Between {min} and {max}.")}</p>
            <FieldError id=format!("{id}-error") message=error test_id=error_testid />
        </div>
    }
}

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

#[component]
fn SessionsCard(policy: RwSignal<PolicyView>) -> impl IntoView {
    let toasts = use_toasts();
    let channel = use_login_channel();
    let modal = RwSignal::new(None::<Scope>);
    let pending = RwSignal::new(false);

    let reload = move || {
        leptos::task::spawn_local(async move {
            if let Ok(view) = get_security().await {
                policy.set(view);
            }
        })
    };
    let failed = move |err: ApiError| toasts.push(Tone::Danger, err.message);

    let revoke_one = move |login: Login| {
        leptos::task::spawn_local(async move {
            match revoke_login(login.id).await {
                Ok(_) => {
                    toasts.push(
                        Tone::Success,
                        format!("Signed out {} on that device.", login.user_name),
                    );
                    reload();
                }
                Err(err) => failed(err),
            }
        });
    };
    let confirm = move || {
        let Some(scope) = modal.get_untracked() else {
            return;
        };
        pending.set(true);
        leptos::task::spawn_local(async move {
            match revoke_logins(Some(scope.as_str().to_owned())).await {
                Ok(done) => {
                    let n = done.revoked_count;
                    toasts.push(
                        Tone::Success,
                        format!("Signed out {n} session{}.", if n == 1 { "" } else { "s" }),
                    );
                    if scope == Scope::All {
                        // The owner just did this: no "session expired" banner on the way out.
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
                        return;
                    }
                    modal.set(None);
                    pending.set(false);
                    reload();
                }
                Err(err) => {
                    failed(err);
                    modal.set(None);
                    pending.set(false);
                }
            }
        });
    };

    view! {
        <section class="mt-6 rounded-xl border border-slate-200 bg-white p-6 shadow-sm" data-testid="sessions-card">
            <h2 class="text-base font-semibold text-slate-900">"Active sessions"</h2>
            <p class="mt-1 text-sm text-slate-500" data-testid="sessions-count">
                {move || policy.with(|p| count_copy(&p.active_users))}
            </p>
            <ul class="mt-4 divide-y divide-slate-100 rounded-lg border border-slate-200">
                {move || {
                    let view = policy.get();
                    let now = Utc::now();
                    view.active_users
                        .into_iter()
                        .map(|user| {
                            let logins: Vec<Login> = view
                                .logins
                                .iter()
                                .filter(|s| s.user_id == user.user_id)
                                .cloned()
                                .collect();
                            view! {
                                <li class="px-4 py-3" data-testid="active-user">
                                    <div class="flex flex-wrap items-baseline justify-between gap-x-4">
                                        <p class="text-sm font-medium text-slate-900">
                                            {user.name.clone()}
                                            {user.is_you.then(|| view! { <span class="ml-1 font-normal text-slate-500">"(you)"</span> })}
                                        </p>
                                        <p class="text-xs text-slate-500">
                                            {user.last_login_at.map(|t| format!("Last sign-in {}", time_ago(now, t)))}
                                        </p>
                                    </div>
                                    <p class="text-sm text-slate-500">{user.email.clone()}</p>
                                    <ul class="mt-2 space-y-1.5">
                                        {logins
                                            .into_iter()
                                            .map(|login| {
                                                let label = device_label(login.user_agent.as_deref());
                                                let detail = format!("signed in {} · active {}", time_ago(now, login.created_at), time_ago(now, login.last_used_at));
                                                let current = login.is_current;
                                                let target = login.clone();
                                                view! {
                                                    <li class="flex items-center justify-between gap-3 rounded-md bg-slate-50 px-3 py-2 text-xs text-slate-600" data-testid="login-row">
                                                        <span><span class="font-medium text-slate-700">{label}</span>" · "{detail}</span>
                                                        {if current {
                                                            view! { <span class="rounded bg-emerald-100 px-1.5 py-0.5 font-medium text-emerald-700">"This device"</span> }.into_any()
                                                        } else {
                                                            view! {
                                                                <button type="button" class="rounded border border-slate-300 bg-white px-2 py-1 font-medium text-slate-700 hover:bg-slate-100"
                                                                    on:click=move |_| revoke_one(target.clone())>
                                                                    "Revoke"
                                                                </button>
                                                            }.into_any()
                                                        }}
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                </li>
                            }
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
                <RevokeLoginsModal scope pending=pending on_confirm=confirm on_cancel=move || modal.set(None) />
            })}
        </section>
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
