//! The two dialogs around resolving and escalating: the resolution note, drafted by the
//! assessor, and the question asked before escalating with a fix that still owes an outcome.

use crate::{
    api::sessions::{resolution_draft, resolve_session},
    components::{
        call::Call,
        dialog::Dialog,
        fixes::Fixes,
        ui::{error_note, PRIMARY, SECONDARY},
        visitor::use_api,
    },
};
use leptos::prelude::*;
use vocab::{ids::SessionId, sessions::SessionDetail};

/// The resolution flow's last step: the note, drafted by the assessor from the record and
/// editable before it is saved.
#[component]
pub fn ResolveDialog(
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
                    autofocus
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

/// Asked before escalating while a fix still owes an outcome: whoever picks the session up
/// reads what became of each fix.
#[component]
pub fn EscalateIntercept(
    fixes: Fixes,
    on_escalate: impl Fn() + Copy + Send + Sync + 'static,
    on_cancel: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <Dialog title="A fix still needs an outcome" test_id="escalate-intercept" on_cancel>
            <p class="mt-2 text-sm text-slate-600">
                "Whoever picks this up reads what became of each fix. Record how these went first, or escalate as they are."
            </p>
            <ul class="mt-3 space-y-1 text-sm">
                {move || fixes.get().into_iter().filter(|f| f.status.needs_outcome()).map(|f| view! {
                    <li class="text-slate-800">{format!("\"{}\": {}", f.title, f.status.words())}</li>
                }).collect_view()}
            </ul>
            <div class="mt-6 flex justify-end gap-3">
                <button type="button" class=SECONDARY on:click=move |_| on_cancel()>"Record outcomes first"</button>
                <button type="button" class=PRIMARY on:click=move |_| on_escalate()>"Escalate anyway"</button>
            </div>
        </Dialog>
    }
}
