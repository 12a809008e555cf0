//! Suggested fixes on the pilot page: the list with its outcomes, and the chat-anchored banner
//! that asks for the outcome of the fix in play (verifying, partly worked, awaiting
//! verification, and the nudge whose "Still checking" records "waiting to verify").

use super::call::Call;
use super::ui::error_note;
use super::{
    toast::{use_toasts, Toasts, Tone},
    visitor::{use_api, Api},
};
use crate::api::fixes::{record_fix_outcome, suggest_fix};
use chrono::{Duration, Utc};
use leptos::prelude::*;
use vocab::fixes::{FixStatus, SuggestedFix};
use vocab::ids::{FixId, SessionId};

/// A verifying fix older than this gets the nudge.
const NUDGE_AFTER: Duration = Duration::minutes(15);

pub type Fixes = RwSignal<Vec<SuggestedFix>>;

/// The fix the banner asks about: the latest applied one still owing an outcome.
pub fn fix_in_play(fixes: &[SuggestedFix]) -> Option<SuggestedFix> {
    fixes
        .iter()
        .filter(|f| f.status.needs_outcome())
        .max_by_key(|f| f.updated_at)
        .cloned()
}

/// Records outcomes of the session's fixes and keeps the list in step. Made inside a
/// component (it holds the API and the toasts), used from its handlers.
#[derive(Clone, Copy)]
pub struct FixRecorder {
    api: Api,
    toasts: Toasts,
    fixes: Fixes,
}

impl FixRecorder {
    pub fn new(fixes: Fixes) -> Self {
        Self {
            api: use_api(),
            toasts: use_toasts(),
            fixes,
        }
    }

    /// Records an outcome and puts the answer in place; a failure is shown as a toast and
    /// changes nothing. Whether it was recorded.
    async fn record(
        self,
        fix_id: FixId,
        outcome: FixStatus,
        notes: Option<String>,
        pending_reason: Option<String>,
    ) -> bool {
        let answer = self
            .api
            .call(move || {
                record_fix_outcome(
                    fix_id,
                    outcome.as_str().to_owned(),
                    notes.clone(),
                    pending_reason.clone(),
                )
            })
            .await;
        match answer {
            Ok(fix) => {
                self.fixes.update(|all| {
                    if let Some(slot) = all.iter_mut().find(|f| f.id == fix.id) {
                        *slot = fix;
                    }
                });
                true
            }
            Err(err) => {
                self.toasts.push(Tone::Danger, err.user_message());
                false
            }
        }
    }

    /// Settles every fix still awaiting verification as worked (what Resolve means for them).
    pub async fn settle_pending(self) -> bool {
        let pending: Vec<FixId> = self.fixes.with_untracked(|all| {
            all.iter()
                .filter(|f| f.status == FixStatus::AppliedPending)
                .map(|f| f.id)
                .collect()
        });
        for id in pending {
            if !self.record(id, FixStatus::AppliedSuccess, None, None).await {
                return false;
            }
        }
        true
    }

    /// Records as `call`, which is pending meanwhile.
    fn spawn(
        self,
        call: Call,
        fix_id: FixId,
        outcome: FixStatus,
        notes: Option<String>,
        pending_reason: Option<String>,
    ) {
        call.run(async move {
            self.record(fix_id, outcome, notes, pending_reason).await;
        });
    }
}

fn status_class(status: FixStatus) -> &'static str {
    match status {
        FixStatus::AppliedSuccess => "bg-emerald-50 text-emerald-700",
        FixStatus::AppliedFailed => "bg-red-50 text-red-700",
        FixStatus::AppliedPartial => "bg-amber-50 text-amber-700",
        FixStatus::AppliedPending | FixStatus::AppliedVerifying => "bg-cyan-50 text-cyan-800",
        FixStatus::Suggested | FixStatus::Dismissed => "bg-slate-100 text-slate-600",
    }
}

const SMALL_BUTTON: &str = "rounded-md border border-slate-300 bg-white px-2.5 py-1 text-xs font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-60";

