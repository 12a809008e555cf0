//! ConfirmModal: asks before something that can't be undone (signing people out, deactivating
//! a member). The confirm is danger-styled; the safe choice has focus first; focus stays
//! inside; Escape cancels. `RevokeLoginsModal` is it for the two bulk sign-outs.

use super::ui::{DANGER, SECONDARY};
use leptos::{ev::KeyboardEvent, html, prelude::*};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Others,
    All,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Others => "others",
            Scope::All => "all",
        }
    }

    fn copy(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Scope::Others => (
                "Sign out everyone except you?",
                "Everyone else in your account is signed out on every device. Your own sessions stay signed in.",
                "Sign out everyone else",
            ),
            Scope::All => (
                "Sign out everyone, including you?",
                "Every session in your account ends now, yours included. You'll be taken to the sign-in page.",
                "Sign everyone out",
            ),
        }
    }
}

#[component]
pub fn RevokeLoginsModal(
    scope: Scope,
    #[prop(into)] pending: Signal<bool>,
    on_confirm: impl Fn() + Send + Sync + 'static,
    on_cancel: impl Fn() + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let (title, body, confirm) = scope.copy();
    view! {
        <ConfirmModal title body confirm pending on_confirm on_cancel test_id=format!("revoke-{}", scope.as_str()) />
    }
}

#[component]
pub fn ConfirmModal(
    #[prop(into)] title: String,
    #[prop(into)] body: String,
    #[prop(into)] confirm: String,
    /// `data-testid` of the dialog.
    #[prop(into)]
    test_id: String,
    #[prop(into)] pending: Signal<bool>,
    on_confirm: impl Fn() + Send + Sync + 'static,
    on_cancel: impl Fn() + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let cancel_ref = NodeRef::<html::Button>::new();
    let confirm_ref = NodeRef::<html::Button>::new();
    // The safe choice has focus first.
    Effect::new(move |_| {
        if let Some(cancel) = cancel_ref.get() {
            let _ = cancel.focus();
        }
    });
    // Two focusable controls: Tab and Shift+Tab cycle between them and never leave the dialog.
    let on_keydown = move |ev: KeyboardEvent| match ev.key().as_str() {
        "Escape" => {
            ev.prevent_default();
            on_cancel();
        }
        "Tab" => {
            ev.prevent_default();
            let on_cancel_button = cancel_ref
                .get()
                .zip(document().active_element())
                .is_some_and(|(cancel, active)| cancel.is_same_node(Some(active.as_ref())));
            let next = if on_cancel_button {
                confirm_ref.get()
            } else {
                cancel_ref.get()
            };
            if let Some(next) = next {
                let _ = next.focus();
            }
        }
        _ => {}
    };
    view! {
        <div class="fixed inset-0 z-50 flex items-center justify-center bg-slate-900/50 p-4" on:keydown=on_keydown>
            <div
                class="w-full max-w-md rounded-xl bg-white p-6 shadow-xl"
                role="dialog"
                aria-modal="true"
                aria-labelledby="confirm-title"
                aria-describedby="confirm-body"
                data-testid=test_id
            >
                <h2 id="confirm-title" class="text-lg font-semibold text-slate-900">{title}</h2>
                <p id="confirm-body" class="mt-2 text-sm text-slate-600">{body}</p>
                <div class="mt-6 flex justify-end gap-3">
                    <button
                        type="button"
                        node_ref=cancel_ref
                        class=SECONDARY
                        on:click=move |_| on_cancel()
                    >
                        "Cancel"
                    </button>
                    <button
                        type="button"
                        node_ref=confirm_ref
                        disabled=move || pending.get()
                        class=DANGER
                        on:click=move |_| on_confirm()
                    >
                        {confirm}
                    </button>
                </div>
            </div>
        </div>
    }
}
