//! The toast region: short-lived notices stacked in a corner of every page.
//!
//! `use_toasts()` returns a handle any component can push to. Tones follow the product's
//! palette: emerald success, cyan info, amber warning, red danger.

use super::icons::Close;
use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Success,
    Info,
    Warning,
    Danger,
}

impl Tone {
    fn classes(self) -> &'static str {
        match self {
            Tone::Success => "border-emerald-200 bg-emerald-50 text-emerald-900",
            Tone::Info => "border-cyan-200 bg-cyan-50 text-cyan-900",
            Tone::Warning => "border-amber-200 bg-amber-50 text-amber-900",
            Tone::Danger => "border-red-200 bg-red-50 text-red-900",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Toast {
    id: u64,
    tone: Tone,
    message: String,
}

/// A handle on the page's toasts.
#[derive(Clone, Copy)]
pub struct Toasts {
    items: RwSignal<Vec<Toast>>,
    next_id: StoredValue<u64>,
}

/// How long a toast stays before it leaves by itself.
const TOAST_LIFETIME_MS: u64 = 6000;

impl Toasts {
    /// Shows `message` in `tone`; it leaves by itself after a few seconds or when dismissed.
    pub fn push(&self, tone: Tone, message: impl Into<String>) {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        self.items.update(|items| {
            items.push(Toast {
                id,
                tone,
                message: message.into(),
            })
        });
        let this = *self;
        set_timeout(
            move || this.dismiss(id),
            std::time::Duration::from_millis(TOAST_LIFETIME_MS),
        );
    }

    fn dismiss(&self, id: u64) {
        self.items.update(|items| items.retain(|t| t.id != id));
    }
}

/// Creates the toast store for the app; called once by the layout.
pub fn provide_toasts() -> Toasts {
    let toasts = Toasts {
        items: RwSignal::new(Vec::new()),
        next_id: StoredValue::new(0),
    };
    provide_context(toasts);
    toasts
}

pub fn use_toasts() -> Toasts {
    expect_context::<Toasts>()
}

#[component]
pub fn ToastRegion(toasts: Toasts) -> impl IntoView {
    view! {
        <div
            // Clear of what people type into and act on: on a phone under the top bar, from `sm`
            // up at the bottom left, away from the message box and the steps on the right.
            class="pointer-events-none fixed inset-x-0 top-14 z-50 flex flex-col items-center gap-2 p-4 sm:bottom-0 sm:top-auto sm:items-start sm:p-6"
            role="region"
            aria-label="Notifications"
            aria-live="polite"
        >
            <For each=move || toasts.items.get() key=|t| t.id let:toast>
                <div
                    class=format!(
                        "pointer-events-auto flex w-full max-w-sm items-start gap-3 rounded-lg border px-4 py-3 text-sm shadow-lg {}",
                        toast.tone.classes(),
                    )
                    role="status"
                    data-tone=format!("{:?}", toast.tone).to_lowercase()
                >
                    <p class="flex-1 leading-5">{toast.message.clone()}</p>
                    <DismissButton on_dismiss=move || toasts.dismiss(toast.id) />
                </div>
            </For>
        </div>
    }
}

/// The ✕ of a notice.
#[component]
pub fn DismissButton(on_dismiss: impl Fn() + 'static) -> impl IntoView {
    view! {
        <button
            type="button"
            class="rounded p-1 opacity-60 hover:opacity-100"
            aria-label="Dismiss"
            on:click=move |_| on_dismiss()
        >
            <Close />
        </button>
    }
}
