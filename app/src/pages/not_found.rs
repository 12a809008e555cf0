use crate::components::icons::Compass;
use leptos::prelude::*;
use leptos_meta::Title;

/// Shown for any path the router does not know; answers HTTP 404 when rendered on the server.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found" />
        <section class="flex flex-1 items-center justify-center px-6 py-24">
            <div class="max-w-md text-center">
                <div class="mx-auto mb-6 flex h-16 w-16 items-center justify-center rounded-2xl bg-indigo-50 text-indigo-600">
                    <Compass />
                </div>
                <p class="text-sm font-semibold uppercase tracking-wide text-indigo-600">"404"</p>
                <h1 class="mt-2 text-2xl font-semibold tracking-tight text-slate-900">"Page not found"</h1>
                <p class="mt-3 text-slate-600">
                    "We couldn't find that page. The link may be old, or the page may have moved."
                </p>
                <a
                    href="/"
                    class="mt-8 inline-flex items-center rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2"
                >
                    "Back to ResolutionFlow"
                </a>
            </div>
        </section>
    }
}
