//! Presence in the browser (docs/API.md §9): who else has a session open and who is typing in it,
//! as this tab's stream tells it ([`provide_presence`], once per tab), and this tab's own
//! reports while it shows a session ([`Reporter`]): `viewing` at once and every 20 s, `typing`
//! while keys are pressed, and `left` when the page goes away (also when the tab is closed,
//! by a beacon, which the browser sends even then).

use super::escalation_feed::{EscalationFeed, FeedEvent};
use super::visitor::Api;
use leptos::prelude::*;
use vocab::{
    events::{EscalationEvent, PresenceState},
    ids::{SessionId, UserId},
    users::UserRef,
};

/// Someone with a session open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Present {
    pub session_id: SessionId,
    pub user: UserRef,
    pub typing: bool,
}

/// Everyone this tab has been told is present, in any session.
#[derive(Clone, Copy)]
pub struct PresenceBoard(RwSignal<Vec<Present>>);

/// Keeps the tab's board from its stream. A stream that comes back tells who is present
/// now, right after `ready`: what the tab knew before is dropped then.
pub fn provide_presence(feed: EscalationFeed) {
    let board = RwSignal::new(Vec::<Present>::new());
    feed.listen(move |event| match event {
        FeedEvent::Escalation(EscalationEvent::Presence {
            session_id,
            user,
            state,
        }) => board.update(|all| {
            all.retain(|p| !(p.session_id == *session_id && p.user.id == user.id));
            if *state != PresenceState::Left {
                all.push(Present {
                    session_id: *session_id,
                    user: user.clone(),
                    typing: *state == PresenceState::Typing,
                });
            }
        }),
        FeedEvent::Resync => board.set(Vec::new()),
        FeedEvent::Escalation(_) => {}
    });
    provide_context(PresenceBoard(board));
}

impl PresenceBoard {
    pub fn get() -> Self {
        expect_context()
    }

    /// Who besides `me` has the session open (tracked).
    pub fn others(self, session_id: SessionId, me: UserId) -> Vec<Present> {
        self.0.with(|all| {
            all.iter()
                .filter(|p| p.session_id == session_id && p.user.id != me)
                .cloned()
                .collect()
        })
    }
}

/// "Sam Senior", "Sam Senior and Alex Admin", "Sam Senior, Alex Admin and 2 others".
pub fn names(people: &[Present]) -> String {
    let first: Vec<&str> = people.iter().map(|p| p.user.name.as_str()).collect();
    match first.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [one, two] => format!("{one} and {two}"),
        [one, two, rest @ ..] if rest.len() == 1 => format!("{one}, {two} and {}", rest[0]),
        [one, two, rest @ ..] => format!("{one}, {two} and {} others", rest.len()),
    }
}

/// This tab's presence in one session, for as long as the calling component lives.
#[derive(Clone, Copy)]
pub struct Reporter {
    #[cfg(feature = "hydrate")]
    inner: browser::Reporter,
}

impl Reporter {
    /// Starts reporting `viewing`; stops with `left` when the calling component goes away.
    pub fn start(api: Api, session_id: SessionId) -> Self {
        #[cfg(not(feature = "hydrate"))]
        let _ = (api, session_id);
        Self {
            #[cfg(feature = "hydrate")]
            inner: browser::Reporter::start(api, session_id),
        }
    }

    /// A key was pressed in the composer: `typing` now, `viewing` again after a pause.
    pub fn typed(self) {
        #[cfg(feature = "hydrate")]
        self.inner.typed();
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use crate::{api::sessions::report_presence, components::visitor::Api};
    use gloo_timers::callback::{Interval, Timeout};
    use leptos::prelude::*;
    use vocab::{events::PresenceState, ids::SessionId};
    use wasm_bindgen::{closure::Closure, JsCast};

    /// Renewed well inside the server's 45 s.
    const RENEW_MS: u32 = 20_000;
    /// Typing ends this long after the last key.
    const TYPING_MS: u32 = 4_000;

    #[derive(Clone, Copy)]
    pub struct Reporter {
        api: Api,
        session_id: SessionId,
        typing: StoredValue<bool>,
        /// When the last key was pressed (`Date.now()`, ms).
        last_key: StoredValue<f64>,
    }

    impl Reporter {
        pub fn start(api: Api, session_id: SessionId) -> Self {
            let reporter = Self {
                api,
                session_id,
                typing: StoredValue::new(false),
                last_key: StoredValue::new(0.0),
            };
            reporter.send(PresenceState::Viewing);
            let renew = Interval::new(RENEW_MS, move || {
                let typing = reporter.typing.try_get_value() == Some(true);
                reporter.send(if typing {
                    PresenceState::Typing
                } else {
                    PresenceState::Viewing
                });
            });
            // Closing the tab or leaving the site: the page is gone before a fetch could end.
            let on_hide = Closure::<dyn Fn()>::new(move || beacon_left(session_id));
            let _ = window()
                .add_event_listener_with_callback("pagehide", on_hide.as_ref().unchecked_ref());
            let renew = send_wrapper::SendWrapper::new((renew, on_hide));
            on_cleanup(move || {
                let (renew, on_hide) = renew.take();
                drop(renew);
                let _ = window().remove_event_listener_with_callback(
                    "pagehide",
                    on_hide.as_ref().unchecked_ref(),
                );
                // Navigated away inside the app: the tab is still here to say so.
                let (api, session_id) = (reporter.api, reporter.session_id);
                leptos::task::spawn_local(async move {
                    let _ = api
                        .call(move || report_presence(session_id, "left".to_owned()))
                        .await;
                });
            });
            reporter
        }

        pub fn typed(self) {
            self.last_key.set_value(js_sys::Date::now());
            if !self.typing.get_value() {
                self.typing.set_value(true);
                self.send(PresenceState::Typing);
                self.pause_after(TYPING_MS);
            }
        }

        /// Back to `viewing` once no key has been pressed for [`TYPING_MS`]; checked again
        /// later while keys keep coming (one timer at a time, whatever the typing speed).
        fn pause_after(self, ms: u32) {
            Timeout::new(ms, move || {
                let Some(last) = self.last_key.try_get_value() else {
                    return; // the page is gone
                };
                let quiet = js_sys::Date::now() - last;
                if quiet >= f64::from(TYPING_MS) {
                    self.typing.set_value(false);
                    self.send(PresenceState::Viewing);
                } else {
                    self.pause_after((f64::from(TYPING_MS) - quiet).ceil() as u32);
                }
            })
            .forget();
        }

        fn send(self, state: PresenceState) {
            let (api, session_id) = (self.api, self.session_id);
            leptos::task::spawn_local(async move {
                let _ = api
                    .call(move || report_presence(session_id, state.as_str().to_owned()))
                    .await;
            });
        }
    }

    fn beacon_left(session_id: SessionId) {
        let body = format!(r#"{{"session_id":"{session_id}","state":"left"}}"#);
        let parts = js_sys::Array::of1(&body.into());
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("application/json");
        if let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) {
            let _ = window()
                .navigator()
                .send_beacon_with_opt_blob("/api/presence", Some(&blob));
        }
    }
}
