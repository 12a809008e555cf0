//! The pilot page, `/pilot/:session_id`: one troubleshooting
//! session's conversation and steps, the sidebar of my sessions, escalation, and, with
//! `?pickup=true`, the pick-up screen for the senior taking it over.

mod conversation;
mod dialogs;
mod steps;

use crate::{
    api::{
        handoffs::get_handoff,
        loaded::loaded,
        sessions::{get_session, list_sessions},
    },
    components::{
        badges::{StatusPill, TicketBadge},
        call::Call,
        escalate_modal::EscalateModal,
        escalation_feed::{use_escalation_feed, FeedEvent},
        fixes::{FixRecorder, Fixes, FixesPanel},
        pickup::PickupPanel,
        presence::{names, PresenceBoard, Reporter},
        retry::retried,
        session_sidebar::{SessionSidebar, SessionsResource},
        time::ago,
        toast::{use_toasts, Tone},
        visitor::{use_api, use_signed_in, Api, LoadError, RequireUser},
    },
    pages::not_found::NotFound,
};
use conversation::{Composer, Conversation};
use dialogs::{EscalateIntercept, ResolveDialog};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use steps::Steps;
use vocab::{
    error::{ApiError, ErrorCode},
    events::EscalationEvent,
    handoffs::{Handoff, Intent},
    ids::{SessionId, UserId},
    sessions::{ChatMessage, SessionDetail, SessionStatus, SessionStep},
    users::{User, UserRef},
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
        // The session first, then the list of the others: on a phone the conversation is what
        // fits on the screen, the list below it; from `lg` up the list is the left column.
        <div class="mx-auto grid w-full max-w-7xl flex-1 items-start gap-6 px-4 py-6 sm:px-6 lg:grid-cols-[17rem_1fr]">
            <div class="min-w-0 lg:col-start-2 lg:row-start-1">
                <Suspense fallback=|| view! { <p class="text-sm text-slate-600">"Loading the session…"</p> }>
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
            <div class="lg:col-start-1 lg:row-start-1">
                <SessionSidebar sessions current=session_id />
            </div>
        </div>
    }
}

/// Which of the page's dialogs is open (one at a time).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Open {
    Escalate,
    /// Escalate was asked for while a fix still owes an outcome.
    Intercept,
    Resolve,
}

/// What the page knows of its session while it is open: what it loaded, then what happens
/// here (messages sent, steps recorded, the escalation and its claim), without a reload; and
/// from that, what the signed-in person may do.
#[derive(Clone, Copy)]
struct SessionState {
    id: SessionId,
    me: StoredValue<UserRef>,
    is_owner: bool,
    works: bool,
    status: RwSignal<SessionStatus>,
    claimer: RwSignal<Option<UserRef>>,
    handoff: RwSignal<Option<Handoff>>,
    messages: RwSignal<Vec<ChatMessage>>,
    steps: RwSignal<Vec<SessionStep>>,
    fixes: Fixes,
    resolution: RwSignal<Option<String>>,
    open: RwSignal<Option<Open>>,
    settling: Call,
}

impl SessionState {
    fn new(detail: &SessionDetail, me: &User) -> Self {
        SessionState {
            id: detail.id,
            me: StoredValue::new(UserRef {
                id: me.id,
                name: me.name.clone(),
            }),
            is_owner: me.id == detail.owner.id,
            works: me.role.can_work(),
            status: RwSignal::new(detail.status),
            claimer: RwSignal::new(detail.escalated_to.clone()),
            handoff: RwSignal::new(detail.handoff.clone()),
            messages: RwSignal::new(detail.messages.clone()),
            steps: RwSignal::new(detail.steps.clone()),
            fixes: RwSignal::new(detail.fixes.clone()),
            resolution: RwSignal::new(detail.resolution_note.clone()),
            open: RwSignal::new(None),
            settling: Call::new(),
        }
    }

    fn my_id(self) -> UserId {
        self.me.with_value(|me| me.id)
    }

