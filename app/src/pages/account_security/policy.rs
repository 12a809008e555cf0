//! The policy card: a preset or custom idle and absolute windows, checked as they are typed
//! with the same rules the server applies (`vocab::security::policy_errors`), then saved.

use crate::components::call::Call;
use crate::{
    api::security::update_security,
    components::{
        icons::{Check, Info},
        time::duration_words,
        toast::{use_toasts, Tone},
        ui::{field_error, PRIMARY},
    },
};
use leptos::prelude::*;
use std::time::Duration;
use vocab::security::{policy_errors, PolicyBounds, PolicyDefaults, PolicyView};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Preset {
    Strict,
    Standard,
    Custom,
}

/// Standard: 7 days idle, 30 days at most.
const STANDARD: (i32, i32) = (10080, 43200);

fn preset_of(view: &PolicyView) -> Preset {
    match (view.session_idle_minutes, view.session_absolute_minutes) {
        (None, None) => Preset::Strict,
        (Some(i), Some(a)) if (i, a) == STANDARD => Preset::Standard,
        _ => Preset::Custom,
    }
}

/// The idle and absolute overrides to save (`None` = system default).
type Overrides = (Option<i32>, Option<i32>);
/// `(field, message)` pairs, as in a 422's `fields`.
type FieldErrors = Vec<(String, String)>;

/// One of the policy's two windows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Window {
    Idle,
    Absolute,
}

impl Window {
    /// Its field in the API's requests and errors.
    fn field(self) -> &'static str {
        match self {
            Window::Idle => "session_idle_minutes",
            Window::Absolute => "session_absolute_minutes",
        }
    }
}

/// The form's state: the chosen preset, what the owner typed for Custom, what the server said
/// last, and from those, the request to send or the messages that stop it.
#[derive(Clone, Copy)]
struct PolicyForm {
    preset: RwSignal<Preset>,
    idle_text: RwSignal<String>,
    absolute_text: RwSignal<String>,
    server_errors: RwSignal<FieldErrors>,
    defaults: PolicyDefaults,
    bounds: PolicyBounds,
    request: Memo<Result<Overrides, FieldErrors>>,
}

impl PolicyForm {
    fn new(start: &PolicyView) -> Self {
        let (defaults, bounds) = (start.defaults, start.bounds);
        let preset = RwSignal::new(preset_of(start));
        let idle_text = RwSignal::new(start.effective_idle_minutes.to_string());
        let absolute_text = RwSignal::new(start.effective_absolute_minutes.to_string());
        let request = Memo::new(move |_| -> Result<Overrides, FieldErrors> {
            match preset.get() {
                Preset::Strict => Ok((None, None)),
                Preset::Standard => Ok((Some(STANDARD.0), Some(STANDARD.1))),
                Preset::Custom => {
                    let parse = |window: Window, text: RwSignal<String>| {
                        text.get().trim().parse::<i32>().map_err(|_| {
                            (
                                window.field().to_owned(),
                                "Enter a whole number of minutes.".to_owned(),
                            )
                        })
                    };
                    match (
                        parse(Window::Idle, idle_text),
                        parse(Window::Absolute, absolute_text),
                    ) {
                        (Ok(i), Ok(a)) => {
                            let errors = policy_errors(Some(i), Some(a), defaults, bounds);
                            if errors.is_empty() {
                                Ok((Some(i), Some(a)))
                            } else {
                                Err(errors)
                            }
                        }
                        (i, a) => Err([i.err(), a.err()].into_iter().flatten().collect()),
                    }
                }
            }
        });
        PolicyForm {
            preset,
            idle_text,
            absolute_text,
            server_errors: RwSignal::new(FieldErrors::new()),
            defaults,
            bounds,
            request,
        }
    }

    fn text(self, window: Window) -> RwSignal<String> {
        match window {
            Window::Idle => self.idle_text,
            Window::Absolute => self.absolute_text,
        }
    }

