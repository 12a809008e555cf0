//! ResolutionFlow's Leptos application, shared by the server (feature `ssr`) and the browser
//! (feature `hydrate`): the pages, their components, and the server functions, whose bodies
//! (server only) call the `domain` crate.
#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod pages;

use components::layout::AppLayout;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Link, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, Lazy, SsrMode,
};
use pages::{
    not_found::NotFound, AccountSecurityRoute, AccountSettingsRoute, ArticleRoute, DashboardRoute,
    ForgotPasswordRoute, InviteRoute, KnowledgeBaseRoute, LoginRoute, MembersRoute, PilotRoute,
    ResetPasswordRoute, SignUpRoute, VerifyEmailRoute,
};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en" class="h-full">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <AutoReload options=options.clone() />
                // The build's hashed name for the styles (or the plain one in development).
                <HashedStylesheet id="leptos" options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body class="h-full bg-slate-50 text-slate-900 antialiased">
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg" />
        <Title formatter=|page: String| {
            if page.is_empty() { "ResolutionFlow".to_owned() } else { format!("{page} · ResolutionFlow") }
        } />
        <Router>
            <AppLayout>
                <Routes fallback=NotFound>
                    // Async: the whole page is rendered before it is sent, so it reads
                    // complete without JavaScript and a redirect can still set its status.
                    // Lazy: each page's code is in a piece of the WASM with the pages used with
                    // it (pages::split).
                    <Route path=path!("/") view={Lazy::<DashboardRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/login") view={Lazy::<LoginRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/forgot-password") view={Lazy::<ForgotPasswordRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/reset-password") view={Lazy::<ResetPasswordRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/account") view={Lazy::<AccountSettingsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/account/security") view={Lazy::<AccountSecurityRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/account/members") view={Lazy::<MembersRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/signup") view={Lazy::<SignUpRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/verify-email") view={Lazy::<VerifyEmailRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/invite") view={Lazy::<InviteRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/pilot/:session_id") view={Lazy::<PilotRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/kb") view={Lazy::<KnowledgeBaseRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/kb/:article_id") view={Lazy::<ArticleRoute>::new()} ssr=SsrMode::Async />
                </Routes>
            </AppLayout>
        </Router>
    }
}
