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

/// The SHA-256 of `text` in lower-case hex: 64 characters, whatever its length.
pub fn sha256_hex(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
