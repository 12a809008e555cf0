//! EscalateModal: hand a session to a senior (everyone who works the queue hears of it, or one
//! chosen senior is named), or park it for later (nobody is told). A `Dialog`; the reason is
//! required; Enter submits and Shift+Enter starts a new line.

use super::call::Call;
use super::dialog::Dialog;
use super::ui::{error_note, PRIMARY, SECONDARY};
use super::visitor::{use_api, Api};
use crate::api::handoffs::{create_handoff, escalation_targets};
use leptos::{ev::KeyboardEvent, prelude::*};
use vocab::{
    error::{ApiError, ErrorCode},
    handoffs::{Handoff, Intent},
    ids::{SessionId, UserId},
    users::UserRef,
};

/// What the dialog holds: the chosen intent, the reason, the named senior, and what the last
/// try answered.
#[derive(Clone, Copy)]
struct HandOffForm {
    intent: RwSignal<Intent>,
    reason: RwSignal<String>,
    target: RwSignal<Option<UserId>>,
    error: RwSignal<Option<ApiError>>,
    /// Submitted without a reason.
    missing: RwSignal<bool>,
    sending: Call,
}

impl HandOffForm {
    fn new() -> Self {
        HandOffForm {
            intent: RwSignal::new(Intent::Escalate),
            reason: RwSignal::new(String::new()),
            target: RwSignal::new(None),
            error: RwSignal::new(None),
            missing: RwSignal::new(false),
            sending: Call::new(),
        }
    }

    fn submit(self, api: Api, session_id: SessionId, on_done: impl Fn(Handoff) + 'static) {
        if self.sending.pending().get_untracked() {
            return;
        }
        let text = self.reason.get_untracked();
        if text.trim().is_empty() {
            self.missing.set(true);
            return;
        }
        self.missing.set(false);
        self.error.set(None);
        let chosen = self.intent.get_untracked();
        let target_id = self
            .target
            .get_untracked()
            .filter(|_| chosen == Intent::Escalate);
        self.sending.run(async move {
            let result = api
                .call(move || {
                    create_handoff(
                        session_id,
                        chosen.as_str().to_owned(),
                        text.clone(),
                        target_id,
                    )
                })
                .await;
            match result {
                Ok(handoff) => on_done(handoff),
                Err(err) => self.error.set(Some(err)),
            }
        });
    }

    /// What is wrong with the reason: missing, or what the server said of it.
    fn reason_error(self) -> Option<String> {
        if self.missing.get() {
            return Some(match self.intent.get() {
                Intent::Escalate => {
                    "Tell the senior what you've tried and where you're stuck.".to_owned()
                }
                Intent::Park => "Note where you left off, so you can pick it up later.".to_owned(),
            });
        }
        self.error.with(|e| {
            e.as_ref()
                .and_then(|e| e.field("reason").map(str::to_owned))
        })
    }

    /// What can't be shown next to the reason: the chosen senior, the session, the rest.
    fn general_error(self) -> Option<String> {
        self.error.with(|e| {
            let e = e.as_ref()?;
            if e.error != ErrorCode::ValidationFailed {
                return Some(e.message.clone());
            }
            e.field("target_user_id")
                .or_else(|| e.field("session_id"))
                .map(str::to_owned)
        })
    }
}

#[component]
pub fn EscalateModal(
    session_id: SessionId,
    on_done: impl Fn(Handoff) + Copy + Send + Sync + 'static,
    on_cancel: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let api = use_api();
    let form = HandOffForm::new();
    let HandOffForm { intent, reason, .. } = form;
    let busy = form.sending.pending();
    let seniors = LocalResource::new(move || api.call(escalation_targets));
    let submit = move || form.submit(api, session_id, on_done);
    let on_reason_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            submit();
        }
    };
    let reason_error = move || form.reason_error();

    view! {
        <Dialog title="Hand this session on" test_id="escalate-modal" on_cancel>
            <form on:submit=move |ev| {
                ev.prevent_default();
                submit();
            }>
                <div class="mt-4 grid gap-2">
                    {intent_choice(form, Intent::Escalate, "Escalate to a senior", "Everyone who works the queue is told right away; the first to pick it up takes it.")}
                    {intent_choice(form, Intent::Park, "Park it", "Set it aside to come back to. Nobody is notified.")}
                </div>
                <label for="escalate-reason" class="mt-5 block text-sm font-medium text-slate-900">
                    {move || match intent.get() {
                        Intent::Escalate => "Why are you escalating?",
                        Intent::Park => "Where did you leave off?",
                    }}
                </label>
                <textarea
                    id="escalate-reason"
                    autofocus
                    rows="4"
                    class="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-xs focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500"
                    placeholder="What you've tried, what you saw, where you're stuck"
                    aria-invalid=move || reason_error().is_some().to_string()
                    prop:value=move || reason.get()
                    on:input=move |ev| reason.set(event_target_value(&ev))
                    on:keydown=on_reason_keydown
                ></textarea>
                <p class="mt-1 text-xs text-slate-600">"Enter sends · Shift+Enter for a new line"</p>
                {error_note(Signal::derive(reason_error), "mt-1")}
                <Show when=move || intent.get() == Intent::Escalate>
                    {target_picker(form, seniors)}
                </Show>
                {move || form.general_error().map(|m| view! {
                    <p class="mt-4 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800" role="alert">{m}</p>
                })}
                <div class="mt-6 flex justify-end gap-3">
                    <button
                        type="button"
                        class=SECONDARY
                        on:click=move |_| on_cancel()
                    >
                        "Cancel"
                    </button>
                    <button
                        type="submit"
                        disabled=move || busy.get()
                        class=PRIMARY
                    >
                        {move || match (intent.get(), busy.get()) {
                            (_, true) => "Sending…",
                            (Intent::Escalate, false) => "Escalate",
                            (Intent::Park, false) => "Park session",
                        }}
                    </button>
                </div>
            </form>
        </Dialog>
    }
}

fn intent_choice(
    form: HandOffForm,
    value: Intent,
    title: &'static str,
    body: &'static str,
) -> impl IntoView {
    let intent = form.intent;
    view! {
        <label class=move || format!(
            "flex cursor-pointer gap-3 rounded-lg border p-3 text-sm {}",
            if intent.get() == value { "border-indigo-500 bg-indigo-50" } else { "border-slate-200 hover:border-slate-300" },
        )>
            <input
                type="radio"
                name="intent"
                class="mt-0.5"
                prop:checked=move || intent.get() == value
                on:change=move |_| intent.set(value)
            />
            <span>
                <span class="block font-medium text-slate-900">{title}</span>
                <span class="block text-slate-600">{body}</span>
            </span>
        </label>
    }
}

/// One senior to name, or anyone who works the queue.
fn target_picker(
    form: HandOffForm,
    seniors: LocalResource<Result<Vec<UserRef>, ApiError>>,
) -> impl IntoView {
    view! {
        <label for="escalate-target" class="mt-4 block text-sm font-medium text-slate-900">
            "Send to one senior " <span class="font-normal text-slate-600">"(optional)"</span>
        </label>
        <select
            id="escalate-target"
            class="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500"
            on:change=move |ev| form.target.set(event_target_value(&ev).parse().ok())
        >
            <option value="">"Anyone who's free"</option>
            {move || {
                seniors
                    .get()
                    .and_then(Result::ok)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|p| view! { <option value=p.id.to_string()>{p.name}</option> })
                    .collect_view()
            }}
        </select>
    }
}
