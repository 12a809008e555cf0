//! Text people type in, checked before it is stored.

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
