//! The pilot page, `/pilot/:session_id`: one troubleshooting
//! session's conversation and steps, the sidebar of my sessions, escalation, and, with
//! `?pickup=true`, the pick-up screen for the senior taking it over.

use crate::api::loaded::loaded;
use crate::components::call::Call;
use crate::components::ui::{error_note, PRIMARY, PRIMARY_SMALL, SECONDARY, SECONDARY_SMALL};
use crate::{
    api::{
        handoffs::get_handoff,
        sessions::{
            add_step, get_session, list_sessions, resolution_draft, resolve_session, send_message,
        },
    },
    components::{
        badges::{OutcomePill, StatusPill, TicketBadge},
        dialog::Dialog,
        escalate_modal::EscalateModal,
        escalation_feed::{use_escalation_feed, FeedEvent},
        fixes::{FixBanner, FixRecorder, Fixes, FixesPanel},
        icons::Send,
        layout::initials,
        pickup::{PickupPanel, SuggestedSteps},
        session_sidebar::{SessionSidebar, SessionsResource},
        storage::Store,
        time::{format_time, time_ago},
        toast::{use_toasts, Tone},
        visitor::{use_api, use_signed_in, LoadError, RequireUser},
    },
    pages::not_found::NotFound,
};
use chrono::Utc;
use leptos::{ev::KeyboardEvent, html, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use vocab::{
    error::ErrorCode,
    handoffs::{Handoff, Intent},
    ids::{SessionId, UserId},
    sessions::{ChatMessage, SessionDetail, SessionStatus, SessionStep, StepOutcome},
    users::UserRef,
};

#[component]
pub fn PilotPage() -> impl IntoView {
    view! {
        <Title text="Pilot" />
        <RequireUser>
            <Pilot />
        </RequireUser>
    }
}

#[component]
fn Pilot() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let session_id = Memo::new(move |_| {
        params
            .read()
            .get("session_id")
            .and_then(|id| id.parse::<SessionId>().ok())
    });
    let pickup = Memo::new(move |_| query.read().get("pickup").as_deref() == Some("true"));
    let detail = loaded(
        move || session_id.get(),
        |id| async move {
            match id {
                Some(id) => get_session(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let sessions: SessionsResource = loaded(|| (), |_| list_sessions());
    view! {
        <div class="mx-auto grid w-full max-w-7xl flex-1 items-start gap-6 px-4 py-6 sm:px-6 lg:grid-cols-[17rem_1fr]">
            <SessionSidebar sessions current=session_id />
            <Suspense fallback=|| view! { <p class="text-sm text-slate-500">"Loading the session…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(Some(detail)) => view! { <Workspace detail pickup sessions /> }.into_any(),
                        Ok(None) => view! { <NotFound /> }.into_any(),
                        Err(err) if err.error == ErrorCode::NotFound => view! { <NotFound /> }.into_any(),
                        Err(err) => view! { <LoadError err /> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

/// One session, loaded. Local state follows what happens here (messages sent, steps recorded,
/// the escalation and its claim) without reloading the page.
#[component]
fn Workspace(
    detail: SessionDetail,
    pickup: Memo<bool>,
    sessions: SessionsResource,
) -> impl IntoView {
    let me = use_signed_in().user;
    let api = use_api();
    let toasts = use_toasts();
    let id = detail.id;
    let owner = detail.owner.clone();
    let status = RwSignal::new(detail.status);
    let claimer = RwSignal::new(detail.escalated_to.clone());
    let handoff = RwSignal::new(detail.handoff.clone());
    let messages = RwSignal::new(detail.messages.clone());
    let steps = RwSignal::new(detail.steps.clone());
    let fixes: Fixes = RwSignal::new(detail.fixes.clone());
    let resolution = RwSignal::new(detail.resolution_note.clone());
    let escalating = RwSignal::new(false);
    let intercepting = RwSignal::new(false);
    let resolving = RwSignal::new(false);
    let recorder = FixRecorder::new(fixes);

    // The escalation's claim and assessment can change while the page is open.
    use_escalation_feed().listen(move |event| {
        let Some(ours) = handoff.with_untracked(|h| h.as_ref().map(|h| h.id)) else {
            return;
        };
        let concerns_us = match event {
            FeedEvent::Escalation(e) => e.handoff_id() == ours,
            FeedEvent::Resync => true,
        };
        if concerns_us {
            leptos::task::spawn_local(async move {
                if let Ok(fresh) = api.call(move || get_handoff(ours)).await {
                    handoff.set(Some(fresh));
                }
            });
        }
    });

    let me_ref = StoredValue::new(UserRef {
        id: me.id,
        name: me.name.clone(),
    });
    let is_owner = me.id == owner.id;
    let works = me.role.can_work();
    let can_write = Signal::derive(move || {
        works && (is_owner || claimer.with(|c| c.as_ref().is_some_and(|c| c.id == me.id)))
    });
    let waiting = move || handoff.with(|h| h.as_ref().is_some_and(|h| h.claimed_by.is_none()));
    let open = move || status.get() != SessionStatus::Resolved;
    let can_escalate = move || is_owner && works && open() && !waiting();
    let can_resolve = move || can_write.get() && open();
    // Escalating with a fix that still owes an outcome: ask first.
    let escalate = move |_| {
        if fixes.with(|all| all.iter().any(|f| f.status.needs_outcome())) {
            intercepting.set(true);
        } else {
            escalating.set(true);
        }
    };
    // Resolving settles fixes awaiting verification as worked, then asks for the note.
    let resolve = move |_| {
        leptos::task::spawn_local(async move {
            if recorder.settle_pending().await {
                resolving.set(true);
            }
        });
    };
    let on_resolved = move |done: SessionDetail| {
        resolving.set(false);
        status.set(done.status);
        resolution.set(done.resolution_note);
        toasts.push(Tone::Success, "Resolved. The note is on the session.");
        sessions.refetch();
    };
    let on_claimed = move |_won: Handoff| {
        claimer.set(Some(me_ref.get_value()));
        sessions.refetch();
    };
    let on_escalated = move |created: Handoff| {
        escalating.set(false);
        if created.intent == Intent::Escalate {
            status.set(SessionStatus::Escalated);
            handoff.set(Some(created));
            toasts.push(
                Tone::Success,
                "Escalated. Everyone who works the queue has been told.",
            );
        } else {
            status.set(SessionStatus::Parked);
            toasts.push(
                Tone::Success,
                "Parked. It stays in your sessions until you come back to it.",
            );
        }
        sessions.refetch();
    };
    let suggestions = Signal::derive(move || {
        handoff.with(|h| {
            h.as_ref()
                .filter(|h| h.claimed_by.as_ref().is_some_and(|c| c.id == me.id))
                .and_then(|h| h.ai_assessment.as_ref())
                .map(|a| a.suggested_steps.clone())
                .unwrap_or_default()
        })
    });

    view! {
        <Title text=detail.problem_summary.clone() />
        <div class="flex min-w-0 flex-col gap-5">
            <header class="flex flex-wrap items-start justify-between gap-4">
                <div class="min-w-0">
                    <div class="flex flex-wrap items-center gap-2">
                        {detail.psa_ticket_id.clone().map(|t| view! { <TicketBadge ticket=t /> })}
                        {move || view! { <StatusPill status=status.get() /> }}
                    </div>
                    <h1 class="mt-1 text-xl font-semibold tracking-tight text-slate-900" data-testid="session-title">
                        {detail.problem_summary.clone()}
                    </h1>
                    <p class="mt-1 text-sm text-slate-500">
                        {format!("Opened by {} · {}", owner.name, time_ago(Utc::now(), detail.created_at))}
                    </p>
                </div>
                <div class="flex gap-2">
                    <Show when=can_resolve>
                        <button
                            type="button"
                            class="rounded-md border border-emerald-300 bg-emerald-50 px-4 py-2 text-sm font-semibold text-emerald-900 shadow-xs hover:bg-emerald-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-emerald-500"
                            on:click=resolve
                        >
                            "Resolve"
                        </button>
                    </Show>
                    <Show when=can_escalate>
                        <button
                            type="button"
                            class="rounded-md border border-amber-300 bg-amber-50 px-4 py-2 text-sm font-semibold text-amber-900 shadow-xs hover:bg-amber-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-amber-500"
                            on:click=escalate
                        >
                            "Escalate"
                        </button>
                    </Show>
                </div>
            </header>
            {move || resolution.get().map(|note| view! {
                <section class="rounded-lg border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-900" data-testid="resolution">
                    <h2 class="font-semibold">"Resolution"</h2>
                    <p class="mt-1 whitespace-pre-wrap">{note}</p>
                    {can_write.get().then(|| view! {
                        <a href=format!("/kb?write={id}") class="mt-2 inline-block font-medium text-emerald-800 underline-offset-2 hover:underline">
                            "Write it up for the knowledge base →"
                        </a>
                    })}
                </section>
            })}
            {move || (!pickup.get() && is_owner).then(|| view! { <OwnerEscalationNote handoff /> })}
            <Show when=move || pickup.get() && handoff.with(Option::is_some)>
                <PickupPanel handoff on_claimed />
            </Show>
            <div class="grid items-start gap-5 xl:grid-cols-[1fr_18rem]">
                <Conversation session_id=id messages can_write suggestions fixes />
                <div class="flex flex-col gap-5">
                    <FixesPanel session_id=id fixes can_write />
                    <Steps session_id=id steps can_write />
                </div>
            </div>
        </div>
        <Show when=move || escalating.get()>
            <EscalateModal session_id=id on_done=on_escalated on_cancel=move || escalating.set(false) />
        </Show>
        <Show when=move || intercepting.get()>
            <Dialog title="A fix still needs an outcome" test_id="escalate-intercept" on_cancel=move || intercepting.set(false)>
                <p class="mt-2 text-sm text-slate-600">
                    "Whoever picks this up reads what became of each fix. Record how these went first, or escalate as they are."
                </p>
                <ul class="mt-3 space-y-1 text-sm">
                    {move || fixes.get().into_iter().filter(|f| f.status.needs_outcome()).map(|f| view! {
                        <li class="text-slate-800">{format!("\"{}\": {}", f.title, f.status.words())}</li>
                    }).collect_view()}
                </ul>
                <div class="mt-6 flex justify-end gap-3">
                    <button type="button" class=SECONDARY on:click=move |_| intercepting.set(false)>"Record outcomes first"</button>
                    <button type="button" class=PRIMARY on:click=move |_| {
                        intercepting.set(false);
                        escalating.set(true);
                    }>"Escalate anyway"</button>
                </div>
            </Dialog>
        </Show>
        <Show when=move || resolving.get()>
            <ResolveDialog session_id=id on_done=on_resolved on_cancel=move || resolving.set(false) />
        </Show>
    }
}

/// For the engineer who escalated: where their escalation stands.
#[component]
fn OwnerEscalationNote(handoff: RwSignal<Option<Handoff>>) -> impl IntoView {
    move || {
        handoff.get().map(|h| {
            let words = match (&h.claimed_by, h.claimed_at) {
                (Some(by), Some(at)) => format!(
                    "{} picked up your escalation {}. You can both work here.",
                    by.name,
                    time_ago(Utc::now(), at)
                ),
                _ => "Escalated: waiting for a senior to pick it up. Everyone who works the queue has been told.".to_owned(),
            };
            view! {
                <p class="rounded-lg border border-cyan-200 bg-cyan-50 px-4 py-3 text-sm text-cyan-900" role="status" data-testid="escalation-note">
                    {words}
                </p>
            }
        })
    }
}

/// Suggestion chips put away for a session stay away in this tab.
const CHIPS_HIDDEN_KEY: &str = "rf-chips-hidden";

fn chips_key(session_id: SessionId) -> String {
    format!("{CHIPS_HIDDEN_KEY}:{session_id}")
}

/// The resolution flow's last step: the note, drafted by the assessor from the record and
/// editable before it is saved.
#[component]
fn ResolveDialog(
    session_id: SessionId,
    on_done: impl Fn(SessionDetail) + Copy + Send + Sync + 'static,
    on_cancel: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let api = use_api();
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let resolve = Call::new();
    let busy = resolve.pending();
    let draft = LocalResource::new(move || api.call(move || resolution_draft(session_id)));
    Effect::new(move |_| {
        if let Some(Ok(text)) = draft.get() {
            if note.get_untracked().is_empty() {
                note.set(text);
            }
        }
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = note.get_untracked();
        if text.trim().is_empty() {
            error.set(Some("Write what resolved it.".to_owned()));
            return;
        }
        error.set(None);
        resolve.run(async move {
            match api
                .call(move || resolve_session(session_id, text.clone()))
                .await
            {
                Ok(done) => on_done(done),
                Err(err) => error.set(Some(err.message)),
            }
        });
    };
    view! {
        <Dialog title="Resolve this session" test_id="resolve-dialog" on_cancel>
            <form on:submit=save>
                <label for="resolution-note" class="mt-3 block text-sm font-medium text-slate-900">"Resolution note"</label>
                <textarea
                    id="resolution-note"
                    rows="7"
                    class="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500"
                    placeholder=move || if draft.get().is_none() { "Drafting from the session…" } else { "What resolved it" }
                    prop:value=move || note.get()
                    on:input=move |ev| note.set(event_target_value(&ev))
                ></textarea>
                {error_note(error, "mt-1")}
                <div class="mt-6 flex justify-end gap-3">
                    <button type="button" class=SECONDARY on:click=move |_| on_cancel()>"Cancel"</button>
                    <button type="submit" class=PRIMARY disabled=move || busy.get()>"Resolve"</button>
                </div>
            </form>
        </Dialog>
    }
}

#[component]
fn Conversation(
    session_id: SessionId,
    messages: RwSignal<Vec<ChatMessage>>,
    can_write: Signal<bool>,
    suggestions: Signal<Vec<String>>,
    fixes: Fixes,
) -> impl IntoView {
    let api = use_api();
    let me = use_signed_in().user.id;
    let draft = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let composer = NodeRef::<html::Textarea>::new();
    let chips_hidden = RwSignal::new(false);
    Effect::new(move |_| {
        if Store::Session.get(&chips_key(session_id)).is_some() {
            chips_hidden.set(true);
        }
    });
    let hide_chips = move || {
        chips_hidden.set(true);
        Store::Session.set(&chips_key(session_id), "1");
    };

    let post = Call::new();
    let sending = post.pending();
    let send = move || {
        let body = draft.get_untracked();
        if body.trim().is_empty() || sending.get_untracked() {
            return;
        }
        error.set(None);
        post.run(async move {
            match api
                .call(move || send_message(session_id, body.clone()))
                .await
            {
                Ok(message) => {
                    messages.update(|all| all.push(message));
                    draft.set(String::new());
                    hide_chips();
                }
                // The draft stays where it is, so nothing typed is lost.
                Err(err) => error.set(Some(err.message)),
            }
        });
    };
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            send();
        }
    };
    let pick = move |step: String| {
        draft.set(step);
        if let Some(input) = composer.get() {
            let _ = input.focus();
        }
    };

    view! {
        <section class="flex min-h-[26rem] flex-col rounded-xl border border-slate-200 bg-white shadow-sm" aria-label="Conversation">
            <ol class="flex flex-1 flex-col gap-4 p-5" data-testid="conversation">
                <For each=move || messages.get() key=|m| m.id let:m>
                    <MessageRow m mine=me />
                </For>
                <Show when=move || messages.with(Vec::is_empty)>
                    <li class="m-auto max-w-sm text-center text-sm text-slate-500">
                        "No messages yet. Write down what you see and what you try; whoever picks this up reads it here."
                    </li>
                </Show>
            </ol>
            <Show when=move || can_write.get()>
                <FixBanner fixes />
            </Show>
            <Show when=move || can_write.get() && !chips_hidden.get() && !suggestions.with(Vec::is_empty)>
                <SuggestedSteps steps=suggestions.get() on_pick=pick on_dismiss=hide_chips />
            </Show>
            <Show
                when=move || can_write.get()
                fallback=|| view! {
                    <p class="border-t border-slate-100 px-5 py-4 text-sm text-slate-500" data-testid="read-only">
                        "You're reading this session. Pick it up to join the conversation."
                    </p>
                }
            >
                <form
                    class="flex items-end gap-2 border-t border-slate-100 p-4"
                    on:submit=move |ev| {
                        ev.prevent_default();
                        send();
                    }
                >
                    <div class="flex-1">
                        <label for="composer" class="sr-only">"Message"</label>
                        <textarea
                            id="composer"
                            node_ref=composer
                            rows="2"
                            class="block w-full resize-y rounded-md border border-slate-300 px-3 py-2 text-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500"
                            placeholder="Write a message. Enter sends, Shift+Enter for a new line."
                            prop:value=move || draft.get()
                            on:input=move |ev| draft.set(event_target_value(&ev))
                            on:keydown=on_keydown
                        ></textarea>
                        {error_note(error, "mt-1")}
                    </div>
                    <button
                        type="submit"
                        class=format!("inline-flex items-center gap-1.5 {PRIMARY_SMALL}")
                        disabled=move || sending.get() || draft.with(|d| d.trim().is_empty())
                    >
                        <Send />
                        "Send"
                    </button>
                </form>
            </Show>
        </section>
    }
}

#[component]
fn MessageRow(m: ChatMessage, mine: UserId) -> impl IntoView {
    let (name, avatar) = match &m.author {
        Some(author) if author.id == mine => (
            format!("{} (you)", author.name),
            "bg-indigo-100 text-indigo-700",
        ),
        Some(author) => (author.name.clone(), "bg-slate-100 text-slate-700"),
        None => ("Former member".to_owned(), "bg-slate-100 text-slate-500"),
    };
    let letters = m
        .author
        .as_ref()
        .map(|a| initials(&a.name))
        .unwrap_or_default();
    view! {
        <li class="flex gap-3" data-testid="message">
            <span class=format!("flex h-8 w-8 shrink-0 items-center justify-center rounded-full text-xs font-semibold {avatar}")>
                {letters}
            </span>
            <div class="min-w-0">
                <p class="text-xs text-slate-500">
                    <span class="font-medium text-slate-900">{name}</span>
                    " · "
                    <time datetime=m.created_at.to_rfc3339() title=format_time(m.created_at)>{time_ago(Utc::now(), m.created_at)}</time>
                </p>
                <p class="mt-0.5 whitespace-pre-wrap break-words text-sm text-slate-800">{m.body}</p>
            </div>
        </li>
    }
}

/// The steps tried so far and how they went; writers record new ones.
#[component]
fn Steps(
    session_id: SessionId,
    steps: RwSignal<Vec<SessionStep>>,
    can_write: Signal<bool>,
) -> impl IntoView {
    let api = use_api();
    let action = RwSignal::new(String::new());
    let outcome = RwSignal::new(StepOutcome::Failed);
    let error = RwSignal::new(None::<String>);
    let add = Call::new();
    let busy = add.pending();
    let record = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = action.get_untracked();
        if text.trim().is_empty() {
            error.set(Some("Say what you tried.".to_owned()));
            return;
        }
        error.set(None);
        let how = outcome.get_untracked().as_str().to_owned();
        add.run(async move {
            match api
                .call(move || add_step(session_id, text.clone(), Some(how.clone()), None))
                .await
            {
                Ok(step) => {
                    steps.update(|all| all.push(step));
                    action.set(String::new());
                }
                Err(err) => error.set(Some(err.message)),
            }
        });
    };
    view! {
        <section class="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby="steps-title">
            <h2 id="steps-title" class="text-sm font-semibold text-slate-900">"Steps tried"</h2>
            <Show
                when=move || !steps.with(Vec::is_empty)
                fallback=|| view! { <p class="mt-2 text-sm text-slate-500">"None recorded yet."</p> }
            >
                <ol class="mt-2 space-y-2 text-sm" data-testid="steps">
                    <For each=move || steps.get() key=|s| s.id let:step>
                        <li class="flex gap-2">
                            <span class="w-5 shrink-0 text-right text-slate-400">{format!("{}.", step.position)}</span>
                            <span class="min-w-0 flex-1 text-slate-700">
                                {step.action.clone()} " " <OutcomePill outcome=step.outcome />
                            </span>
                        </li>
                    </For>
                </ol>
            </Show>
            <Show when=move || can_write.get()>
                <form class="mt-4 flex flex-col gap-2 border-t border-slate-100 pt-3" on:submit=record>
                    <label for="step-action" class="text-xs font-medium text-slate-700">"Record a step"</label>
                    <input
                        id="step-action"
                        class="block w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500"
                        placeholder="What did you try?"
                        prop:value=move || action.get()
                        on:input=move |ev| action.set(event_target_value(&ev))
                    />
                    <div class="flex gap-2">
                        <select
                            class="min-w-0 flex-1 rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm"
                            aria-label="How did it go?"
                            on:change=move |ev| {
                                if let Some(how) = StepOutcome::parse(&event_target_value(&ev)) {
                                    outcome.set(how);
                                }
                            }
                        >
                            <option value="failed" selected>"Didn't work"</option>
                            <option value="worked">"Worked"</option>
                            <option value="partial">"Partly worked"</option>
                            <option value="pending">"Waiting to see"</option>
                        </select>
                        <button
                            type="submit"
                            disabled=move || busy.get()
                            class=SECONDARY_SMALL
                        >
                            "Add"
                        </button>
                    </div>
                    {error_note(error, "")}
                </form>
            </Show>
        </section>
    }
}