    /// The escalation's claim and assessment can change while the page is open.
    fn follow_escalation(self, api: Api) {
        use_escalation_feed().listen(move |event| {
            let Some(ours) = self.handoff.with_untracked(|h| h.as_ref().map(|h| h.id)) else {
                return;
            };
            // A pick-up moves the session on too: its status, who has it, what each may do. (On
            // a resync `follow_conversation` fetches the session.)
            let (concerns_us, picked_up) = match event {
                FeedEvent::Escalation(e) => (
                    e.handoff_id() == Some(ours),
                    matches!(e, EscalationEvent::HandoffClaimed { .. }),
                ),
                FeedEvent::Resync => (true, false),
            };
            if concerns_us {
                leptos::task::spawn_local(async move {
                    if let Ok(fresh) = api.call(move || get_handoff(ours)).await {
                        self.handoff.set(Some(fresh));
                    }
                });
                if picked_up {
                    self.catch_up(api);
                }
            }
        });
    }

    /// The other side writes too (docs/API.md §9): a message announced for this session that the
    /// page does not have yet, its resolve, or a stream back after a gap, has the page fetch the
    /// session again, which brings every message in order, each once, and where it stands.
    fn follow_conversation(self, api: Api) {
        use_escalation_feed().listen(move |event| {
            let fetch = match event {
                FeedEvent::Escalation(EscalationEvent::SessionMessage {
                    session_id,
                    message_id,
                }) => {
                    *session_id == self.id
                        && !self
                            .messages
                            .with_untracked(|all| all.iter().any(|m| m.id == *message_id))
                }
                FeedEvent::Escalation(EscalationEvent::SessionResolved { session_id }) => {
                    *session_id == self.id
                }
                FeedEvent::Resync => true,
                FeedEvent::Escalation(_) => false,
            };
            if fetch {
                self.catch_up(api);
            }
        });
    }

    /// Fetches the session again and takes it in. The event that asked for it does not come
    /// again, so a fetch that fails to reach the server (the network not quite back, a server
    /// restarting) is tried again (`retry`) for as long as the page is open; an answer (gone,
    /// no longer ours to read) is not worth asking again.
    fn catch_up(self, api: Api) {
        let id = self.id;
        leptos::task::spawn_local(async move {
            let fresh = retried(
                None,
                move || api.call(move || get_session(id)),
                |err: &ApiError| err.error == ErrorCode::Internal && !self.status.is_disposed(),
            )
            .await;
            if let (Ok(fresh), false) = (fresh, self.status.is_disposed()) {
                self.caught_up(fresh);
            }
        });
    }

    /// Takes in the session as the server has it now.
    fn caught_up(self, fresh: SessionDetail) {
        self.messages
            .update(|all| merge_messages(all, fresh.messages));
        self.steps.set(fresh.steps);
        self.fixes.set(fresh.fixes);
        self.status.set(fresh.status);
        self.claimer.set(fresh.escalated_to);
        self.resolution.set(fresh.resolution_note);
    }

    fn claimed_by_me(self) -> bool {
        let me = self.my_id();
        self.claimer
            .with(|c| c.as_ref().is_some_and(|c| c.id == me))
    }

    /// Its owner, and the senior who picked it up, write to it (docs/API.md §5).
    fn is_writer(self) -> bool {
        self.works && (self.is_owner || self.claimed_by_me())
    }

    /// Messages, steps, fixes and Resolve: a writer's, while the session is open.
    fn can_work(self) -> bool {
        self.is_writer() && self.status.get().is_open()
    }

    fn can_escalate(self) -> bool {
        self.is_owner && self.works && self.status.get().can_hand_on()
    }

    /// Why the conversation has no message box, for whoever sees none.
    fn read_only_reason(self) -> String {
        if !self.status.get().is_open() {
            return "This session is resolved. Its conversation stays as it was.".to_owned();
        }
        if !self.works {
            return "You're reading this session: viewers see the team's work but don't write to it."
                .to_owned();
        }
        match (self.status.get(), self.claimer.get()) {
            (SessionStatus::Escalated, Some(by)) => {
                format!("{} picked this session up; you're reading it.", by.name)
            }
            _ => "You're reading this session. Pick it up to join the conversation.".to_owned(),
        }
    }

    /// Escalating with a fix that still owes an outcome: ask first.
    fn escalate(self) {
        let owing = self
            .fixes
            .with(|all| all.iter().any(|f| f.status.needs_outcome()));
        self.open.set(Some(if owing {
            Open::Intercept
        } else {
            Open::Escalate
        }));
    }

    /// Resolving settles fixes awaiting verification as worked, then asks for the note.
    fn resolve(self) {
        let recorder = FixRecorder::new(self.fixes);
        self.settling.run(async move {
            if recorder.settle_pending().await {
                self.open.set(Some(Open::Resolve));
            }
        });
    }

