//! Pages come in pieces of the browser's WASM, a piece per group of pages used together
//! (docs/ARCHITECTURE.md, "Split by route"): the shared core holds the frame, and a page's piece
//! is fetched when one of its pages is first shown, before a server-rendered page hydrates or
//! when a navigation opens it. On the server nothing is split; rendering a page notes its
//! piece, so the page preloads it beside the core.

#[cfg(feature = "hydrate")]
use crate::components::retry::retried;
use leptos::prelude::*;

/// A page as its route renders it, server and browser alike: inside an element that names the
/// page's split function (`display: contents`, so the page lays out as if it were not there),
/// which is how the browser knows which piece to fetch before it hydrates the page the server
/// sent.
pub fn marked(page_fn: &'static str, page: impl IntoView + 'static) -> AnyView {
    view! { <div class="contents" data-page=page_fn>{page}</div> }.into_any()
}

/// The routes whose pages live in pieces of the WASM: `piece { Route: page_fn => Page, ... }`
/// makes each `Route`, for the route table's `Lazy::<Route>::new()`, out of the component `Page`,
/// whose code goes into the piece named `piece` with the other pages of that group (in the
/// browser, the module `page_fn` holds the split function of that name and `preload`, which
/// fetches the page's piece without showing the page); and `preload_page(page_fn)` fetches the
/// piece of a page by its split function's name.
///
/// Pages share a piece because a page that needs many pieces loads slowly: code two pieces
/// share goes into chunks of its own, one per set of pieces sharing it, and with a piece per
/// page a page fetched and instantiated 32 to 119 of them (docs/PERFORMANCE.md, "In Chromium,
/// and the time to interactive").
macro_rules! split_pages {
    ($($piece:ident { $($route:ident: $page_fn:ident => $page:ident,)* })*) => {
        $($(
            pub struct $route;

            #[cfg(feature = "hydrate")]
            mod $page_fn {
                #[wasm_split_helpers::wasm_split($piece, fallible, preload(preload))]
                pub(super) fn $page_fn(
                ) -> Result<leptos::prelude::AnyView, wasm_split_helpers::SplitLoaderError> {
                    Ok($crate::pages::split::marked(stringify!($page_fn), super::$page()))
                }
            }

            impl leptos_router::LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                async fn view(_: Self) -> leptos::prelude::AnyView {
                    #[cfg(feature = "hydrate")]
                    {
                        $crate::pages::split::fetched($page_fn::$page_fn).await
                    }
                    #[cfg(not(feature = "hydrate"))]
                    {
                        leptos::prefetch_lazy_fn_on_server(stringify!($piece));
                        $crate::pages::split::marked(stringify!($page_fn), $page())
                    }
                }

                /// Started by the router beside the page's data; a failure is left to `view`.
                async fn preload() {
                    #[cfg(feature = "hydrate")]
                    let _ = $page_fn::preload().await;
                }
            }
        )*)*

        /// Fetches the piece of the page whose split function is named `page_fn`.
        #[cfg(feature = "hydrate")]
        async fn preload_page(page_fn: &str) -> Result<(), $crate::pages::split::PieceError> {
            use $crate::pages::split::PieceError;
            match page_fn {
                $($(stringify!($page_fn) => $page_fn::preload().await.map_err(|_| PieceError::NotFetched),)*)*
                _ => Err(PieceError::Unknown),
            }
        }
    };
}
pub(crate) use split_pages;

/// How many times a page's piece is fetched on a navigation before the page says it could not
/// be: the first try and two more, 1 s and 2 s apart.
#[cfg(feature = "hydrate")]
const TRIES: u32 = 3;

/// Why a piece is not here.
#[cfg(feature = "hydrate")]
#[derive(Debug)]
pub enum PieceError {
    /// It could not be fetched (the network, a server restarting, a deploy under way).
    NotFetched,
    /// No page has that name: a page marked wrongly, which waiting will not mend.
    Unknown,
}

/// A page's view from its piece after a navigation, fetching the piece again after a failure
/// (the network dropped it, a server restarted); after [`TRIES`] the page says it could not.
#[cfg(feature = "hydrate")]
pub async fn fetched<Piece>(piece: impl Fn() -> Piece) -> AnyView
where
    Piece: std::future::Future<Output = Result<AnyView, wasm_split_helpers::SplitLoaderError>>,
{
    retried(Some(TRIES), piece, |_| true)
        .await
        .unwrap_or_else(|_| unreachable_page().into_any())
}

/// Fetches the piece of the page the server sent (its [`marked`] element names the page) before
/// the page hydrates. With its piece here, the page hydrates in one pass like an unsplit one;
/// hydrating the frame first and the page once its piece arrived would let the frame's effects
/// (the live stream connecting, the clock, the hydrated signal) change what the page then
/// renders, no longer the server's HTML. A piece that does not arrive is fetched again
/// (`retry`) for as long as the page is open: the page already works without JavaScript
/// meanwhile. A marker that names no page is a bug: said in the console, and the page
/// hydrates without waiting (its route then fetches what it needs).
#[cfg(feature = "hydrate")]
pub async fn shown_page_fetched() {
    let Some(name) = document()
        .query_selector("[data-page]")
        .ok()
        .flatten()
        .and_then(|marker| marker.get_attribute("data-page"))
    else {
        return;
    };
    let fetched = retried(
        None,
        || super::preload_page(&name),
        |err| matches!(err, PieceError::NotFetched),
    )
    .await;
    if let Err(err) = fetched {
        leptos::logging::error!("the piece of the page {name:?}: {err:?}");
    }
}

/// What a page whose code could not be fetched shows: what happened and a way to try again. The
/// link loads the page afresh (`rel="external"`: not a navigation inside the app), which also
/// picks up a newer build when a deploy is why the old piece is gone.
#[cfg(feature = "hydrate")]
fn unreachable_page() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let (path, query) = (
        location.pathname.get_untracked(),
        location.search.get_untracked(),
    );
    let here = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    view! {
        <section class="flex flex-1 items-center justify-center px-6 py-24" data-testid="page-unreachable">
            <div class="max-w-md text-center" role="alert">
                <h1 class="text-xl font-semibold tracking-tight text-slate-900">"This page didn't load"</h1>
                <p class="mt-3 text-slate-600">
                    "Part of ResolutionFlow couldn't be downloaded. Check your connection, then try again."
                </p>
                <a href=here rel="external" class=format!("mt-8 inline-flex {}", crate::components::ui::PRIMARY)>
                    "Try again"
                </a>
            </div>
        </section>
    }
}

/// Runs `fetch` (fetching pieces of pages) when the browser is next idle
/// (`requestIdleCallback`), so that opening one of those pages later waits for its data only.
/// A piece already here costs nothing; one that fails is fetched again when its page is opened.
pub fn prefetch_when_idle<Fetch>(fetch: impl FnOnce() -> Fetch + 'static)
where
    Fetch: std::future::Future<Output = ()> + 'static,
{
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::{closure::Closure, JsCast};
        let fetch_all = Closure::once_into_js(move || leptos::task::spawn_local(fetch()));
        let _ = window().request_idle_callback(fetch_all.unchecked_ref());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = fetch;
}