/// The session's fixes and their outcomes; writers suggest new ones and mark them applied.
/// Once the session is `closed` (resolved), each says where it ended (`FixStatus::words_when_closed`).
#[component]
pub fn FixesPanel(
    session_id: SessionId,
    fixes: Fixes,
    can_write: Signal<bool>,
    closed: Signal<bool>,
) -> impl IntoView {
    let api = use_api();
    let title = RwSignal::new(String::new());
    let suggest = Call::new();
    let busy = suggest.pending();
    let error = RwSignal::new(None::<String>);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = title.get_untracked();
        if text.trim().is_empty() {
            error.set(Some("Name the fix.".to_owned()));
            return;
        }
        error.set(None);
        suggest.run(async move {
            match api
                .call(move || suggest_fix(session_id, text.clone(), None))
                .await
            {
                Ok(fix) => {
                    fixes.update(|all| all.push(fix));
                    title.set(String::new());
                }
                Err(err) => error.set(Some(err.message)),
            }
        });
    };
    view! {
        <section class="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby="fixes-title">
            <h2 id="fixes-title" class="text-sm font-semibold text-slate-900">"Fixes"</h2>
            <Show
                when=move || !fixes.with(Vec::is_empty)
                fallback=|| view! { <p class="mt-2 text-sm text-slate-600">"No fixes suggested yet."</p> }
            >
                <ul class="mt-2 space-y-3 text-sm" data-testid="fixes">
                    <For each=move || fixes.get() key=|f| (f.id, f.status, f.updated_at) let:fix>
                        <FixRow fix fixes can_write closed />
                    </For>
                </ul>
            </Show>
            <Show when=move || can_write.get()>
                <form class="mt-4 flex gap-2 border-t border-slate-100 pt-3" on:submit=add>
                    <label for="fix-title" class="sr-only">"Suggest a fix"</label>
                    <input
                        id="fix-title"
                        class="min-w-0 flex-1 rounded-md border border-slate-300 px-2.5 py-1.5 text-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500"
                        placeholder="Suggest a fix"
                        prop:value=move || title.get()
                        on:input=move |ev| title.set(event_target_value(&ev))
                    />
                    <button type="submit" class=SMALL_BUTTON disabled=move || busy.get()>"Add"</button>
                </form>
                {error_note(error, "mt-1")}
            </Show>
        </section>
    }
}

#[component]
fn FixRow(
    fix: SuggestedFix,
    fixes: Fixes,
    can_write: Signal<bool>,
    closed: Signal<bool>,
) -> impl IntoView {
    let id = fix.id;
    let recording = Call::new();
    let busy = recording.pending();
    let recorder = FixRecorder::new(fixes);
    let set = move |outcome: FixStatus| recorder.spawn(recording, id, outcome, None, None);
    let detail = match fix.status {
        FixStatus::AppliedPending => fix
            .pending_reason
            .clone()
            .map(|r| format!("Waiting on: {r}")),
        FixStatus::AppliedPartial => fix.partial_notes.clone(),
        _ => None,
    };
    view! {
        <li data-testid="fix" data-status=fix.status.as_str()>
            <p class="text-slate-800">
                {fix.title.clone()} " "
                <span class=format!("inline-flex rounded px-1.5 py-0.5 text-xs font-medium {}", status_class(fix.status))>
                    {move || if closed.get() { fix.status.words_when_closed() } else { fix.status.words() }}
                </span>
            </p>
            {detail.map(|d| view! { <p class="mt-0.5 text-xs text-slate-600">{d}</p> })}
            <Show when=move || can_write.get() && fix.status == FixStatus::Suggested>
                <div class="mt-1.5 flex gap-2">
                    <button type="button" class=SMALL_BUTTON disabled=move || busy.get() on:click=move |_| set(FixStatus::AppliedVerifying)>
                        "I applied it"
                    </button>
                    <button type="button" class=SMALL_BUTTON disabled=move || busy.get() on:click=move |_| set(FixStatus::Dismissed)>
                        "Dismiss"
                    </button>
                </div>
            </Show>
        </li>
    }
}

/// What the banner is asking for in its text field, if anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Asking {
    Nothing,
    PendingReason,
    PartialNotes,
}

/// The banner above the composer for the fix in play: how did it go?
#[component]
pub fn FixBanner(fixes: Fixes) -> impl IntoView {
    move || {
        fixes
            .with(|all| fix_in_play(all))
            .map(|fix| view! { <OutcomeBanner fix fixes /> })
    }
}

