//! Sign-in throttling: after repeated failures for one e-mail or from one address, further
//! attempts are refused for the rest of the window (429 with `Retry-After`).
//!
//! Kept in process memory: each server process throttles on its own, which bounds guessing to
//! (processes × limit) per window; the argon2 cost bounds it further.

use chrono::{DateTime, Duration, Utc};
use std::{collections::HashMap, sync::Mutex};

#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub per_email: u32,
    pub per_ip: u32,
    pub window: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            per_email: 5,
            per_ip: 30,
            window: Duration::minutes(15),
        }
    }
}

#[derive(Clone, Copy)]
struct Window {
    started: DateTime<Utc>,
    failures: u32,
}

pub struct LoginLimiter {
    limits: Limits,
    windows: Mutex<HashMap<String, Window>>,
}

/// Beyond this many tracked keys, expired windows are swept on the next failure.
const SWEEP_AT: usize = 10_000;

impl LoginLimiter {
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            windows: Mutex::new(HashMap::new()),
        }
    }

    fn keys(email: &str, ip: Option<&str>) -> [(String, bool); 2] {
        [
            (format!("email:{email}"), true),
            (format!("ip:{}", ip.unwrap_or("-")), false),
        ]
    }

    /// `Err(seconds)` when either key is locked out, with the seconds until it opens again.
    pub fn check(&self, email: &str, ip: Option<&str>, now: DateTime<Utc>) -> Result<(), i64> {
        let windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let mut wait = 0;
        for (key, is_email) in Self::keys(email, ip) {
            let limit = if is_email {
                self.limits.per_email
            } else {
                self.limits.per_ip
            };
            if let Some(w) = windows.get(&key) {
                let ends = w.started + self.limits.window;
                if w.failures >= limit && ends > now {
                    wait = wait.max((ends - now).num_seconds().max(1));
                }
            }
        }
        if wait > 0 {
            Err(wait)
        } else {
            Ok(())
        }
    }

    pub fn record_failure(&self, email: &str, ip: Option<&str>, now: DateTime<Utc>) {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() > SWEEP_AT {
            let window = self.limits.window;
            windows.retain(|_, w| w.started + window > now);
        }
        for (key, _) in Self::keys(email, ip) {
            let w = windows.entry(key).or_insert(Window {
                started: now,
                failures: 0,
            });
            if w.started + self.limits.window <= now {
                *w = Window {
                    started: now,
                    failures: 0,
                };
            }
            w.failures += 1;
        }
    }

    /// A successful sign-in clears that e-mail's failures (not the address's).
    pub fn record_success(&self, email: &str) {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        windows.remove(&format!("email:{email}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_an_email_after_its_limit_until_the_window_ends() {
        let limiter = LoginLimiter::new(Limits {
            per_email: 3,
            per_ip: 100,
            window: Duration::minutes(15),
        });
        let t0 = Utc::now();
        for _ in 0..3 {
            assert!(limiter.check("a@x.test", Some("1.1.1.1"), t0).is_ok());
            limiter.record_failure("a@x.test", Some("1.1.1.1"), t0);
        }
        assert_eq!(limiter.check("a@x.test", Some("2.2.2.2"), t0), Err(900));
        assert!(
            limiter.check("b@x.test", Some("1.1.1.1"), t0).is_ok(),
            "other e-mails are unaffected"
        );
        assert!(limiter
            .check("a@x.test", None, t0 + Duration::minutes(15))
            .is_ok());
    }

    #[test]
    fn locks_an_address_across_emails_and_success_clears_only_the_email() {
        let limiter = LoginLimiter::new(Limits {
            per_email: 100,
            per_ip: 2,
            window: Duration::minutes(1),
        });
        let t0 = Utc::now();
        limiter.record_failure("a@x.test", Some("9.9.9.9"), t0);
        limiter.record_failure("b@x.test", Some("9.9.9.9"), t0);
        assert!(limiter.check("c@x.test", Some("9.9.9.9"), t0).is_err());
        limiter.record_success("c@x.test");
        assert!(limiter.check("c@x.test", Some("9.9.9.9"), t0).is_err());
        assert!(limiter.check("c@x.test", Some("8.8.8.8"), t0).is_ok());
    }
}
