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
    // The page's own piece of the WASM first, then the page hydrates in one pass
    // (app::pages::split).
    wasm_bindgen_futures::spawn_local(async {
        app::pages::split::shown_page_fetched().await;
        leptos::mount::hydrate_body(app::App);
        app::components::ui::hydration_complete();
    });
}