    fn resolved(self, done: SessionDetail) {
        self.open.set(None);
        self.status.set(done.status);
        self.resolution.set(done.resolution_note);
    }

    fn claimed(self) {
        self.claimer.set(Some(self.me.get_value()));
        self.status.set(SessionStatus::Escalated);
    }

    fn escalated(self, created: Handoff) {
        self.open.set(None);
        if created.intent == Intent::Escalate {
            self.status.set(SessionStatus::RequestingEscalation);
            self.handoff.set(Some(created));
        } else {
            self.status.set(SessionStatus::Parked);
        }
    }

    /// The assessment's suggested steps, as chips for the senior who picked the session up.
    /// While the pick-up card is on screen it lists them itself (each one fills the message
    /// box), so they are shown once: no chips then.
    fn suggestions(self, pickup: bool) -> Vec<String> {
        let me = self.my_id();
        self.handoff.with(|h| {
            h.as_ref()
                .filter(|h| !pickup && h.claimed_by.as_ref().is_some_and(|c| c.id == me))
                .and_then(|h| h.ai_assessment.as_ref())
                .map(|a| a.suggested_steps.clone())
                .unwrap_or_default()
        })
    }
}

/// `mine` with every message of `fresh` it lacks, oldest first: a message sent here and one
/// fetched since are the same message, shown once.
fn merge_messages(mine: &mut Vec<ChatMessage>, fresh: Vec<ChatMessage>) {
    for message in fresh {
        if !mine.iter().any(|m| m.id == message.id) {
            mine.push(message);
        }
    }
    mine.sort_by_key(|m| (m.created_at, m.id));
}

/// One session, loaded: its header, the pick-up panel, the conversation, fixes and steps, and
/// the dialogs that escalate and resolve it.
#[component]
fn Workspace(
    detail: SessionDetail,
    pickup: Memo<bool>,
    sessions: SessionsResource,
) -> impl IntoView {
    let api = use_api();
    let toasts = use_toasts();
    let state = SessionState::new(&detail, &use_signed_in().user);
    state.follow_escalation(api);
    state.follow_conversation(api);
    let presence = state.works.then(|| Reporter::start(api, state.id));
    let SessionState {
        id,
        is_owner,
        handoff,
        messages,
        steps,
        fixes,
        resolution,
        open,
        ..
    } = state;
    let can_work = Signal::derive(move || state.can_work());
    let read_only = Signal::derive(move || state.read_only_reason());
    let on_resolved = move |done: SessionDetail| {
        state.resolved(done);
        toasts.push(Tone::Success, "Resolved. The note is on the session.");
        sessions.refetch();
    };
    let on_claimed = move |_won: Handoff| {
        state.claimed();
        sessions.refetch();
    };
    let on_escalated = move |created: Handoff| {
        let escalated = created.intent == Intent::Escalate;
        state.escalated(created);
        toasts.push(
            Tone::Success,
            if escalated {
                "Escalated. Everyone who works the queue has been told."
            } else {
                "Parked. It stays in your sessions until you come back to it."
            },
        );
        sessions.refetch();
    };
    let composer = Composer::default();
    let close = move || open.set(None);
    let is_open = move |which: Open| open.get() == Some(which);

    view! {
        <Title text=detail.problem_summary.clone() />
        <div class="flex min-w-0 flex-col gap-5">
            {header(&detail, state)}
            {move || resolution.get().map(|note| view! {
                <section class="rounded-lg border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-900" data-testid="resolution">
                    <h2 class="font-semibold">"Resolution"</h2>
                    <p class="mt-1 whitespace-pre-wrap">{note}</p>
                    {state.is_writer().then(|| view! {
                        <a href=format!("/kb?write={id}") class="mt-2 inline-block font-medium text-emerald-800 underline-offset-2 hover:underline">
                            "Write it up for the knowledge base →"
                        </a>
                    })}
                </section>
            })}
            {move || (!pickup.get() && is_owner).then(|| view! { <OwnerEscalationNote handoff /> })}
            <Show when=move || pickup.get() && handoff.with(Option::is_some) && state.status.get().is_open()>
                <PickupPanel handoff on_claimed on_pick=move |step| composer.fill(step) />
            </Show>
            <div class="grid items-start gap-5 xl:grid-cols-[1fr_18rem]">
                <Conversation session_id=id messages can_write=can_work read_only suggestions=Signal::derive(move || state.suggestions(pickup.get())) composer fixes presence />
                <div class="flex flex-col gap-5">
                    <FixesPanel session_id=id fixes can_write=can_work closed=Signal::derive(move || !state.status.get().is_open()) />
                    <Steps session_id=id steps can_write=can_work />
                </div>
            </div>
        </div>
        <Show when=move || is_open(Open::Escalate)>
            <EscalateModal session_id=id on_done=on_escalated on_cancel=close />
        </Show>
        <Show when=move || is_open(Open::Intercept)>
            <EscalateIntercept fixes on_escalate=move || open.set(Some(Open::Escalate)) on_cancel=close />
        </Show>
        <Show when=move || is_open(Open::Resolve)>
            <ResolveDialog session_id=id on_done=on_resolved on_cancel=close />
        </Show>
    }
}

