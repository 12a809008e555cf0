//! EscalationQueue: the account's unclaimed escalations, newest first, live over the stream.
//!
//! A new one slides in (not under `prefers-reduced-motion`) and flashes the tab title while the
//! tab is hidden; one claimed anywhere leaves every queue at once. An unread dot marks cards not
//! yet opened in this browser (`rf-escalation-seen` in localStorage, the latest 200 ids); it
//! clears when the card is opened or picked up, never on hover. A card opens to show the
//! reason, the steps on record, the AI confidence and the PSA ticket; one at a time (an
//! exclusive `<details>` group, so this works without JavaScript too). Pick Up claims without
//! also opening the card.

use super::ui::PRIMARY_SMALL;
use super::{
    badges::{confidence_words, TicketBadge},
    claim::{claim_handoff, Claimed},
    escalation_feed::{use_escalation_feed, FeedEvent, FeedStatus},
    presence::{names, PresenceBoard},
    storage::Store,
    time::ago,
    toast::use_toasts,
    visitor::{use_api, use_signed_in, LoadError},
};
use crate::api::handoffs::queue;
use crate::api::loaded::loaded;
use leptos::{html, prelude::*};
use leptos_router::hooks::use_navigate;
use std::collections::HashSet;
use vocab::{events::EscalationEvent, handoffs::QueueItem, ids::HandoffId};

/// How often a viewer's queue is fetched again.
#[cfg(feature = "hydrate")]
const VIEWER_REFRESH_MS: u32 = 30_000;

