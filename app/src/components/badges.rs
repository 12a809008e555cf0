//! Small labels shared by the queue, the sidebar and the pilot page.

use leptos::prelude::*;
use vocab::handoffs::ConfidenceTier;

/// A PSA ticket number, monospace, as `#48213`.
#[component]
pub fn TicketBadge(ticket: String) -> impl IntoView {
    view! {
        <span class="inline-flex rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-700" data-testid="ticket-badge">
            {format!("#{ticket}")}
        </span>
    }
}

/// Where a session stands, for any status but plain active.
#[component]
pub fn StatusPill(status: String) -> impl IntoView {
    let (class, words) = match status.as_str() {
        "escalated" | "requesting_escalation" => ("bg-amber-100 text-amber-800", "Escalated"),
        "parked" => ("bg-slate-100 text-slate-700", "Parked"),
        "resolved" => ("bg-emerald-100 text-emerald-800", "Resolved"),
        _ => return ().into_any(),
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
pub fn OutcomePill(outcome: String) -> impl IntoView {
    let (class, words) = match outcome.as_str() {
        "worked" => ("bg-emerald-50 text-emerald-700", "worked"),
        "failed" => ("bg-red-50 text-red-700", "didn't work"),
        "partial" => ("bg-amber-50 text-amber-700", "partly worked"),
        _ => ("bg-slate-100 text-slate-600", "awaiting result"),
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
