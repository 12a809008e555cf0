use crate::components::icons::{Check, Eye, EyeOff, LogoMark};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn LoginPage() -> impl IntoView {
    view! {
        <Title text="Sign in" />
        <div class="grid flex-1 lg:grid-cols-2">
            <BrandPanel />
            <section class="flex items-center justify-center px-6 py-12 sm:px-12">
                <div class="w-full max-w-sm">
                    <div class="mb-8">
                        <h1 class="text-2xl font-semibold tracking-tight text-slate-900">
                            "Sign in to ResolutionFlow"
                        </h1>
                        <p class="mt-2 text-sm text-slate-600">
                            "Use the work e-mail your MSP signed you up with."
                        </p>
                    </div>
                    <LoginForm />
                </div>
            </section>
        </div>
    }
}

#[component]
fn LoginForm() -> impl IntoView {
    let show_password = RwSignal::new(false);
    view! {
        <form method="post" class="space-y-5" novalidate>
            <div>
                <label for="email" class="block text-sm font-medium text-slate-700">"E-mail"</label>
                <input
                    id="email"
                    name="email"
                    type="email"
                    autocomplete="username"
                    required
                    class="mt-1.5 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-slate-900 shadow-sm placeholder:text-slate-400 focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30"
                    placeholder="you@yourmsp.com"
                />
            </div>
            <div>
                <label for="password" class="block text-sm font-medium text-slate-700">"Password"</label>
                <div class="relative mt-1.5">
                    <input
                        id="password"
                        name="password"
                        type=move || if show_password.get() { "text" } else { "password" }
                        autocomplete="current-password"
                        required
                        class="block w-full rounded-md border border-slate-300 bg-white py-2 pl-3 pr-11 text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30"
                    />
                    <button
                        type="button"
                        class="absolute inset-y-0 right-0 flex items-center px-3 text-slate-400 hover:text-slate-600 focus:text-indigo-600 focus:outline-none"
                        aria-controls="password"
                        aria-pressed=move || show_password.get().to_string()
                        aria-label=move || if show_password.get() { "Hide password" } else { "Show password" }
                        on:click=move |_| show_password.update(|s| *s = !*s)
                    >
                        {move || if show_password.get() { view! { <EyeOff /> }.into_any() } else { view! { <Eye /> }.into_any() }}
                    </button>
                </div>
            </div>
            <button
                type="submit"
                class="flex w-full justify-center rounded-md bg-indigo-600 px-4 py-2.5 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2 disabled:opacity-60"
            >
                "Sign in"
            </button>
        </form>
    }
}

#[component]
fn BrandPanel() -> impl IntoView {
    let points = [
        "Escalations reach every senior the moment they are raised.",
        "One click to pick up, with the whole troubleshooting trail attached.",
        "Sessions that end when your security policy says so.",
    ];
    view! {
        <aside class="relative hidden overflow-hidden bg-slate-900 lg:flex lg:flex-col lg:justify-between lg:p-12">
            <div class="absolute inset-0 bg-[radial-gradient(circle_at_20%_20%,rgba(99,102,241,0.35),transparent_55%),radial-gradient(circle_at_80%_80%,rgba(34,211,238,0.18),transparent_50%)]" />
            <div class="relative flex items-center gap-3 text-white">
                <LogoMark class="h-9 w-9" />
                <span class="text-lg font-semibold tracking-tight">"ResolutionFlow"</span>
            </div>
            <div class="relative max-w-md">
                <h2 class="text-3xl font-semibold leading-tight tracking-tight text-white">
                    "Fix it once. Hand it off cleanly."
                </h2>
                <p class="mt-4 text-slate-300">
                    "The troubleshooting workspace for engineers at managed service providers."
                </p>
                <ul class="mt-8 space-y-4">
                    {points
                        .into_iter()
                        .map(|p| {
                            view! {
                                <li class="flex gap-3 text-sm text-slate-200">
                                    <span class="mt-0.5 text-cyan-300"><Check /></span>
                                    <span>{p}</span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </div>
            <p class="relative text-xs text-slate-500">"Built for the people who fix other companies' IT."</p>
        </aside>
    }
}
