//! The bell in the top bar: the unread count, and a panel of the latest notifications. A click
//! marks one read and goes where it points (`/pilot/{id}?pickup=true` for an escalation).
//! Rendered on the server, so the count and the links work before (and without) JavaScript.

use super::{
    escalation_feed::{use_escalation_feed, FeedEvent},
    icons::Bell,
    time::ago,
    visitor::use_api,
};
use crate::api::notifications::{list_notifications, read_notification};
use leptos::{html, prelude::*};
use leptos_router::hooks::use_navigate;
use vocab::{
    events::EscalationEvent,
    notifications::{Notification, NotificationList},
};

/// The bell, starting from the list loaded with the page (see the top bar).
#[component]
pub fn NotificationBell(initial: NotificationList) -> impl IntoView {
    let api = use_api();
    let list = RwSignal::new(initial);
    let panel = NodeRef::<html::Details>::new();
    let navigate = use_navigate();
    // An escalation writes the bell rows before it is announced, and a pick-up or a resolve
    // reads them for everyone (docs/API.md §9): reload when one is heard.
    let reload = move || {
        leptos::task::spawn_local(async move {
            if let Ok(fresh) = api.call(list_notifications).await {
                list.set(fresh);
            }
        })
    };
    use_escalation_feed().listen(move |event| {
        if matches!(
            event,
            FeedEvent::Escalation(
                EscalationEvent::HandoffCreated { .. }
                    | EscalationEvent::HandoffClaimed { .. }
                    | EscalationEvent::SessionResolved { .. }
            ) | FeedEvent::Resync
        ) {
            reload();
        }
    });
    let open_notification = Callback::new(move |n: Notification| {
        if let Some(panel) = panel.get() {
            panel.set_open(false);
        }
        if n.read_at.is_none() {
            let id = n.id;
            leptos::task::spawn_local(async move {
                if let Ok(fresh) = api.call(move || read_notification(id)).await {
                    list.set(fresh);
                }
            });
        }
        navigate(&n.link, Default::default());
    });
    let unread = move || list.with(|l| l.unread_count);
    view! {
        <details class="group relative" data-menu node_ref=panel data-testid="notification-bell">
            <summary
                class="relative flex cursor-pointer list-none items-center justify-center rounded-full p-2 text-slate-600 hover:bg-slate-100 hover:text-slate-900 [&::-webkit-details-marker]:hidden"
                aria-label=move || match unread() {
                    0 => "Notifications".to_owned(),
                    n => format!("Notifications, {n} unread"),
                }
            >
                <Bell />
                <Show when=move || { unread() > 0 }>
                    <span
                        class="absolute -right-0.5 -top-0.5 flex h-4 min-w-4 items-center justify-center rounded-full bg-red-600 px-1 text-[10px] font-semibold leading-none text-white"
                        data-testid="unread-count"
                    >
                        {move || match unread() {
                            n if n > 99 => "99+".to_owned(),
                            n => n.to_string(),
                        }}
                    </span>
                </Show>
            </summary>
            // On a phone the panel spans the screen under the top bar; from `sm` up it hangs
            // from the bell.
            <div class="fixed inset-x-2 top-14 overflow-hidden rounded-lg border border-slate-200 bg-white shadow-lg sm:absolute sm:inset-x-auto sm:right-0 sm:top-auto sm:mt-2 sm:w-80">
                <p class="border-b border-slate-100 px-4 py-2.5 text-sm font-semibold text-slate-900">"Notifications"</p>
                <Show
                    when=move || list.with(|l| !l.notifications.is_empty())
                    fallback=|| view! { <p class="px-4 py-6 text-center text-sm text-slate-600">"Nothing yet. Escalations from your team show up here."</p> }
                >
                    <ul class="max-h-96 divide-y divide-slate-100 overflow-y-auto">
                        <For each=move || list.get().notifications key=|n| (n.id, n.read_at.is_some()) let:n>
                            <NotificationRow n=n.clone() on_open=open_notification />
                        </For>
                    </ul>
                </Show>
            </div>
        </details>
    }
}

#[component]
fn NotificationRow(n: Notification, on_open: Callback<Notification>) -> impl IntoView {
    let unread = n.read_at.is_none();
    let href = n.link.clone();
    let title = n.title.clone();
    view! {
        <li>
            <a
                href=href
                class="flex gap-3 px-4 py-3 text-sm hover:bg-slate-50"
                data-unread=unread.to_string()
                on:click=move |ev| {
                    ev.prevent_default();
                    on_open.run(n.clone());
                }
            >
                <span class=if unread { "mt-1.5 h-2 w-2 shrink-0 rounded-full bg-indigo-500" } else { "mt-1.5 h-2 w-2 shrink-0" } aria-hidden="true"></span>
                <span class="min-w-0 flex-1">
                    <span class=if unread { "block font-medium text-slate-900" } else { "block text-slate-600" }>{title}</span>
                    <span class="mt-0.5 block text-xs text-slate-600">{ago(n.created_at)}</span>
                </span>
            </a>
        </li>
    }
}
