//! The one modal dialog every dialog is built on (docs/ARCHITECTURE.md, "Dialogs"). It is the
//! browser's own `<dialog>`, opened with `showModal()`, so the page behind is inert (Tab cannot
//! reach it, not even by going round through the browser's toolbar) and the dialog is named by
//! its title. Focus moves in on open: to the control marked `autofocus`, else the first one.
//! Tab from the last control comes round to the first (and Shift+Tab the other way) rather than
//! leaving for the browser's toolbar. Escape cancels. On close, focus goes back to whatever had
//! it before: the button that opened the dialog.

use leptos::{ev::KeyboardEvent, html, prelude::*};

#[component]
pub fn Dialog(
    #[prop(into)] title: String,
    /// `data-testid` of the dialog; its title and description take their ids from it.
    #[prop(into)]
    test_id: String,
    /// Read out after the title (`aria-describedby`).
    #[prop(optional, into)]
    description: Option<String>,
    on_cancel: impl Fn() + Send + Sync + 'static,
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        // Taken before the dialog takes focus, given back when the dialog goes away.
        let opener = send_wrapper::SendWrapper::new(
            document()
                .active_element()
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()),
        );
        // Once the dialog has left the page: until then the page behind it is inert, and
        // focusing anything there does nothing.
        on_cleanup(move || {
            let opener = opener.take();
            request_animation_frame(move || {
                if let Some(opener) = opener.filter(|e| e.is_connected()) {
                    let _ = opener.focus();
                }
            });
        });
        Effect::new(move |_| {
            if let Some(dialog) = dialog.get() {
                hold_modal(dialog, 0);
            }
        });
    }
    // Escape fires `cancel`; a dialog the browser closed by itself (Escape pressed twice with
    // no click between) fires `close`. Either way the page takes it away.
    let cancel = Callback::new(move |()| on_cancel());
    let title_id = format!("{test_id}-title");
    let body_id = description.as_ref().map(|_| format!("{test_id}-body"));
    let (labelled_by, described_by) = (title_id.clone(), body_id.clone());
    view! {
        <dialog
            node_ref=dialog
            class="m-auto w-[calc(100%-2rem)] max-w-lg rounded-xl bg-white p-6 shadow-xl backdrop:bg-slate-900/50"
            aria-labelledby=labelled_by
            aria-describedby=described_by
            data-testid=test_id
            on:cancel=move |ev: leptos::ev::Event| {
                ev.prevent_default();
                cancel.run(());
            }
            on:close=move |_| cancel.run(())
            on:keydown=move |ev| keep_focus_inside(dialog, &ev)
        >
            <h2 id=title_id class="text-lg font-semibold text-slate-900">{title}</h2>
            {description.map(|text| view! { <p id=body_id class="mt-2 text-sm text-slate-600">{text}</p> })}
            {children()}
        </dialog>
    }
}

/// How many frames in a row a dialog may be off the page (not yet placed, or moved) before it
/// is taken to be gone for good.
#[cfg(feature = "hydrate")]
const FRAMES_AWAY: u16 = 120;

/// Shows the dialog as modal once the page has placed it, and again whenever the page moves it
/// (a `<Show>` can take its new content out and put it back while mounting it, later on a busy
/// machine): a moved dialog stays open but is no longer modal, and showing it again puts focus
/// back on its `autofocus` control. Dropping the `open` attribute closes it without a `close`
/// event, which would cancel it. Checked each frame for as long as the dialog is on the page.
#[cfg(feature = "hydrate")]
fn hold_modal(dialog: web_sys::HtmlDialogElement, frames_away: u16) {
    request_animation_frame(move || {
        if dialog.is_connected() {
            if dialog.open() && !dialog.matches(":modal").unwrap_or(false) {
                let _ = dialog.remove_attribute("open");
            }
            if !dialog.open() {
                let _ = dialog.show_modal();
            }
            hold_modal(dialog, 0);
        } else if frames_away < FRAMES_AWAY {
            hold_modal(dialog, frames_away + 1);
        }
    });
}

/// Tab on the dialog's last control goes to its first, Shift+Tab on the first to the last.
fn keep_focus_inside(dialog: NodeRef<html::Dialog>, ev: &KeyboardEvent) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        use web_sys::{HtmlElement, HtmlInputElement};

        let Some(dialog) = dialog.get_untracked() else {
            return;
        };
        if ev.key() != "Tab" {
            return;
        }
        let Ok(found) = dialog.query_selector_all(
            "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), \
             select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])",
        ) else {
            return;
        };
        // Of a group of radio buttons, Tab stops only at the chosen one.
        let stops: Vec<HtmlElement> = (0..found.length())
            .filter_map(|i| found.item(i)?.dyn_into::<HtmlElement>().ok())
            .filter(|e| {
                e.dyn_ref::<HtmlInputElement>()
                    .is_none_or(|input| input.type_() != "radio" || input.checked())
            })
            .collect();
        let (Some(first), Some(last)) = (stops.first(), stops.last()) else {
            return;
        };
        let active = document().active_element();
        let on = |e: &HtmlElement| active.as_ref().is_some_and(|a| e.is_same_node(Some(a)));
        let next = match ev.shift_key() {
            true if on(first) => last,
            false if on(last) => first,
            _ => return,
        };
        ev.prevent_default();
        let _ = next.focus();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (dialog, ev);
}
