//! The form that signs this tab out: a plain POST to `/logout`, so it works without
//! JavaScript; after hydration, this tab's stream is closed first and the other tabs are told.

use super::{
    escalation_feed::use_escalation_feed,
    login_channel::{use_login_channel, LoginEvent},
};
use leptos::prelude::*;

/// The stream closes before the form goes: the sign-out would otherwise reach this tab's own
/// stream as `signed_out` and send it to the sign-in page's "you were signed out" banner
/// instead of where the form leads.
#[component]
pub fn SignOutForm(children: Children) -> impl IntoView {
    let channel = use_login_channel();
    let feed = use_escalation_feed();
    view! {
        <form
            method="post"
            action="/logout"
            on:submit=move |_| {
                feed.close();
                channel.broadcast(&LoginEvent::Ended);
            }
        >
            {children()}
        </form>
    }
}
