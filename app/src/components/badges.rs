//! Small labels shared by the queue, the sidebar and the pilot page.

use leptos::prelude::*;
use vocab::{
    handoffs::ConfidenceTier,
    sessions::{SessionStatus, StepOutcome},
};

/// A PSA ticket number, monospace, as `#48213`.
#[component]
pub fn TicketBadge(ticket: String) -> impl IntoView {
    view! {
        <span class="inline-flex rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-700" data-testid="ticket-badge">
            {format!("#{ticket}")}
        </span>
    }
}

/// Where a session stands, for any status but plain active; a picked-up session names the
/// senior who has it, where the caller knows them.
#[component]
pub fn StatusPill(
    status: SessionStatus,
    #[prop(optional_no_strip)] claimer: Option<String>,
) -> impl IntoView {
    let (class, words) = match status {
        SessionStatus::RequestingEscalation => (
            "bg-amber-100 text-amber-900",
            "Waiting for a senior".to_owned(),
        ),
        SessionStatus::Escalated => (
            "bg-cyan-100 text-cyan-900",
            claimer.map_or_else(|| "Picked up".to_owned(), |name| format!("With {name}")),
        ),
        SessionStatus::Parked => ("bg-slate-100 text-slate-700", "Parked".to_owned()),
        SessionStatus::Resolved => ("bg-emerald-100 text-emerald-800", "Resolved".to_owned()),
        SessionStatus::Active => return ().into_any(),
    };
    view! {
        <span class=format!("inline-flex rounded-full px-2 py-0.5 text-xs font-medium {class}") data-testid="status-pill">
            {words}
        </span>
    }
    .into_any()
}

/// How a step went.
#[component]
pub fn OutcomePill(outcome: StepOutcome) -> impl IntoView {
    let (class, words) = match outcome {
        StepOutcome::Worked => ("bg-emerald-50 text-emerald-700", "worked"),
        StepOutcome::Failed => ("bg-red-50 text-red-700", "didn't work"),
        StepOutcome::Partial => ("bg-amber-50 text-amber-700", "partly worked"),
        StepOutcome::Pending => ("bg-slate-100 text-slate-600", "awaiting result"),
    };
    view! {
        <span class=format!("inline-flex rounded px-1.5 py-0.5 text-xs font-medium {class}")>{words}</span>
    }
}

pub fn confidence_words(tier: Option<ConfidenceTier>) -> &'static str {
    match tier {
        Some(ConfidenceTier::High) => "High",
        Some(ConfidenceTier::Medium) => "Medium",
        Some(ConfidenceTier::Low) => "Low",
        None => "Not assessed yet",
    }
}
