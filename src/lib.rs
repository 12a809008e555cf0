//! The browser entry point: hydrates the server-rendered page.
#![recursion_limit = "256"]

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // A marker end-to-end tests wait on before they click anything.
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::set(&window, &"__rf_hydrated".into(), &true.into());
    }
}
