//! Text people type in, checked before it is stored; and the digest a secret or a key is
//! stored as.

use vocab::error::ApiError;

/// Trims `text`; refuses it empty or longer than `max` characters.
pub fn required_text(field: &str, text: &str, max: usize) -> Result<String, ApiError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ApiError::invalid(field, "This can't be empty."));
    }
    if text.chars().count() > max {
        return Err(ApiError::invalid(
            field,
            format!("Keep this under {max} characters."),
        ));
    }
    Ok(text.to_owned())
}

/// The field messages of a form, collected so that a 422 names every problem at once.
#[derive(Default)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    /// The checked value, or an empty one with the check's messages kept.
    pub fn take(&mut self, checked: Result<String, ApiError>) -> String {
        checked.unwrap_or_else(|e| {
            self.0.extend(e.fields());
            String::new()
        })
    }

    /// Keeps `message` for `field`, if there is one.
    pub fn note(&mut self, field: &str, message: Option<String>) {
        self.0.extend(message.map(|m| (field.to_owned(), m)));
    }

    /// 422 with every message kept, unless there is none.
    pub fn checked(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(self.0))
        }
    }
}

/// The longest e-mail address a mail system delivers to (RFC 5321's path limit).
pub const EMAIL_MAX: usize = 254;

/// An e-mail address as stored: trimmed and lower case, one `@` with text on both sides, no
/// spaces. Whether mail reaches it is for the verification link to show.
pub fn email(field: &str, text: &str) -> Result<String, ApiError> {
    let email = text.trim().to_lowercase();
    let well_formed = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && domain.contains('.') && !domain.contains('@')
    }) && !email.contains(char::is_whitespace)
        && email.chars().count() <= EMAIL_MAX;
    if well_formed {
        Ok(email)
    } else if email.is_empty() {
        Err(ApiError::invalid(field, "Enter an e-mail address."))
    } else {
        Err(ApiError::invalid(
            field,
            "Enter an e-mail address like name@company.com.",
        ))
    }
}

/// The SHA-256 of `text` in lower-case hex: 64 characters, whatever its length.
pub fn sha256_hex(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_is_kept_trimmed_and_lower_case_and_must_look_like_one() {
        assert_eq!(
            email("email", "  Jane@Acme.TEST ").unwrap(),
            "jane@acme.test"
        );
        for bad in [
            "",
            "jane",
            "@acme.test",
            "jane@",
            "jane@acme",
            "ja ne@acme.test",
            "a@b@c.d",
        ] {
            assert!(email("email", bad).is_err(), "{bad:?}");
        }
        assert!(email("email", &format!("{}@acme.test", "a".repeat(250))).is_err());
    }
}
