//! The few pieces every page is built from, so that a primary button, an input or a field's
//! error looks and behaves the same everywhere, and changes in one place. (Tailwind finds the
//! classes because each is written out whole here.)

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use vocab::error::ErrorCode;

/// The one action a form or dialog is for.
pub const PRIMARY: &str = "rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2 disabled:opacity-60";
/// [`PRIMARY`] inside a card or a list row.
pub const PRIMARY_SMALL: &str = "rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2 disabled:opacity-60";
/// [`PRIMARY`] across a narrow form (sign-in, password reset).
pub const PRIMARY_WIDE: &str = "flex w-full justify-center rounded-md bg-indigo-600 px-4 py-2.5 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2 disabled:cursor-wait disabled:opacity-60";
/// Cancel, and every action beside the primary one.
pub const SECONDARY: &str = "rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-700 hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 disabled:opacity-60";
/// [`SECONDARY`] across a narrow form, with room for a mark before its words.
pub const SECONDARY_WIDE: &str = "flex w-full items-center justify-center gap-2.5 rounded-md border border-slate-300 bg-white px-4 py-2.5 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2";
/// [`SECONDARY`] inside a card or a list row.
pub const SECONDARY_SMALL: &str = "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 disabled:opacity-60";

/// An action that cannot be undone (signing people out), in red.
pub const DANGER: &str = "rounded-md bg-red-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-red-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-500 focus-visible:ring-offset-2 disabled:opacity-60";

/// A compact text field in a side panel (a new session, a step tried).
pub const FIELD_SMALL: &str = "block w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500";

/// A text input of a form, red while its field has an error.
pub fn input_class(invalid: bool) -> &'static str {
    if invalid {
        "mt-1.5 block w-full rounded-md border border-red-400 bg-white px-3 py-2 text-slate-900 shadow-sm placeholder:text-slate-400 focus:border-red-500 focus:outline-none focus:ring-2 focus:ring-red-500/30"
    } else {
        "mt-1.5 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-slate-900 shadow-sm placeholder:text-slate-400 focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30"
    }
}

/// Whether the page has hydrated, one signal for the page (from the layout).
#[derive(Clone, Copy)]
struct Hydrated(ReadSignal<bool>);

#[cfg(feature = "hydrate")]
thread_local! {
    /// Where [`hydration_complete`] finds the page's signal.
    static SET_HYDRATED: std::cell::Cell<Option<WriteSignal<bool>>> = const { std::cell::Cell::new(None) };
}

/// The page's [`hydrated`] signal, from the layout.
pub fn provide_hydrated() {
    let (hydrated, set) = signal(false);
    #[cfg(feature = "hydrate")]
    SET_HYDRATED.set(Some(set));
    #[cfg(not(feature = "hydrate"))]
    let _ = set;
    provide_context(Hydrated(hydrated));
}

/// Told by the entry point once the whole page has hydrated, its page's piece of the WASM
/// included (the frame's effects run earlier, while that piece is still on its way: the page
/// rendered after them must still match the server's HTML). Also leaves `window.__rf_hydrated`,
/// the marker end-to-end tests wait on before they click anything.
#[cfg(feature = "hydrate")]
pub fn hydration_complete() {
    if let Some(set) = SET_HYDRATED.get() {
        set.set(true);
    }
    let _ = js_sys::Reflect::set(&window(), &"__rf_hydrated".into(), &true.into());
}

/// False while the page is the server's HTML (so the first render in the browser matches it),
/// true once the page has hydrated: for what only a running page does instead of the browser,
/// such as a form checking its own fields, a button waiting for something to send, or a time
/// given in the viewer's zone.
pub fn hydrated() -> ReadSignal<bool> {
    expect_context::<Hydrated>().0
}

/// The refusal a form posted without JavaScript was sent back with: the error code the server
/// put under `key` in the page's query (docs/API.md §3 and §5).
pub fn sent_back(key: &str) -> Option<ErrorCode> {
    use_query_map()
        .with_untracked(|q| q.get(key))
        .and_then(|code| ErrorCode::parse(&code))
}

// The two below are functions, not `#[component]`s: they are used on most pages, and each
// component costs its own instance of Leptos's component wrapper in the WASM.

/// What is wrong with one field, under it. Give the input `aria-describedby` the same `id`
/// and `aria-invalid` while there is a message, so a screen reader reads it with the field.
pub fn field_error(
    id: String,
    message: impl Into<Signal<Option<String>>>,
    test_id: Option<&'static str>,
) -> impl IntoView {
    let message = message.into();
    move || {
        message.get().map(|m| {
            view! { <p id=id.clone() class="mt-1.5 text-sm text-red-600" data-testid=test_id>{m}</p> }
        })
    }
}

/// Why the last action failed, as a whole (not one field's fault); announced when it appears.
/// `class` spaces it from what is above.
pub fn error_note(
    message: impl Into<Signal<Option<String>>>,
    class: &'static str,
) -> impl IntoView {
    let message = message.into();
    move || {
        message.get().map(|m| {
            view! { <p class=format!("text-sm text-red-700 {class}") role="alert">{m}</p> }
        })
    }
}