#[component]
pub fn EscalationQueue() -> impl IntoView {
    let loaded = loaded(|| (), |_| queue());
    let status = use_escalation_feed().status;
    let viewer = !use_signed_in().user.role.can_work();
    view! {
        <section class="rounded-xl border border-slate-200 bg-white shadow-sm" aria-labelledby="queue-title" data-testid="escalation-queue">
            <header class="flex items-center justify-between border-b border-slate-100 px-5 py-4">
                <div>
                    <h2 id="queue-title" class="text-base font-semibold text-slate-900">"Escalation queue"</h2>
                    <p class="mt-0.5 text-sm text-slate-600">"Sessions your team needs a senior for."</p>
                </div>
                {move || match status.get() {
                    FeedStatus::Idle if viewer => view! {
                        <span class="text-xs font-medium text-slate-600" data-testid="feed-status">"Updates every 30 s"</span>
                    }.into_any(),
                    FeedStatus::Live => view! {
                        <span class="inline-flex items-center gap-1.5 text-xs font-medium text-emerald-700" data-testid="feed-status">
                            <span class="h-2 w-2 rounded-full bg-emerald-500"></span>"Live"
                        </span>
                    }.into_any(),
                    FeedStatus::Reconnecting => view! {
                        <span class="inline-flex items-center gap-1.5 text-xs font-medium text-amber-700" data-testid="feed-status">
                            <span class="h-2 w-2 animate-pulse rounded-full bg-amber-500"></span>"Reconnecting…"
                        </span>
                    }.into_any(),
                    FeedStatus::Idle => ().into_any(),
                }}
            </header>
            <Suspense fallback=|| view! { <p class="px-5 py-8 text-sm text-slate-600">"Loading the queue…"</p> }>
                {move || Suspend::new(async move {
                    match loaded.await {
                        Ok(items) => view! { <QueueList initial=items /> }.into_any(),
                        Err(err) => view! { <div class="px-5 pb-8"><LoadError err /></div> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn QueueList(initial: Vec<QueueItem>) -> impl IntoView {
    let can_claim = use_signed_in().user.role.can_work();
    let api = use_api();
    let items = RwSignal::new(initial);
    // Cards that arrived while the page was open: only those slide in.
    let arrived = RwSignal::new(HashSet::<HandoffId>::new());
    let seen = SeenEscalations::load();
    let flash = TitleFlash::new();

    // Whichever event's reload sees a card first announces it: two reloads can cross (a new
    // escalation's assessment often lands before its own reload answers).
    let reload = move || {
        leptos::task::spawn_local(async move {
            let Ok(fresh) = api.call(queue).await else {
                return;
            };
            let known: HashSet<HandoffId> =
                items.with_untracked(|all| all.iter().map(|q| q.handoff_id).collect());
            let new: Vec<HandoffId> = fresh
                .iter()
                .map(|q| q.handoff_id)
                .filter(|id| !known.contains(id))
                .collect();
            if !new.is_empty() {
                flash.start();
                arrived.update(|a| a.extend(new));
            }
            items.set(fresh);
        })
    };
    // A viewer holds no stream (docs/API.md §9): their queue is fetched again every 30 s while
    // the tab is shown, and at once when a hidden tab is shown again.
    #[cfg(feature = "hydrate")]
    if !can_claim {
        let reload_if_shown = move || {
            if !document().hidden() {
                reload();
            }
        };
        let polling = gloo_timers::callback::Interval::new(VIEWER_REFRESH_MS, reload_if_shown);
        let polling = send_wrapper::SendWrapper::new(polling);
        let shown = window_event_listener_untyped("visibilitychange", move |_| reload_if_shown());
        on_cleanup(move || {
            drop(polling);
            shown.remove();
        });
    }
    use_escalation_feed().listen(move |event| match event {
        FeedEvent::Escalation(EscalationEvent::HandoffClaimed { handoff_id, .. }) => {
            let gone = *handoff_id;
            items.update(|all| all.retain(|q| q.handoff_id != gone));
        }
        // Resolved while it waited: nothing left to pick up.
        FeedEvent::Escalation(EscalationEvent::SessionResolved { session_id }) => {
            let done = *session_id;
            items.update(|all| all.retain(|q| q.session_id != done));
        }
        FeedEvent::Escalation(
            EscalationEvent::HandoffCreated { .. } | EscalationEvent::HandoffAssessmentReady { .. },
        )
        | FeedEvent::Resync => reload(),
        FeedEvent::Escalation(_) => {}
    });
    let remove = move |id: HandoffId| items.update(|all| all.retain(|q| q.handoff_id != id));

    view! {
        <Show
            when=move || items.with(|all| !all.is_empty())
            fallback=|| view! {
                <p class="px-5 py-10 text-center text-sm text-slate-600" data-testid="queue-empty">
                    "No one is waiting. New escalations appear here the moment they're raised."
                </p>
            }
        >
            <ul class="flex flex-col gap-3 p-4">
                <For each=move || items.get() key=|q| q.handoff_id let:item>
                    <QueueCard item arrived seen can_claim on_lost=remove />
                </For>
            </ul>
        </Show>
    }
}

#[component]
fn QueueCard(
    item: QueueItem,
    arrived: RwSignal<HashSet<HandoffId>>,
    seen: SeenEscalations,
    can_claim: bool,
    on_lost: impl Fn(HandoffId) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let api = use_api();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let id = item.handoff_id;
    let claiming = RwSignal::new(false);
    let details = NodeRef::<html::Details>::new();
    let pick_up = move |ev: leptos::ev::MouseEvent| {
        // The button sits on the card: picking up must not also open it.
        ev.stop_propagation();
        claiming.set(true);
        seen.mark(id);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match claim_handoff(api, toasts, id).await {
                Claimed::Won(handoff) => navigate(
                    &format!("/pilot/{}?pickup=true", handoff.session_id),
                    Default::default(),
                ),
                Claimed::Lost => on_lost(id),
                Claimed::Failed => claiming.set(false),
            }
        });
    };
    let card_class = move || {
        let slide = if arrived.with(|a| a.contains(&id)) {
            " motion-safe:animate-slide-in"
        } else {
            ""
        };
        format!("relative rounded-lg border border-slate-200 bg-white shadow-xs hover:border-slate-300{slide}")
    };
    let ticket = item.psa_ticket_id.clone();
    let (session_id, me, escalator) = (item.session_id, use_signed_in().user.id, item.from_user.id);
    let presence = PresenceBoard::get();
    // Colleagues looking at it, not the engineer who is waiting for them.
    let viewing = move || {
        let mut others = presence.others(session_id, me);
        others.retain(|p| p.user.id != escalator);
        (!others.is_empty()).then(|| {
            let verb = if others.len() == 1 { "is" } else { "are" };
            view! {
                <p class="mt-2 inline-flex items-center gap-1.5 text-xs font-medium text-cyan-800" data-testid="card-viewers">
                    <span class="h-1.5 w-1.5 rounded-full bg-cyan-500" aria-hidden="true"></span>
                    {format!("{} {verb} viewing", names(&others))}
                </p>
            }
        })
    };
    view! {
        <li class=card_class data-testid="escalation-card" data-handoff-id=id.to_string()>
            <Show when=move || seen.is_unseen(id)>
                <span class="absolute right-2 top-2 h-1.5 w-1.5 rounded-full bg-indigo-500" data-testid="unread-dot" title="New"></span>
            </Show>
            <details
                name="rf-escalations"
                class="group"
                node_ref=details
                on:toggle=move |_| {
                    if details.get().is_some_and(|d| d.open()) {
                        seen.mark(id);
                    }
                }
            >
                <summary class="cursor-pointer list-none rounded-lg p-4 pr-32 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 [&::-webkit-details-marker]:hidden">
                    <p class="text-sm text-slate-600">
                        <span class="font-medium text-slate-900">{item.from_user.name.clone()}</span>
                        " escalated · "
                        {ago(item.created_at)}
                    </p>
                    <p class="mt-1 line-clamp-2 text-sm font-medium text-slate-900">{item.problem_summary.clone()}</p>
                    {ticket.clone().map(|t| view! { <div class="mt-2"><TicketBadge ticket=t /></div> })}
                    {viewing}
                </summary>
                <dl class="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 border-t border-slate-100 px-4 py-3 text-sm" data-testid="escalation-details">
                    <dt class="text-slate-600">"Reason"</dt>
                    <dd class="whitespace-pre-wrap text-slate-900">{item.reason.clone()}</dd>
                    <dt class="text-slate-600">"Steps on record"</dt>
                    <dd class="text-slate-900">{item.step_count}</dd>
                    <dt class="text-slate-600">"AI confidence"</dt>
                    <dd class="text-slate-900">{confidence_words(item.confidence_tier)}</dd>
                    <dt class="text-slate-600">"PSA ticket"</dt>
                    <dd class="text-slate-900">{ticket.map(|t| format!("#{t}")).unwrap_or_else(|| "None".to_owned())}</dd>
                </dl>
            </details>
            {can_claim.then(|| view! {
                <button
                    type="button"
                    class=format!("absolute right-4 top-4 {PRIMARY_SMALL}")
                    disabled=move || claiming.get()
                    on:click=pick_up.clone()
                >
                    {move || if claiming.get() { "Picking up…" } else { "Pick Up" }}
                </button>
            })}
        </li>
    }
}

const SEEN_KEY: &str = "rf-escalation-seen";
const SEEN_CAP: usize = 200;

/// The escalations this browser has opened or picked up. Unknown (`None`) on the server and
/// until hydration, so the first render shows no dots either way.
#[derive(Clone, Copy)]
pub struct SeenEscalations(RwSignal<Option<Vec<HandoffId>>>);

impl SeenEscalations {
    fn load() -> Self {
        let seen = Self(RwSignal::new(None));
        Effect::new(move |_| seen.0.set(Some(read_seen())));
        seen
    }

    fn is_unseen(self, id: HandoffId) -> bool {
        self.0
            .with(|s| s.as_ref().is_some_and(|s| !s.contains(&id)))
    }

    /// Remembers `id`, keeping only the latest [`SEEN_CAP`] (other tabs may have added some).
    fn mark(self, id: HandoffId) {
        let mut ids = read_seen();
        ids.retain(|other| *other != id);
        ids.push(id);
        let excess = ids.len().saturating_sub(SEEN_CAP);
        ids.drain(..excess);
        write_seen(&ids);
        self.0.set(Some(ids));
    }
}

fn read_seen() -> Vec<HandoffId> {
    Store::Local
        .get(SEEN_KEY)
        .and_then(|json| serde_json::from_slice(json.as_bytes()).ok())
        .unwrap_or_default()
}

fn write_seen(ids: &[HandoffId]) {
    if let Ok(json) = serde_json::to_string(ids) {
        Store::Local.set(SEEN_KEY, &json);
    }
}

/// Alternates the tab title with a notice while the tab is hidden, until it is shown again.
#[derive(Clone, Copy)]
struct TitleFlash {
    #[cfg(feature = "hydrate")]
    timer: StoredValue<Option<gloo_timers::callback::Interval>, LocalStorage>,
    #[cfg(feature = "hydrate")]
    original: StoredValue<String>,
}

impl TitleFlash {
    fn new() -> Self {
        let flash = Self {
            #[cfg(feature = "hydrate")]
            timer: StoredValue::new_local(None),
            #[cfg(feature = "hydrate")]
            original: StoredValue::new(String::new()),
        };
        #[cfg(feature = "hydrate")]
        {
            let handle = window_event_listener_untyped("visibilitychange", move |_| {
                if !document().hidden() {
                    flash.stop();
                }
            });
            on_cleanup(move || {
                handle.remove();
                flash.stop();
            });
        }
        flash
    }

    fn start(self) {
        #[cfg(feature = "hydrate")]
        {
            let doc = document();
            if !doc.hidden() || self.timer.with_value(Option::is_some) {
                return;
            }
            let original = doc.title();
            self.original.set_value(original.clone());
            let mut on = false;
            let timer = gloo_timers::callback::Interval::new(1000, move || {
                on = !on;
                document().set_title(if on { "● New escalation" } else { &original });
            });
            document().set_title("● New escalation");
            self.timer.set_value(Some(timer));
        }
    }

    #[cfg(feature = "hydrate")]
    fn stop(self) {
        if self
            .timer
            .try_update_value(Option::take)
            .flatten()
            .is_some()
        {
            document().set_title(&self.original.get_value());
        }
    }
}
