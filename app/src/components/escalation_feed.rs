//! The account's live escalation events in the browser: one `EventSource` per tab on
//! `/api/escalations/stream`, shared by everything that listens (the queue, the bell, the
//! pick-up screen).
//!
//! The browser reconnects by itself after a dropped connection, sending `Last-Event-ID`, so
//! nothing is missed. When it gives up instead (the stream answered an error, e.g. 401 after a
//! server restart outlived the access token), the feed reconnects with backoff, renewing the
//! session first. A manual reconnect cannot replay, so every `ready` after the first tells the
//! listeners to resync.

use super::visitor::Api;
use leptos::prelude::*;
use vocab::events::EscalationEvent;

#[derive(Clone, Debug, PartialEq)]
pub enum FeedEvent {
    Escalation(EscalationEvent),
    /// The stream came back after a gap: anything may have changed meanwhile.
    Resync,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeedStatus {
    /// Not connected yet (and always, on the server and for viewers).
    Idle,
    Live,
    Reconnecting,
}

#[cfg(feature = "hydrate")]
type Listener = std::rc::Rc<dyn Fn(&FeedEvent)>;

/// The feed of this tab. Listeners and the connection exist only in the browser: the server
/// renders pages once and hears no events (and its render may hop threads, where browser-only
/// storage must not go).
#[derive(Clone, Copy)]
pub struct EscalationFeed {
    pub status: RwSignal<FeedStatus>,
    #[cfg(feature = "hydrate")]
    listeners: StoredValue<Vec<(u64, Listener)>, LocalStorage>,
    #[cfg(feature = "hydrate")]
    next_id: StoredValue<u64>,
    #[cfg(feature = "hydrate")]
    connection: StoredValue<Option<browser::Connection>, LocalStorage>,
    #[cfg(feature = "hydrate")]
    attempts: StoredValue<u32>,
    #[cfg(feature = "hydrate")]
    was_ready: StoredValue<bool>,
}

pub fn provide_escalation_feed() -> EscalationFeed {
    let feed = EscalationFeed {
        status: RwSignal::new(FeedStatus::Idle),
        #[cfg(feature = "hydrate")]
        listeners: StoredValue::new_local(Vec::new()),
        #[cfg(feature = "hydrate")]
        next_id: StoredValue::new(0),
        #[cfg(feature = "hydrate")]
        connection: StoredValue::new_local(None),
        #[cfg(feature = "hydrate")]
        attempts: StoredValue::new(0),
        #[cfg(feature = "hydrate")]
        was_ready: StoredValue::new(false),
    };
    provide_context(feed);
    feed
}

pub fn use_escalation_feed() -> EscalationFeed {
    expect_context::<EscalationFeed>()
}

impl EscalationFeed {
    /// Calls `listener` for every event until the calling component goes away.
    pub fn listen(self, listener: impl Fn(&FeedEvent) + 'static) {
        #[cfg(feature = "hydrate")]
        {
            let id = self.next_id.get_value();
            self.next_id.set_value(id + 1);
            self.listeners
                .update_value(|all| all.push((id, std::rc::Rc::new(listener))));
            on_cleanup(move || {
                self.listeners
                    .try_update_value(|all| all.retain(|(other, _)| *other != id));
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = listener;
    }

    #[cfg(feature = "hydrate")]
    fn dispatch(self, event: &FeedEvent) {
        // Listeners may come and go while being called: call a copy of the list.
        let listeners: Vec<Listener> = self
            .listeners
            .with_value(|all| all.iter().map(|(_, l)| l.clone()).collect());
        for listener in listeners {
            listener(event);
        }
    }

    /// Closes the stream for good: this tab is signing itself out and goes to the sign-in
    /// page on its own, so it must not be sent there again, told someone else did it.
    pub fn close(self) {
        #[cfg(feature = "hydrate")]
        browser::stop(self);
    }

    /// Opens the stream for this tab, once. Only in the browser, and only for people who work
    /// the queue (the stream refuses viewers).
    pub fn connect(self, api: Api) {
        #[cfg(feature = "hydrate")]
        if self.connection.with_value(Option::is_none) {
            browser::open(self, api);
            browser::resync_when_online(self);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = api;
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::{EscalationFeed, FeedEvent, FeedStatus};
    use crate::{
        api::auth::{logout, session},
        components::visitor::{leave_for_login, Api, LeftBecause},
    };
    use leptos::prelude::*;
    use vocab::events::EscalationEvent;
    use wasm_bindgen::{closure::Closure, JsCast};
    use web_sys::{EventSource, MessageEvent};

    const STREAM: &str = "/api/escalations/stream";

    /// An open stream and the handlers that must live as long as it does.
    pub struct Connection {
        source: EventSource,
        _handlers: Vec<Closure<dyn Fn(MessageEvent)>>,
    }

    impl Drop for Connection {
        fn drop(&mut self) {
            self.source.close();
        }
    }

    pub fn open(feed: EscalationFeed, api: Api) {
        let Ok(source) = EventSource::new(STREAM) else {
            retry_later(feed, api);
            return;
        };
        let mut handlers = Vec::new();
        let mut on = |name: &str, handler: Closure<dyn Fn(MessageEvent)>| {
            let _ = source.add_event_listener_with_callback(name, handler.as_ref().unchecked_ref());
            handlers.push(handler);
        };
        on(
            "ready",
            Closure::new(move |_: MessageEvent| {
                feed.status.set(FeedStatus::Live);
                feed.attempts.set_value(0);
                if feed.was_ready.get_value() {
                    feed.dispatch(&FeedEvent::Resync);
                }
                feed.was_ready.set_value(true);
            }),
        );
        for name in EscalationEvent::NAMES {
            on(
                name,
                Closure::new(move |msg: MessageEvent| {
                    let data = msg.data().as_string().unwrap_or_default();
                    match EscalationEvent::from_parts(name, &data) {
                        // The cookies go too: the access token would still pass for minutes,
                        // and the sign-in page would send a signed-in visitor straight back.
                        Some(EscalationEvent::SignedOut { reason }) => {
                            stop(feed);
                            leptos::task::spawn_local(async move {
                                let _ = logout().await;
                                leave_for_login(Some(LeftBecause::SignedOut {
                                    by_someone_else: reason.by_someone_else(),
                                }));
                            });
                        }
                        // Shown again, as what they may do now.
                        Some(EscalationEvent::AccessChanged {}) => {
                            stop(feed);
                            let _ = window().location().reload();
                        }
                        Some(event) => feed.dispatch(&FeedEvent::Escalation(event)),
                        None => {}
                    }
                }),
            );
        }
        let watched = source.clone();
        on(
            "error",
            Closure::new(move |_: MessageEvent| {
                feed.status.set(FeedStatus::Reconnecting);
                // CONNECTING: the browser is already retrying. CLOSED: it gave up; our turn.
                if watched.ready_state() == EventSource::CLOSED {
                    retry_later(feed, api);
                }
            }),
        );
        feed.connection.set_value(Some(Connection {
            source,
            _handlers: handlers,
        }));
    }

    /// Back online after the network dropped: what listeners fetched meanwhile may have failed
    /// (the stream can outlive a short outage and tell of events nobody could then fetch), so
    /// they fetch again. Once per tab, for its lifetime.
    pub fn resync_when_online(feed: EscalationFeed) {
        let online = Closure::<dyn Fn()>::new(move || feed.dispatch(&FeedEvent::Resync));
        let _ =
            window().add_event_listener_with_callback("online", online.as_ref().unchecked_ref());
        online.forget();
    }

    /// The stream's last word came: close it for good, so the browser does not reconnect.
    pub fn stop(feed: EscalationFeed) {
        feed.connection.with_value(|c| {
            if let Some(c) = c {
                c.source.close();
            }
        });
        feed.status.set(FeedStatus::Idle);
    }

    /// Waits 1 s, 2 s, 4 s … up to 30 s, renews the session if it needs it, and opens again.
    fn retry_later(feed: EscalationFeed, api: Api) {
        let attempt = feed.attempts.get_value();
        feed.attempts.set_value(attempt + 1);
        gloo_timers::callback::Timeout::new(
            crate::components::retry::backoff_ms(attempt),
            move || {
                // Dropped here, not inside its own error handler.
                feed.connection.set_value(None);
                leptos::task::spawn_local(async move {
                    let _ = api.call(session).await;
                    open(feed, api);
                });
            },
        )
        .forget();
    }
}
