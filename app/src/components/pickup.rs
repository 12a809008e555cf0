//! The pick-up screen's parts (`/pilot/:id?pickup=true`): the handoff's context (who escalated,
//! why, the steps so far, the ticket), the claim, and the AI assessment, which fills in by
//! itself when `handoff_assessment_ready` arrives; for the senior who picked it up, each of its
//! suggested steps fills the message box. Also the suggested-step chips the claimer gets above
//! the message box once the pick-up screen is left.

use super::call::Call;
use super::ui::PRIMARY;
use super::{
    badges::{confidence_words, OutcomePill, TicketBadge},
    claim::{claim_handoff, Claimed},
    icons::Sparkles,
    time::ago,
    toast::{use_toasts, DismissButton},
    visitor::{use_api, use_signed_in},
};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use vocab::handoffs::{Assessment, AssessmentStatus, Handoff, SnapshotStep};

#[component]
pub fn PickupPanel(
    handoff: RwSignal<Option<Handoff>>,
    on_claimed: impl Fn(Handoff) + Copy + Send + Sync + 'static,
    /// Puts a suggested step in the message box.
    on_pick: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let me = use_signed_in().user.id;
    move || {
        handoff.get().map(|h| {
            let mine = h.claimed_by.as_ref().is_some_and(|c| c.id == me);
            let steps = h.snapshot.steps.clone();
            let ticket = h.snapshot.psa_ticket_id.clone();
            view! {
                <section class="rounded-xl border border-indigo-200 bg-white shadow-sm" data-testid="pickup-panel">
                    <header class="flex flex-wrap items-start justify-between gap-4 border-b border-slate-100 px-5 py-4">
                        <div>
                            <p class="text-xs font-semibold uppercase tracking-wide text-indigo-600">"Escalation"</p>
                            <h2 class="mt-1 text-base font-semibold text-slate-900">
                                {format!("{} needs a senior", h.from_user.name)}
                            </h2>
                            <p class="mt-0.5 text-sm text-slate-600">
                                "Escalated " {ago(h.created_at)}
                            </p>
                            {ticket.map(|t| view! { <div class="mt-2"><TicketBadge ticket=t /></div> })}
                        </div>
                        <ClaimState handoff=h.clone() on_claimed=move |won| {
                            handoff.set(Some(won.clone()));
                            on_claimed(won);
                        } />
                    </header>
                    <div class="grid gap-6 px-5 py-4 lg:grid-cols-2">
                        <div class="space-y-4">
                            <div>
                                <h3 class="text-sm font-semibold text-slate-900">"Why it was escalated"</h3>
                                <p class="mt-1 whitespace-pre-wrap text-sm text-slate-700" data-testid="pickup-reason">{h.reason.clone()}</p>
                            </div>
                            <div>
                                <h3 class="text-sm font-semibold text-slate-900">"Steps so far"</h3>
                                <StepsSoFar steps />
                            </div>
                        </div>
                        <AssessmentCard status=h.assessment_status assessment=h.ai_assessment.clone() on_pick=mine.then_some(on_pick) />
                    </div>
                </section>
            }
        })
    }
}

#[component]
fn StepsSoFar(steps: Vec<SnapshotStep>) -> impl IntoView {
    if steps.is_empty() {
        return view! { <p class="mt-1 text-sm text-slate-600">"No steps on record."</p> }
            .into_any();
    }
    view! {
        <ol class="mt-2 space-y-2 text-sm">
            {steps
                .into_iter()
                .enumerate()
                .map(|(i, step)| view! {
                    <li class="flex gap-2">
                        <span class="w-5 shrink-0 text-right text-slate-500">{format!("{}.", i + 1)}</span>
                        <span class="min-w-0 flex-1 text-slate-700">
                            {step.action}
                            " "
                            <OutcomePill outcome=step.outcome />
                            {step.notes.map(|n| view! { <span class="block text-xs text-slate-600">{n}</span> })}
                        </span>
                    </li>
                })
                .collect_view()}
        </ol>
    }
    .into_any()
}

/// Who holds the escalation, or the button to take it.
#[component]
fn ClaimState(
    handoff: Handoff,
    on_claimed: impl Fn(Handoff) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let me = use_signed_in().user;
    if let (Some(by), Some(at)) = (&handoff.claimed_by, handoff.claimed_at) {
        let (class, who) = if by.id == me.id {
            ("bg-emerald-50 text-emerald-800", "You".to_owned())
        } else {
            ("bg-slate-100 text-slate-700", by.name.clone())
        };
        return view! {
            <p class=format!("rounded-md px-3 py-1.5 text-sm font-medium {class}") data-testid="claim-state">
                {who} " picked this up " {ago(at)}
            </p>
        }
        .into_any();
    }
    if handoff.from_user.id == me.id || !me.role.can_work() {
        return view! {
            <p class="rounded-md bg-amber-50 px-3 py-1.5 text-sm font-medium text-amber-800" data-testid="claim-state">
                "Waiting for a senior"
            </p>
        }
        .into_any();
    }
    let api = use_api();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let claim = Call::new();
    let busy = claim.pending();
    let id = handoff.id;
    let pick_up = move |_| {
        let navigate = navigate.clone();
        claim.run(async move {
            match claim_handoff(api, toasts, id).await {
                Claimed::Won(won) => on_claimed(*won),
                // Someone else has it: back to the queue, without `?pickup=true`.
                Claimed::Lost => navigate("/", Default::default()),
                Claimed::Failed => {}
            }
        });
    };
    view! {
        <button
            type="button"
            class=PRIMARY
            disabled=move || busy.get()
            on:click=pick_up
        >
            {move || if busy.get() { "Picking up…" } else { "Pick Up" }}
        </button>
    }
    .into_any()
}

