//! `Call`: what a button or a form sends to the API, with its pending state (which disables the
//! control and changes its label while the call runs), so that no component keeps busy flags.
//!
//! It is Leptos's `Action`, with one twist: every call in the app is the same `Action<(), ()>`
//! running a boxed future, instead of one `Action` type per input, output and future. Each
//! distinct `Action` type costs about 5 KB of WASM (its dispatch, its `SendWrapper`'s poll, its
//! signals), measured in docs/PERFORMANCE.md; this way the machinery is in the module once.

use leptos::prelude::*;
use std::{future::Future, pin::Pin};

type Job = Pin<Box<dyn Future<Output = ()>>>;

#[derive(Clone, Copy)]
pub struct Call {
    action: Action<(), ()>,
    next: StoredValue<Option<Job>, LocalStorage>,
}

impl Call {
    pub fn new() -> Self {
        let next = StoredValue::new_local(None::<Job>);
        let action = Action::new_unsync(move |_: &()| -> Job {
            next.try_update_value(Option::take)
                .flatten()
                .unwrap_or_else(|| Box::pin(async {}))
        });
        Call { action, next }
    }

    /// Runs `job`, pending until it finishes (the API's calls, and what follows from the answer).
    pub fn run(self, job: impl Future<Output = ()> + 'static) {
        self.next.set_value(Some(Box::pin(job)));
        self.action.dispatch(());
    }

    /// True while a call runs.
    pub fn pending(self) -> Memo<bool> {
        self.action.pending()
    }
}

impl Default for Call {
    fn default() -> Self {
        Self::new()
    }
}
