//! The narrow card of the pages people reach before they are signed in (a password reset,
//! sign-up, an invitation, e-mail verification), and the fields of its forms.

use crate::components::ui::{field_error, input_class};
use leptos::prelude::*;
use vocab::error::ApiError;

#[component]
pub fn AuthCard(
    title: &'static str,
    #[prop(into)] intro: TextProp,
    children: Children,
) -> impl IntoView {
    view! {
        <section class="flex flex-1 items-center justify-center px-6 py-12">
            <div class="w-full max-w-sm">
                <h1 class="text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
                <p class="mt-2 text-sm text-slate-600">{move || intro.get()}</p>
                <div class="mt-8">{children()}</div>
                <p class="mt-6 text-sm">
                    <a href="/login" class="font-medium text-indigo-700 hover:text-indigo-600">"Back to sign in"</a>
                </p>
            </div>
        </section>
    }
}

/// What the last answer said about `field`, for the message under it.
pub fn field_message(
    error: RwSignal<Option<ApiError>>,
    field: &'static str,
) -> Signal<Option<String>> {
    Signal::derive(move || error.with(|e| e.as_ref()?.field(field).map(str::to_owned)))
}

/// A labelled input with its message under it (and, while there is none, its hint). A form
/// clears its messages with `on:input` on the form: every field's input bubbles up to it.
#[component]
pub fn TextField(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    /// A line under the field, such as the rule it must meet.
    #[prop(optional)]
    hint: Option<&'static str>,
) -> impl IntoView {
    view! {
        <div>
            <label for=id class="block text-sm font-medium text-slate-700">{label}</label>
            <input
                id=id
                type=kind
                autocomplete=autocomplete
                required
                class=move || input_class(error.with(Option::is_some))
                aria-invalid=move || error.with(Option::is_some).to_string()
                aria-describedby=format!("{id}-error")
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            {field_error(format!("{id}-error"), error, None)}
            {move || hint.filter(|_| error.with(Option::is_none)).map(|h| view! { <p class="mt-1 text-xs text-slate-600">{h}</p> })}
        </div>
    }
}
