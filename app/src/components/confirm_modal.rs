//! ConfirmModal: asks before something that can't be undone (signing people out, deactivating
//! a member). A `Dialog`: the confirm is danger-styled, the safe choice has focus first.
//! `RevokeLoginsModal` is it for the two bulk sign-outs.

use super::{
    dialog::Dialog,
    ui::{DANGER, SECONDARY},
};
use leptos::prelude::*;

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
    view! {
        <Dialog title test_id description=body on_cancel>
            <div class="mt-6 flex flex-wrap justify-end gap-3">
                <button type="button" autofocus class=SECONDARY on:click=move |_| on_cancel()>
                    "Cancel"
                </button>
                <button type="button" disabled=move || pending.get() class=DANGER on:click=move |_| on_confirm()>
                    {confirm}
                </button>
            </div>
        </Dialog>
    }
}
