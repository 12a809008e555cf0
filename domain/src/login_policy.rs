//! The account's session policy: idle and absolute windows, overrides over system defaults.

use crate::config::LoginSettings;

/// The effective windows, in minutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoginPolicy {
    pub idle_minutes: i32,
    pub absolute_minutes: i32,
}

impl LoginPolicy {
    pub fn idle_seconds(self) -> i64 {
        i64::from(self.idle_minutes) * 60
    }

    pub fn absolute_seconds(self) -> i64 {
        i64::from(self.absolute_minutes) * 60
    }
}

/// An account's overrides (`NULL` = system default) resolved against the settings.
pub fn resolve_login_policy(
    idle_override: Option<i32>,
    absolute_override: Option<i32>,
    settings: &LoginSettings,
) -> LoginPolicy {
    LoginPolicy {
        idle_minutes: idle_override.unwrap_or(settings.idle.default),
        absolute_minutes: absolute_override.unwrap_or(settings.absolute.default),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::WindowSettings;

    const SETTINGS: LoginSettings = LoginSettings {
        idle: WindowSettings {
            default: 4320,
            min: 15,
            max: 43200,
        },
        absolute: WindowSettings {
            default: 20160,
            min: 60,
            max: 129600,
        },
        access_token_minutes: 5,
    };

    #[test]
    fn null_overrides_fall_back_to_the_strict_defaults() {
        let p = resolve_login_policy(None, None, &SETTINGS);
        assert_eq!(
            (p.idle_seconds(), p.absolute_seconds()),
            (259_200, 1_209_600)
        );
        let p = resolve_login_policy(Some(60), None, &SETTINGS);
        assert_eq!((p.idle_minutes, p.absolute_minutes), (60, 20160));
    }
}
