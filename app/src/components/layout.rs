//! The frame of every page: the top bar, the main area and the toast region.

use super::{
    icons::LogoMark,
    toast::{provide_toasts, ToastRegion},
};
use leptos::prelude::*;

#[component]
pub fn AppLayout(children: Children) -> impl IntoView {
    let toasts = provide_toasts();
    view! {
        <div class="flex min-h-full flex-col">
            <TopBar />
            <main class="flex flex-1 flex-col">{children()}</main>
            <ToastRegion toasts />
        </div>
    }
}

#[component]
fn TopBar() -> impl IntoView {
    view! {
        <header class="sticky top-0 z-40 border-b border-slate-200 bg-white/90 backdrop-blur">
            <div class="mx-auto flex h-14 max-w-7xl items-center justify-between px-4 sm:px-6">
                <a href="/" class="flex items-center gap-2.5 font-semibold tracking-tight text-slate-900">
                    <LogoMark class="h-7 w-7" />
                    <span>"ResolutionFlow"</span>
                </a>
            </div>
        </header>
    }
}