    /// What a window's input shows: the preset's value, or what the owner typed for Custom.
    fn shown(self, window: Window) -> String {
        let (strict, standard) = match window {
            Window::Idle => (self.defaults.idle_minutes, STANDARD.0),
            Window::Absolute => (self.defaults.absolute_minutes, STANDARD.1),
        };
        match self.preset.get() {
            Preset::Strict => strict.to_string(),
            Preset::Standard => standard.to_string(),
            Preset::Custom => self.text(window).get(),
        }
    }

    fn choose(self, p: Preset) {
        if p == Preset::Custom && self.preset.get_untracked() != Preset::Custom {
            // Start Custom from what was on screen.
            for window in [Window::Idle, Window::Absolute] {
                self.text(window).set(self.shown(window));
            }
        }
        self.preset.set(p);
        self.server_errors.set(Vec::new());
    }

    fn edit(self, window: Window, value: String) {
        self.text(window).set(value);
        self.server_errors.set(Vec::new());
    }

    /// The message under a window's input: the form's own check first, then the server's.
    fn error(self, window: Window) -> Option<String> {
        let inline = self.request.get().err().unwrap_or_default();
        inline
            .into_iter()
            .chain(self.server_errors.get())
            .find(|(f, _)| f == window.field())
            .map(|(_, m)| m)
    }

    /// The bounds of a window's input.
    fn bounds(self, window: Window) -> (i32, i32) {
        match window {
            Window::Idle => (self.bounds.idle_min, self.bounds.idle_max),
            Window::Absolute => (self.bounds.absolute_min, self.bounds.absolute_max),
        }
    }
}

#[component]
pub fn PolicyCard(policy: RwSignal<PolicyView>) -> impl IntoView {
    let toasts = use_toasts();
    let form = PolicyForm::new(&policy.get_untracked());
    let saved = RwSignal::new(false);
    let save = Call::new();
    let saving = save.pending();
    let on_save = move |_| {
        if let Ok(overrides) = form.request.get_untracked() {
            form.server_errors.set(Vec::new());
            let (idle, absolute) = overrides;
            save.run(async move {
                match update_security(idle, absolute).await {
                    Ok(view) => {
                        policy.set(view);
                        saved.set(true);
                        set_timeout(move || saved.set(false), Duration::from_millis(2500));
                    }
                    Err(err) => match err.details.get("fields").and_then(|f| f.as_object()) {
                        Some(fields) => form.server_errors.set(
                            fields
                                .iter()
                                .map(|(k, v)| {
                                    (k.clone(), v.as_str().unwrap_or_default().to_owned())
                                })
                                .collect(),
                        ),
                        None => toasts.push(Tone::Danger, err.message),
                    },
                }
            });
        }
    };
    let defaults = form.defaults;

    view! {
        <section class="mt-8 rounded-xl border border-slate-200 bg-white p-6 shadow-sm" data-testid="policy-card">
            <h2 class="text-base font-semibold text-slate-900">"Session policy"</h2>
            <p class="mt-1 text-sm text-slate-600">
                "People are signed out after the idle timeout without activity, and always once the absolute limit has passed since they signed in."
            </p>
            <fieldset class="mt-5 grid gap-3 sm:grid-cols-3">
                <legend class="sr-only">"Preset"</legend>
                {preset_choice(form, Preset::Strict, "Strict", format!("{} idle, {} at most. The default.", duration_words(defaults.idle_minutes), duration_words(defaults.absolute_minutes)))}
                {preset_choice(form, Preset::Standard, "Standard", format!("{} idle, {} at most.", duration_words(STANDARD.0), duration_words(STANDARD.1)))}
                {preset_choice(form, Preset::Custom, "Custom", "Your own limits, in minutes.".to_owned())}
            </fieldset>
            <div class="mt-5 grid gap-4 sm:grid-cols-2">
                <MinutesField form window=Window::Idle id="idle-minutes" label="Idle timeout (minutes)" error_testid="idle-error" />
                <MinutesField form window=Window::Absolute id="absolute-minutes" label="Absolute limit (minutes)" error_testid="absolute-error" />
            </div>
            <div class="mt-5 flex gap-3 rounded-lg border border-cyan-200 bg-cyan-50 px-4 py-3 text-sm text-cyan-900">
                <Info />
                <p>"Changes apply at next login. Anyone signed in now keeps the limits their session started with."</p>
            </div>
            <div class="mt-5 flex items-center gap-3">
                <button
                    type="button"
                    class=PRIMARY
                    disabled=move || saving.get() || form.request.with(Result::is_err)
                    on:click=on_save
                >
                    {move || if saving.get() { "Saving…" } else { "Save" }}
                </button>
                <Show when=move || saved.get()>
                    {saved_badge()}
                </Show>
            </div>
        </section>
    }
}

