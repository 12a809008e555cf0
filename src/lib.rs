//! The top of ResolutionFlow: in the browser, the entry point that hydrates the server-rendered
//! page; on the server, the HTTP surface that `src/main.rs` serves (the router over the app's
//! pages and server functions and the domain's handlers).
#![recursion_limit = "256"]

#[cfg(feature = "ssr")]
pub mod http;

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
