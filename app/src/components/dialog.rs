//! A modal dialog: dimmed page behind, a titled panel, Escape cancels.

use leptos::{ev::KeyboardEvent, prelude::*};

#[component]
pub fn Dialog(
    title: &'static str,
    #[prop(into)] test_id: String,
    on_cancel: impl Fn() + Send + Sync + 'static,
    children: Children,
) -> impl IntoView {
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            on_cancel();
        }
    };
    view! {
        <div class="fixed inset-0 z-50 flex items-center justify-center bg-slate-900/50 p-4" on:keydown=on_keydown>
            <div
                class="w-full max-w-lg rounded-xl bg-white p-6 shadow-xl"
                role="dialog"
                aria-modal="true"
                aria-labelledby="dialog-title"
                data-testid=test_id
            >
                <h2 id="dialog-title" class="text-lg font-semibold text-slate-900">{title}</h2>
                {children()}
            </div>
        </div>
    }
}
