//! Keeps every tab of one browser on the same session: a refresh, a sign-out or a revocation in
//! one tab reaches the others over a `BroadcastChannel`.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "hydrate")]
const CHANNEL: &str = "rf-session";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LoginEvent {
    Refreshed {
        idle_expires_at: DateTime<Utc>,
        absolute_expires_at: DateTime<Utc>,
    },
    Ended,
}

/// This tab's end of the channel (opened after hydration; nothing on the server).
#[derive(Clone, Copy)]
pub struct LoginChannel {
    #[cfg(feature = "hydrate")]
    channel: StoredValue<Option<web_sys::BroadcastChannel>, LocalStorage>,
}

impl LoginChannel {
    /// Tells the other tabs.
    pub fn broadcast(&self, event: &LoginEvent) {
        #[cfg(feature = "hydrate")]
        self.channel.with_value(|channel| {
            if let (Some(channel), Ok(json)) = (channel, serde_json::to_string(event)) {
                let _ = channel.post_message(&json.into());
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = event;
    }
}

/// Opens the channel for this tab and calls `on_event` for what other tabs say.
pub fn provide_login_channel(on_event: impl Fn(LoginEvent) + 'static) -> LoginChannel {
    let channel = LoginChannel {
        #[cfg(feature = "hydrate")]
        channel: StoredValue::new_local(None),
    };
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::{closure::Closure, JsCast};
        let on_event = std::rc::Rc::new(on_event);
        Effect::new(move |_| {
            let Ok(bc) = web_sys::BroadcastChannel::new(CHANNEL) else {
                return;
            };
            let on_event = on_event.clone();
            let handler =
                Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |msg: web_sys::MessageEvent| {
                    let event = msg.data().as_string().and_then(|json| {
                        serde_json::from_slice::<LoginEvent>(json.as_bytes()).ok()
                    });
                    if let Some(event) = event {
                        on_event(event);
                    }
                });
            bc.set_onmessage(Some(handler.as_ref().unchecked_ref()));
            // The handler lives as long as the page's channel does.
            handler.forget();
            channel.channel.set_value(Some(bc));
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = on_event;
    provide_context(channel);
    channel
}

pub fn use_login_channel() -> LoginChannel {
    expect_context::<LoginChannel>()
}
