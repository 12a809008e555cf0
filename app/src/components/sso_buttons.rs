//! "Continue with Microsoft" and "Continue with Google": a link to each single sign-on provider
//! the server has (docs/API.md §12). They are plain links, so they work before the page has
//! hydrated and without JavaScript: the server answers each with a redirect to the provider.

use crate::components::{ui::SECONDARY_WIDE, visitor::encode_component};
use leptos::prelude::*;
use vocab::team::SsoProvider;

/// A link per provider, then a rule with "or" above the form that follows. Nothing when the
/// server has no provider.
pub fn sso_buttons(
    providers: &[SsoProvider],
    next: &str,
    invitation: Option<&str>,
) -> impl IntoView + use<> {
    let links = providers
        .iter()
        .map(|&provider| {
            let mut href = format!(
                "/auth/oidc/{}/start?next={}",
                provider.as_str(),
                encode_component(next)
            );
            if let Some(token) = invitation {
                href.push_str("&invitation=");
                href.push_str(&encode_component(token));
            }
            view! {
                // `rel="external"`: a full page load, which the app's router leaves to the server.
                <a href=href rel="external" class=SECONDARY_WIDE data-testid=format!("sso-{}", provider.as_str())>
                    {logo(provider)}
                    <span>"Continue with " {provider.label()}</span>
                </a>
            }
        })
        .collect_view();
    (!providers.is_empty()).then(|| {
        view! {
            <div class="space-y-3">{links}</div>
            <div class="my-6 flex items-center gap-3 text-xs uppercase tracking-wide text-slate-600" aria-hidden="true">
                <span class="h-px flex-1 bg-slate-200"></span>
                "or"
                <span class="h-px flex-1 bg-slate-200"></span>
            </div>
        }
    })
}

/// The provider's mark, as its brand guidelines draw it.
fn logo(provider: SsoProvider) -> impl IntoView {
    match provider {
        SsoProvider::Microsoft => view! {
            <svg class="h-4 w-4" viewBox="0 0 21 21" aria-hidden="true">
                <rect x="1" y="1" width="9" height="9" fill="#f25022" />
                <rect x="11" y="1" width="9" height="9" fill="#7fba00" />
                <rect x="1" y="11" width="9" height="9" fill="#00a4ef" />
                <rect x="11" y="11" width="9" height="9" fill="#ffb900" />
            </svg>
        }
        .into_any(),
        SsoProvider::Google => view! {
            <svg class="h-4 w-4" viewBox="0 0 48 48" aria-hidden="true">
                <path fill="#EA4335" d="M24 9.5c3.54 0 6.71 1.22 9.21 3.6l6.85-6.85C35.9 2.38 30.47 0 24 0 14.62 0 6.51 5.38 2.56 13.22l7.98 6.19C12.43 13.72 17.74 9.5 24 9.5z" />
                <path fill="#4285F4" d="M46.98 24.55c0-1.57-.15-3.09-.38-4.55H24v9.02h12.94c-.58 2.96-2.26 5.48-4.78 7.18l7.73 6c4.51-4.18 7.09-10.36 7.09-17.65z" />
                <path fill="#FBBC05" d="M10.53 28.59c-.48-1.45-.76-2.99-.76-4.59s.27-3.14.76-4.59l-7.98-6.19C.92 16.46 0 20.12 0 24c0 3.88.92 7.54 2.56 10.78l7.97-6.19z" />
                <path fill="#34A853" d="M24 48c6.48 0 11.93-2.13 15.89-5.81l-7.73-6c-2.15 1.45-4.92 2.3-8.16 2.3-6.26 0-11.57-4.22-13.47-9.91l-7.98 6.19C6.51 42.62 14.62 48 24 48z" />
            </svg>
        }
        .into_any(),
    }
}
