//! `use_login_expiry`: from the two ends of the current login (idle and absolute), which one
//! comes first and whether it is near.
//!
//! Re-evaluated every 30 s in the browser; on the server (and before hydration) it reports no
//! warning, so both render the same first HTML.

use chrono::{DateTime, Duration, Utc};
use leptos::prelude::*;
use vocab::visitor::LoginEnd;

/// How long before the end the warning starts.
pub const WARN_BEFORE: Duration = Duration::minutes(5);
/// How often the browser re-evaluates.
pub const TICK_MS: u32 = 30_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Warning {
    None,
    Soon,
    Now,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expiry {
    pub warning: Warning,
    pub reason: LoginEnd,
    /// When the closer window closes.
    pub at: Option<DateTime<Utc>>,
}

impl Expiry {
    pub const QUIET: Expiry = Expiry {
        warning: Warning::None,
        reason: LoginEnd::Idle,
        at: None,
    };
}

/// The closer of the two windows and how near it is. A tie goes to the absolute end: no
/// refresh can move it.
pub fn evaluate(
    now: DateTime<Utc>,
    idle: Option<DateTime<Utc>>,
    absolute: Option<DateTime<Utc>>,
) -> Expiry {
    let closer = match (idle, absolute) {
        (Some(i), Some(a)) if a <= i => Some((a, LoginEnd::Absolute)),
        (Some(i), _) => Some((i, LoginEnd::Idle)),
        (None, Some(a)) => Some((a, LoginEnd::Absolute)),
        (None, None) => None,
    };
    let Some((at, reason)) = closer else {
        return Expiry::QUIET;
    };
    let warning = if now >= at {
        Warning::Now
    } else if at - now <= WARN_BEFORE {
        Warning::Soon
    } else {
        Warning::None
    };
    Expiry {
        warning,
        reason,
        at: Some(at),
    }
}

/// The current session's two ends, as the browser knows them. Empty when signed out, on the
/// server, and before hydration.
#[derive(Clone, Copy)]
pub struct LoginWindows(pub RwSignal<Option<(DateTime<Utc>, DateTime<Utc>)>>);

pub fn use_login_windows() -> LoginWindows {
    expect_context::<LoginWindows>()
}

/// The closer window and how near it is, re-evaluated every
/// 30 s and whenever the windows change.
pub fn use_login_expiry() -> ReadSignal<Expiry> {
    let windows = use_login_windows();
    let (expiry, set_expiry) = signal(Expiry::QUIET);
    let tick = RwSignal::new(0u32);
    #[cfg(feature = "hydrate")]
    {
        let interval = gloo_timers::callback::Interval::new(TICK_MS, move || {
            tick.update(|n| *n = n.wrapping_add(1));
        });
        // Dropped (and so cancelled) with the component that asked.
        StoredValue::new_local(interval);
    }
    Effect::new(move |_| {
        tick.track();
        let (idle, absolute) = windows.0.get().unzip();
        set_expiry.set(evaluate(Utc::now(), idle, absolute));
    });
    expiry
}

/// "about 4 minutes", "less than a minute".
pub fn time_left(now: DateTime<Utc>, at: DateTime<Utc>) -> String {
    let minutes = (at - now).num_seconds().div_euclid(60);
    match minutes {
        m if m < 1 => "less than a minute".to_owned(),
        1 => "about a minute".to_owned(),
        m => format!("about {m} minutes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    const NOW: &str = "2026-11-24T10:00:00Z";

    #[test]
    fn the_closer_window_decides_and_warns_five_minutes_ahead() {
        let now = t(NOW);
        let e = evaluate(
            now,
            Some(t("2026-11-24T10:05:00Z")),
            Some(t("2026-11-24T12:00:00Z")),
        );
        assert_eq!((e.warning, e.reason), (Warning::Soon, LoginEnd::Idle));
        let e = evaluate(
            now,
            Some(t("2026-11-24T10:05:01Z")),
            Some(t("2026-11-24T12:00:00Z")),
        );
        assert_eq!(e.warning, Warning::None, "more than five minutes left");
        let e = evaluate(
            now,
            Some(t("2026-11-27T10:00:00Z")),
            Some(t("2026-11-24T10:03:00Z")),
        );
        assert_eq!((e.warning, e.reason), (Warning::Soon, LoginEnd::Absolute));
    }

    #[test]
    fn a_tie_is_the_absolute_end_and_a_passed_end_is_now() {
        let now = t(NOW);
        let same = Some(t("2026-11-24T10:02:00Z"));
        assert_eq!(evaluate(now, same, same).reason, LoginEnd::Absolute);
        let e = evaluate(now, Some(t(NOW)), Some(t("2026-11-25T10:00:00Z")));
        assert_eq!((e.warning, e.reason), (Warning::Now, LoginEnd::Idle));
        assert_eq!(evaluate(now, None, None), Expiry::QUIET);
    }

    #[test]
    fn time_left_reads_naturally() {
        let now = t(NOW);
        assert_eq!(
            time_left(now, t("2026-11-24T10:00:40Z")),
            "less than a minute"
        );
        assert_eq!(time_left(now, t("2026-11-24T10:01:10Z")), "about a minute");
        assert_eq!(time_left(now, t("2026-11-24T10:04:59Z")), "about 4 minutes");
    }
}
