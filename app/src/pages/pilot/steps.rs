//! The steps tried on a session and how each went; writers record new ones.

use crate::{
    api::sessions::add_step,
    components::{
        badges::OutcomePill,
        call::Call,
        ui::{error_note, FIELD_SMALL, SECONDARY_SMALL},
        visitor::use_api,
    },
};
use leptos::prelude::*;
use vocab::{
    ids::SessionId,
    sessions::{SessionStep, StepOutcome},
};

/// The steps tried so far and how they went; writers record new ones.
#[component]
pub fn Steps(
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
                fallback=|| view! { <p class="mt-2 text-sm text-slate-600">"None recorded yet."</p> }
            >
                <ol class="mt-2 space-y-2 text-sm" data-testid="steps">
                    <For each=move || steps.get() key=|s| s.id let:step>
                        <li class="flex gap-2">
                            <span class="w-5 shrink-0 text-right text-slate-500">{format!("{}.", step.position)}</span>
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
                        class=FIELD_SMALL
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
