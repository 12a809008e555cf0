//! The top bar's menus (the bell, the user menu) are `<details data-menu>` elements, so they
//! open, link and sign out without JavaScript. With it, one behaviour for all of them: a click
//! anywhere outside an open menu closes it (so opening one closes the other), so does following
//! a link from inside it (the frame stays on screen across a navigation, and the menu with it),
//! and Escape closes the open menu and gives focus back to its button.

/// Installs the behaviour for every menu on the page, for as long as the calling component lives.
pub fn provide_menu_behaviour() {
    #[cfg(feature = "hydrate")]
    {
        use leptos::prelude::*;
        use wasm_bindgen::JsCast;
        use web_sys::{Element, HtmlDetailsElement, HtmlElement};

        fn open_menus() -> Vec<HtmlDetailsElement> {
            let Ok(found) = document().query_selector_all("details[data-menu][open]") else {
                return Vec::new();
            };
            (0..found.length())
                .filter_map(|i| found.item(i)?.dyn_into().ok())
                .collect()
        }

        let clicks = window_event_listener(leptos::ev::click, |ev| {
            let target = ev.target().and_then(|t| t.dyn_into::<Element>().ok());
            let on_link = target
                .as_ref()
                .is_some_and(|t| t.closest("a[href]").ok().flatten().is_some());
            for menu in open_menus() {
                let inside = target.as_ref().is_some_and(|t| menu.contains(Some(t)));
                if !inside || on_link {
                    menu.set_open(false);
                }
            }
        });
        let keys = window_event_listener(leptos::ev::keydown, |ev| {
            if ev.key() != "Escape" {
                return;
            }
            for menu in open_menus() {
                ev.prevent_default();
                menu.set_open(false);
                let summary = menu
                    .query_selector("summary")
                    .ok()
                    .flatten()
                    .and_then(|s| s.dyn_into::<HtmlElement>().ok());
                if let Some(summary) = summary {
                    let _ = summary.focus();
                }
            }
        });
        on_cleanup(move || {
            clicks.remove();
            keys.remove();
        });
    }
}
