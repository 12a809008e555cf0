//! `Call`: what a button or a form sends to the API, with its pending state (which disables the
//! control and changes its label while the call runs), so that no component keeps busy flags.
//!
//! It is Leptos's `Action`, with one twist: every call in the app is the same `Action` running a
//! boxed future, instead of one `Action` type per input, output and future. Each distinct
//! `Action` type costs about 5 KB of WASM (its dispatch, its `SendWrapper`'s poll, its signals),
//! measured in docs/PERFORMANCE.md; this way the machinery is in the module once.

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use std::{cell::Cell, future::Future, pin::Pin};

type Job = Pin<Box<dyn Future<Output = ()>>>;

/// The job a dispatch runs. Made only by [`Call::run`], in the browser's one thread; the
/// wrapper is what lets it pass as the `Send` input an `Action` asks for. (A `Call` is also
/// created while the server renders a page, but never run there, so nothing thread-bound is
/// made on the server.)
struct Next(SendWrapper<Cell<Option<Job>>>);

#[derive(Clone, Copy)]
pub struct Call(Action<Next, ()>);

impl Call {
    pub fn new() -> Self {
        Call(Action::new_unsync(|next: &Next| -> Job {
            Cell::take(&next.0).unwrap_or_else(|| Box::pin(async {}))
        }))
    }

    /// Runs `job`, pending until it finishes (the API's calls, and what follows from the answer).
    pub fn run(self, job: impl Future<Output = ()> + 'static) {
        let job: Job = Box::pin(job);
        self.0
            .dispatch(Next(SendWrapper::new(Cell::new(Some(job)))));
    }

    /// True while a call runs.
    pub fn pending(self) -> Memo<bool> {
        self.0.pending()
    }
}

impl Default for Call {
    fn default() -> Self {
        Self::new()
    }
}