#[component]
fn OutcomeBanner(fix: SuggestedFix, fixes: Fixes) -> impl IntoView {
    let id = fix.id;
    let asking = RwSignal::new(Asking::Nothing);
    let text = RwSignal::new(String::new());
    let recording = Call::new();
    let busy = recording.pending();
    let menu = RwSignal::new(false);
    let recorder = FixRecorder::new(fixes);
    let set = move |outcome: FixStatus, notes: Option<String>, reason: Option<String>| {
        recorder.spawn(recording, id, outcome, notes, reason)
    };
    let ask = move |what: Asking, prefill: Option<String>| {
        menu.set(false);
        text.set(prefill.unwrap_or_default());
        asking.set(what);
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let value = Some(text.get_untracked()).filter(|t| !t.trim().is_empty());
        match asking.get_untracked() {
            Asking::PendingReason => set(FixStatus::AppliedPending, None, value),
            Asking::PartialNotes => set(FixStatus::AppliedPartial, value, None),
            Asking::Nothing => {}
        }
    };
    let nudge = fix.status == FixStatus::AppliedVerifying
        && fix
            .applied_at
            .is_some_and(|at| Utc::now() - at > NUDGE_AFTER);
    let (tone, kind, message) = match fix.status {
        FixStatus::AppliedPending => (
            "border-cyan-200 bg-cyan-50 text-cyan-900",
            "pending",
            format!(
                "Waiting to verify \"{}\": {}",
                fix.title,
                fix.pending_reason.clone().unwrap_or_default()
            ),
        ),
        FixStatus::AppliedPartial => (
            "border-amber-200 bg-amber-50 text-amber-900",
            "partial",
            format!(
                "\"{}\" partly worked: {}",
                fix.title,
                fix.partial_notes.clone().unwrap_or_default()
            ),
        ),
        _ if nudge => (
            "border-indigo-200 bg-indigo-50 text-indigo-900",
            "nudge",
            format!(
                "It's been a while since you applied \"{}\". Did it work?",
                fix.title
            ),
        ),
        _ => (
            "border-indigo-200 bg-indigo-50 text-indigo-900",
            "verifying",
            format!("You applied \"{}\". Did it work?", fix.title),
        ),
    };
    let status = fix.status;
    let reason = fix.pending_reason.clone();
    let notes = fix.partial_notes.clone();
    view! {
        <div class=format!("mx-4 mt-3 rounded-lg border px-4 py-3 text-sm {tone}") role="status" data-testid="fix-banner" data-kind=kind>
            <p class="font-medium">{message}</p>
            <Show
                when=move || asking.get() == Asking::Nothing
                fallback=move || view! {
                    <form class="mt-2 flex flex-wrap gap-2" on:submit=save>
                        <label for="fix-banner-text" class="sr-only">
                            {move || if asking.get() == Asking::PendingReason { "What are you waiting on?" } else { "What still isn't working?" }}
                        </label>
                        <input
                            id="fix-banner-text"
                            class="min-w-0 flex-1 rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm text-slate-900"
                            placeholder=move || if asking.get() == Asking::PendingReason { "What are you waiting on?" } else { "What still isn't working?" }
                            prop:value=move || text.get()
                            on:input=move |ev| text.set(event_target_value(&ev))
                        />
                        <button type="submit" class=SMALL_BUTTON disabled=move || busy.get()>"Save"</button>
                        <button type="button" class=SMALL_BUTTON on:click=move |_| asking.set(Asking::Nothing)>"Cancel"</button>
                    </form>
                }
            >
                <div class="mt-2 flex flex-wrap items-center gap-2">
                    <button type="button" class=SMALL_BUTTON disabled=move || busy.get() on:click=move |_| set(FixStatus::AppliedSuccess, None, None)>
                        "It worked"
                    </button>
                    <button type="button" class=SMALL_BUTTON disabled=move || busy.get() on:click=move |_| set(FixStatus::AppliedFailed, None, None)>
                        "Didn't work"
                    </button>
                    {(status != FixStatus::AppliedPartial).then(|| view! {
                        <button type="button" class=SMALL_BUTTON on:click=move |_| ask(Asking::PartialNotes, None)>"Partly"</button>
                    })}
                    {match status {
                        FixStatus::AppliedPending => {
                            let reason = reason.clone();
                            view! {
                                <button type="button" class=SMALL_BUTTON on:click=move |_| ask(Asking::PendingReason, reason.clone())>"Update reason"</button>
                                <button type="button" class=SMALL_BUTTON disabled=move || busy.get() on:click=move |_| set(FixStatus::Dismissed, None, None)>"Dismiss"</button>
                            }.into_any()
                        }
                        FixStatus::AppliedPartial => {
                            let notes = notes.clone();
                            view! {
                                <button type="button" class=SMALL_BUTTON on:click=move |_| ask(Asking::PartialNotes, notes.clone())>"Update notes"</button>
                                <button type="button" class=SMALL_BUTTON on:click=move |_| ask(Asking::PendingReason, None)>"Waiting to verify…"</button>
                            }.into_any()
                        }
                        _ if nudge => view! {
                            <button type="button" class=SMALL_BUTTON on:click=move |_| ask(Asking::PendingReason, None)>"Still checking"</button>
                        }.into_any(),
                        _ => view! {
                            <div class="relative">
                                <button
                                    type="button"
                                    class=SMALL_BUTTON
                                    aria-label="More outcomes"
                                    aria-expanded=move || menu.get().to_string()
                                    on:click=move |_| menu.update(|m| *m = !*m)
                                >
                                    "⋯"
                                </button>
                                <Show when=move || menu.get()>
                                    <div class="absolute left-0 z-10 mt-1 w-48 rounded-md border border-slate-200 bg-white py-1 text-slate-700 shadow-lg">
                                        <button type="button" class="block w-full px-3 py-1.5 text-left text-sm hover:bg-slate-50" on:click=move |_| ask(Asking::PendingReason, None)>
                                            "Waiting to verify…"
                                        </button>
                                    </div>
                                </Show>
                            </div>
                        }.into_any(),
                    }}
                </div>
            </Show>
        </div>
    }
}
