//! The sidebar of my troubleshooting sessions (mine, and those escalated to me), and the form
//! that starts a new one.

use super::call::Call;
use super::ui::{error_note, field_error, hydrated, sent_back, FIELD_SMALL, PRIMARY_SMALL};
use super::{
    badges::{StatusPill, TicketBadge},
    icons::Plus,
    time::ago,
    visitor::{use_api, use_signed_in},
};
use crate::api::loaded::Loaded;
use crate::api::sessions::create_session;
use leptos::{html, prelude::*};
use leptos_router::hooks::{use_location, use_navigate};
use vocab::{
    error::{ApiError, ErrorCode},
    ids::SessionId,
    sessions::{SessionListItem, SUMMARY_MAX, TICKET_MAX},
};

pub type SessionsResource = Loaded<Result<Vec<SessionListItem>, ApiError>>;

#[component]
pub fn SessionSidebar(
    sessions: SessionsResource,
    current: Memo<Option<SessionId>>,
) -> impl IntoView {
    // Viewers read the team's work; starting a session is for those who work them.
    let works = use_signed_in().user.role.can_work();
    // A form sent back without JavaScript opens again, saying why.
    let refused = sent_back("new_session_error");
    let new = NodeRef::<html::Details>::new();
    let started = move || {
        if let Some(new) = new.get_untracked() {
            new.set_open(false);
        }
        sessions.refetch();
    };
    view! {
        <aside class="flex flex-col gap-3" aria-label="Your sessions">
            <h2 class="flex h-7 items-center text-sm font-semibold text-slate-900">"Your sessions"</h2>
            // A disclosure, so that New opens its form without JavaScript too; its button sits
            // on the heading's line.
            {works.then(|| view! {
                <details class="-mt-10 flex flex-col" node_ref=new open=refused.is_some()>
                    <summary data-testid="new-session" class="ml-auto inline-flex h-7 w-fit cursor-pointer list-none items-center gap-1 rounded-md px-2 text-sm font-medium text-indigo-700 hover:bg-indigo-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 [&::-webkit-details-marker]:hidden">
                        <Plus />
                        "New"
                    </summary>
                    <div class="mt-3 rounded-lg border border-slate-200 bg-white p-3 shadow-xs">
                        <NewSessionForm on_started=started refused />
                    </div>
                </details>
            })}
            <Transition fallback=|| view! { <p class="text-sm text-slate-600">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Ok(list) if list.is_empty() => view! {
                            <p class="text-sm text-slate-600">"No sessions yet. Start one when a ticket comes in."</p>
                        }.into_any(),
                        Ok(list) => view! {
                            <ul class="flex flex-col gap-1" data-testid="session-list">
                                {list.into_iter().map(|s| view! { <SessionRow s current /> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(err) if err.error == ErrorCode::SubscriptionRequired => view! {
                            <p class="text-sm text-slate-600">"Paused while the plan has lapsed."</p>
                        }.into_any(),
                        Err(err) => view! { <p class="text-sm text-red-700" role="alert">{err.message}</p> }.into_any(),
                    }
                })}
            </Transition>
        </aside>
    }
}

#[component]
fn SessionRow(s: SessionListItem, current: Memo<Option<SessionId>>) -> impl IntoView {
    let id = s.id;
    let here = move || current.get() == Some(id);
    view! {
        <li>
            <a
                href=format!("/pilot/{id}")
                class=move || format!(
                    "block rounded-lg px-3 py-2 {}",
                    if here() { "bg-indigo-50 ring-1 ring-indigo-200" } else { "hover:bg-white hover:shadow-xs" },
                )
                aria-current=move || here().then_some("page")
                data-testid="session-row"
            >
                <span class="flex items-center gap-2 text-xs text-slate-600">
                    {s.psa_ticket_id.map(|t| view! { <TicketBadge ticket=t /> })}
                    <StatusPill status=s.status />
                    <span class="ml-auto shrink-0">{ago(s.updated_at)}</span>
                </span>
                <span class="mt-1 line-clamp-2 block text-sm text-slate-800">{s.problem_summary}</span>
            </a>
        </li>
    }
}

/// Starts a troubleshooting session and opens it.
#[component]
pub fn NewSessionForm(
    on_started: impl Fn() + Copy + Send + Sync + 'static,
    /// Why the server sent this form back, when it was posted without JavaScript.
    refused: Option<ErrorCode>,
) -> impl IntoView {
    let api = use_api();
    let navigate = use_navigate();
    let location = use_location();
    let summary = RwSignal::new(String::new());
    let ticket = RwSignal::new(String::new());
    // Each field's own message under it; what is no field's fault under the button.
    let summary_error = RwSignal::new(None::<String>);
    let ticket_error = RwSignal::new(None::<String>);
    let error = RwSignal::new(refused.map(|code| code.in_words().to_owned()));
    let start = Call::new();
    let hydrated = hydrated();
    let busy = start.pending();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let problem = summary.get_untracked();
        error.set(None);
        ticket_error.set(None);
        if problem.trim().is_empty() {
            summary_error.set(Some(
                "Describe the problem in a sentence or two.".to_owned(),
            ));
            return;
        }
        summary_error.set(None);
        let ticket = Some(ticket.get_untracked()).filter(|t| !t.trim().is_empty());
        let navigate = navigate.clone();
        start.run(async move {
            match api
                .call(move || create_session(problem.clone(), ticket.clone()))
                .await
            {
                Ok(created) => {
                    on_started();
                    navigate(&format!("/pilot/{}", created.id), Default::default());
                }
                Err(err) => {
                    let summary = err.field("problem_summary").map(str::to_owned);
                    let ticket = err.field("psa_ticket_id").map(str::to_owned);
                    if summary.is_none() && ticket.is_none() {
                        error.set(Some(err.message));
                    }
                    summary_error.set(summary);
                    ticket_error.set(ticket);
                }
            }
        });
    };
    view! {
        // Without JavaScript the form posts itself (`POST /pilot`) and the browser checks the
        // fields; once hydrated it checks them itself and says so under each field.
        <form
            method="post"
            action="/pilot"
            class="flex flex-col gap-2"
            novalidate=move || hydrated.get()
            on:submit=submit
            data-testid="new-session-form"
        >
            <input type="hidden" name="from" value=move || location.pathname.get() />
            <label class="text-xs font-medium text-slate-700" for="new-summary">"What's the problem?"</label>
            <textarea
                id="new-summary"
                name="problem_summary"
                required
                maxlength=SUMMARY_MAX
                rows="3"
                class=FIELD_SMALL
                placeholder="e.g. Printer on the 2nd floor drops off the network every morning"
                aria-invalid=move || summary_error.with(Option::is_some).to_string()
                aria-describedby="new-summary-error"
                prop:value=move || summary.get()
                on:input=move |ev| summary.set(event_target_value(&ev))
            ></textarea>
            {field_error("new-summary-error".to_owned(), summary_error, None)}
            <label class="text-xs font-medium text-slate-700" for="new-ticket">
                "PSA ticket " <span class="font-normal text-slate-600">"(optional)"</span>
            </label>
            <input
                id="new-ticket"
                name="psa_ticket_id"
                maxlength=TICKET_MAX
                class="block w-full rounded-md border border-slate-300 px-2.5 py-1.5 font-mono text-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500"
                aria-invalid=move || ticket_error.with(Option::is_some).to_string()
                aria-describedby="new-ticket-error"
                prop:value=move || ticket.get()
                on:input=move |ev| ticket.set(event_target_value(&ev))
            />
            {field_error("new-ticket-error".to_owned(), ticket_error, None)}
            {error_note(error, "")}
            <button
                type="submit"
                disabled=move || busy.get()
                class=format!("mt-1 {PRIMARY_SMALL}")
            >
                {move || if busy.get() { "Starting…" } else { "Start session" }}
            </button>
        </form>
    }
}
