//! Times as people read them. The server renders every time in UTC; in the browser a relative
//! time ("5 minutes ago") moves on by itself, and an absolute one is given in the viewer's own
//! zone, with UTC in its tooltip. Both go through [`ago`] and [`when`], which read the page's
//! one [`Clock`].

use super::ui::hydrated;
use chrono::{DateTime, Utc};
use leptos::prelude::*;

pub fn format_time(t: DateTime<Utc>) -> String {
    t.format("%-d %b %Y, %H:%M UTC").to_string()
}

/// How often relative times move on.
#[cfg(feature = "hydrate")]
const TICK: std::time::Duration = std::time::Duration::from_secs(20);

/// The page's time: the server's while it renders and the page hydrates (so both render the
/// same text), then the browser's, ticking. Times are given in the viewer's zone once the page
/// has hydrated (`ui::hydrated`).
#[derive(Clone, Copy)]
pub struct Clock {
    now: RwSignal<DateTime<Utc>>,
}

/// The clock for the page, from the layout.
pub fn provide_clock() {
    let clock = Clock {
        now: RwSignal::new(Utc::now()),
    };
    provide_context(clock);
    // Effects run only in the browser, once the page has hydrated.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            clock.now.set(Utc::now());
            let ticking =
                gloo_timers::callback::Interval::new(TICK.as_millis() as u32, move || {
                    clock.now.set(Utc::now());
                });
            let ticking = send_wrapper::SendWrapper::new(ticking);
            on_cleanup(move || drop(ticking));
        }
    });
}

fn clock() -> Clock {
    expect_context::<Clock>()
}

/// "5 minutes ago", moving on while the page is open; the exact time in its tooltip.
pub fn ago(at: DateTime<Utc>) -> impl IntoView {
    let now = clock().now;
    view! {
        <time datetime=at.to_rfc3339() title=format_time(at)>{move || time_ago(now.get(), at)}</time>
    }
}

/// An absolute time in the viewer's zone ("12 Dec 2026, 15:04 (UTC+01:00)"), UTC in its tooltip.
pub fn when(at: DateTime<Utc>) -> impl IntoView {
    let local = hydrated();
    view! {
        <time datetime=at.to_rfc3339() title=format_time(at)>
            {move || if local.get() { in_viewers_zone(at) } else { format_time(at) }}
        </time>
    }
}

/// `at` in the browser's zone; on the server, where there is no viewer, in UTC.
fn in_viewers_zone(at: DateTime<Utc>) -> String {
    #[cfg(feature = "hydrate")]
    {
        let local = at.with_timezone(&chrono::Local);
        if local.offset().local_minus_utc() == 0 {
            return format_time(at);
        }
        local.format("%-d %b %Y, %H:%M (UTC%:z)").to_string()
    }
    #[cfg(not(feature = "hydrate"))]
    format_time(at)
}

/// "just now", "5 minutes ago", "3 hours ago", "2 days ago".
pub fn time_ago(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let secs = (now - then).num_seconds().max(0);
    let (n, unit) = match secs {
        s if s < 60 => return "just now".to_owned(),
        s if s < 3600 => (s / 60, "minute"),
        s if s < 86_400 => (s / 3600, "hour"),
        s => (s / 86_400, "day"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

/// A window length in minutes as words: "3 days", "12 hours", "45 minutes".
pub fn duration_words(minutes: i32) -> String {
    let (n, unit) = if minutes % 1440 == 0 {
        (minutes / 1440, "day")
    } else if minutes % 60 == 0 {
        (minutes / 60, "hour")
    } else {
        (minutes, "minute")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn reads_naturally() {
        let now = Utc::now();
        assert_eq!(time_ago(now, now - Duration::seconds(20)), "just now");
        assert_eq!(time_ago(now, now - Duration::minutes(1)), "1 minute ago");
        assert_eq!(time_ago(now, now - Duration::hours(5)), "5 hours ago");
        assert_eq!(time_ago(now, now - Duration::days(3)), "3 days ago");
        assert_eq!(duration_words(4320), "3 days");
        assert_eq!(duration_words(720), "12 hours");
        assert_eq!(duration_words(45), "45 minutes");
    }
}