fn preset_choice(
    form: PolicyForm,
    preset: Preset,
    label: &'static str,
    detail: String,
) -> impl IntoView {
    let chosen = move || form.preset.get() == preset;
    view! {
        <label class=move || format!(
            "flex cursor-pointer items-start gap-3 rounded-lg border p-3 {}",
            if chosen() { "border-indigo-500 bg-indigo-50/60 ring-1 ring-indigo-500" } else { "border-slate-200 hover:bg-slate-50" },
        )>
            <input
                type="radio"
                name="preset"
                class="mt-0.5 h-4 w-4 accent-indigo-600"
                // The attribute for the page the server sends (before and without JavaScript),
                // the property for every change after.
                checked=chosen
                prop:checked=chosen
                on:change=move |_| form.choose(preset)
            />
            <span>
                <span class="block text-sm font-medium text-slate-900">{label}</span>
                <span class="block text-sm text-slate-600">{detail}</span>
            </span>
        </label>
    }
}

const INPUT: &str = "mt-1 block w-full rounded-md border px-3 py-2 text-sm shadow-sm focus:outline-none focus:ring-2 disabled:cursor-not-allowed disabled:bg-slate-100 disabled:text-slate-500";

/// One of the Custom inputs, with its bounds and its inline error.
#[component]
fn MinutesField(
    form: PolicyForm,
    window: Window,
    id: &'static str,
    label: &'static str,
    error_testid: &'static str,
) -> impl IntoView {
    let (min, max) = form.bounds(window);
    let error = Signal::derive(move || form.error(window));
    let class = move || {
        if error.with(Option::is_some) {
            format!("{INPUT} border-red-400 focus:ring-red-500/30")
        } else {
            format!("{INPUT} border-slate-300 focus:border-indigo-500 focus:ring-indigo-500/30")
        }
    };
    view! {
        <div>
            <label for=id class="block text-sm font-medium text-slate-700">{label}</label>
            <input
                id=id
                type="number"
                inputmode="numeric"
                min=min
                max=max
                disabled=move || form.preset.get() != Preset::Custom
                value=move || form.shown(window)
                prop:value=move || form.shown(window)
                on:input=move |ev| form.edit(window, event_target_value(&ev))
                class=class
                aria-invalid=move || error.with(Option::is_some).to_string()
                aria-describedby=format!("{id}-hint {id}-error")
            />
            // The minutes in words as they are typed: 43200 is "30 days".
            <p id=format!("{id}-hint") class="mt-1 text-xs text-slate-600" data-testid=format!("{id}-hint")>
                {move || form.shown(window).trim().parse::<i32>().ok().filter(|m| *m > 0 && m % 60 == 0).map(|m| format!("= {}. ", duration_words(m)))}
                {format!("Between {min} and {max} ({}).", duration_words(max))}
            </p>
            {field_error(format!("{id}-error"), error, Some(error_testid))}
        </div>
    }
}

fn saved_badge() -> impl IntoView {
    view! {
        <span class="inline-flex items-center gap-1.5 text-sm font-medium text-emerald-600" role="status" data-testid="saved">
            <span class="relative flex h-2.5 w-2.5">
                <span class="absolute inline-flex h-full w-full animate-ping rounded-full bg-emerald-400 opacity-75 motion-reduce:animate-none"></span>
                <span class="relative inline-flex h-2.5 w-2.5 rounded-full bg-emerald-500"></span>
            </span>
            <Check />
            "Saved"
        </span>
    }
}