/// The session's ticket, status, title and opener, and its Resolve and Escalate.
fn header(detail: &SessionDetail, state: SessionState) -> impl IntoView {
    let status = state.status;
    let settling = state.settling.pending();
    view! {
        // The actions keep their place, top right from `sm` up and under the title on a phone,
        // whatever the title's length.
        <header class="grid items-start gap-4 sm:grid-cols-[minmax(0,1fr)_auto]">
            <div class="min-w-0">
                <div class="flex flex-wrap items-center gap-2">
                    {detail.psa_ticket_id.clone().map(|t| view! { <TicketBadge ticket=t /> })}
                    {move || view! { <StatusPill status=status.get() claimer=state.claimer.get().map(|c| c.name) /> }}
                </div>
                <h1 class="mt-1 text-xl font-semibold tracking-tight text-slate-900" data-testid="session-title">
                    {detail.problem_summary.clone()}
                </h1>
                <p class="mt-1 text-sm text-slate-600">
                    {format!("Opened by {} · ", detail.owner.name)}
                    {ago(detail.created_at)}
                </p>
                {also_here(state)}
            </div>
            <div class="flex gap-2">
                <Show when=move || state.can_work()>
                    <button
                        type="button"
                        class="rounded-md border border-emerald-300 bg-emerald-50 px-4 py-2 text-sm font-semibold text-emerald-900 shadow-xs hover:bg-emerald-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-emerald-500 disabled:opacity-60"
                        disabled=move || settling.get()
                        on:click=move |_| state.resolve()
                    >
                        "Resolve"
                    </button>
                </Show>
                <Show when=move || state.can_escalate()>
                    <button
                        type="button"
                        class="rounded-md border border-amber-300 bg-amber-50 px-4 py-2 text-sm font-semibold text-amber-900 shadow-xs hover:bg-amber-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-amber-500"
                        on:click=move |_| state.escalate()
                    >
                        "Escalate"
                    </button>
                </Show>
            </div>
        </header>
    }
}

/// Who else has the session open now.
fn also_here(state: SessionState) -> impl IntoView {
    let board = PresenceBoard::get();
    let (id, me) = (state.id, state.my_id());
    move || {
        let others = board.others(id, me);
        (!others.is_empty()).then(|| view! {
            <p class="mt-2 inline-flex items-center gap-1.5 text-xs font-medium text-cyan-800" data-testid="also-here">
                <span class="h-1.5 w-1.5 rounded-full bg-cyan-500" aria-hidden="true"></span>
                {format!("Also here: {}", names(&others))}
            </p>
        })
    }
}

/// For the engineer who escalated: where their escalation stands.
#[component]
fn OwnerEscalationNote(handoff: RwSignal<Option<Handoff>>) -> impl IntoView {
    move || {
        handoff.get().map(|h| {
            let words = match (&h.claimed_by, h.claimed_at) {
                (Some(by), Some(at)) => view! {
                    {format!("{} picked up your escalation ", by.name)}
                    {ago(at)}
                    ". You can both work here."
                }
                .into_any(),
                _ => "Escalated: waiting for a senior to pick it up. Everyone who works the queue has been told.".into_any(),
            };
            view! {
                <p class="rounded-lg border border-cyan-200 bg-cyan-50 px-4 py-3 text-sm text-cyan-900" role="status" data-testid="escalation-note">
                    {words}
                </p>
            }
        })
    }
}
