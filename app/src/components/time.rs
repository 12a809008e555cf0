//! Times as people read them. Absolute times are shown in UTC so the server and the browser
//! render the same text.

use chrono::{DateTime, Utc};

pub fn format_time(t: DateTime<Utc>) -> String {
    t.format("%-d %b %Y, %H:%M UTC").to_string()
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