/// The assessment as it came; with `on_pick` (the claimer's), each suggested step is a button
/// that starts their message with it.
#[component]
fn AssessmentCard<P>(
    status: AssessmentStatus,
    assessment: Option<Assessment>,
    on_pick: Option<P>,
) -> impl IntoView
where
    P: Fn(String) + Copy + Send + Sync + 'static,
{
    let body = match (status, assessment) {
        (_, Some(a)) => view! {
            <div class="space-y-3 text-sm" data-testid="assessment-ready">
                <p class="text-slate-700">{a.summary}</p>
                <p class="text-xs text-slate-600">
                    "Confidence: "
                    <span class="font-medium text-slate-700">{confidence_words(Some(a.confidence_tier))}</span>
                </p>
                <div>
                    <h4 class="text-xs font-semibold uppercase tracking-wide text-slate-600">"Likely causes"</h4>
                    <ul class="mt-1 list-disc space-y-1 pl-5 text-slate-700">
                        {a.likely_causes.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}
                    </ul>
                </div>
                <div data-testid="assessment-steps">
                    <h4 class="text-xs font-semibold uppercase tracking-wide text-slate-600">"Suggested next steps"</h4>
                    {on_pick.is_some().then(|| view! {
                        <p class="mt-0.5 text-xs text-slate-600">"Pick one to start your message with it."</p>
                    })}
                    <ol class="mt-1 list-decimal space-y-1 pl-5 text-slate-700">
                        {a.suggested_steps.into_iter().map(|step| view! { <li><SuggestedStep step on_pick /></li> }).collect_view()}
                    </ol>
                </div>
            </div>
        }
        .into_any(),
        (AssessmentStatus::Pending, None) => view! {
            <div class="flex items-start gap-3 text-sm text-slate-600" data-testid="assessment-pending" role="status">
                <span class="mt-0.5 h-4 w-4 shrink-0 animate-spin rounded-full border-2 border-indigo-200 border-t-indigo-600" aria-hidden="true"></span>
                <p>"The AI assessment is still generating. It appears here by itself when it's ready; everything the engineer recorded is already on this screen."</p>
            </div>
        }
        .into_any(),
        _ => view! {
            <p class="text-sm text-slate-600" data-testid="assessment-unavailable">
                "No AI assessment this time: the assessor didn't answer within its time limit. Everything the engineer recorded is on this screen."
            </p>
        }
        .into_any(),
    };
    view! {
        <div class="rounded-lg border border-slate-200 bg-slate-50 p-4">
            <h3 class="flex items-center gap-2 text-sm font-semibold text-slate-900">
                <span class="text-indigo-600"><Sparkles /></span>
                "AI assessment"
            </h3>
            <div class="mt-3">{body}</div>
        </div>
    }
}

/// One suggested step of the card: a button that puts it in the message box, or its text.
#[component]
fn SuggestedStep<P>(step: String, on_pick: Option<P>) -> impl IntoView
where
    P: Fn(String) + Copy + Send + Sync + 'static,
{
    match on_pick {
        Some(pick) => {
            let picked = step.clone();
            view! {
                <button
                    type="button"
                    class="rounded text-left text-indigo-700 underline decoration-indigo-200 underline-offset-2 hover:decoration-indigo-600 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
                    on:click=move |_| pick(picked.clone())
                >
                    {step}
                </button>
            }
            .into_any()
        }
        None => step.into_any(),
    }
}

/// The assessment's suggested steps as chips above the composer: a click puts one in the
/// input.
#[component]
pub fn SuggestedSteps(
    steps: Vec<String>,
    on_pick: impl Fn(String) + Copy + Send + Sync + 'static,
    on_dismiss: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <div class="flex items-start gap-2 border-t border-slate-100 px-4 pt-3" data-testid="suggested-steps">
            <div class="flex min-w-0 flex-1 flex-wrap gap-2">
                <span class="py-1 text-xs font-medium text-slate-600">"Suggested:"</span>
                {steps
                    .into_iter()
                    .map(|step| {
                        let picked = step.clone();
                        let title = step.clone();
                        view! {
                            <button
                                type="button"
                                class="max-w-xs truncate rounded-full border border-indigo-200 bg-indigo-50 px-3 py-1 text-xs font-medium text-indigo-700 hover:bg-indigo-100"
                                title=title
                                on:click=move |_| on_pick(picked.clone())
                            >
                                {step}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            <DismissButton on_dismiss />
        </div>
    }
}
