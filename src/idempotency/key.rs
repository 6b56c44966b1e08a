//! The key: what a client may send, and how the contract documents it.

use crate::api::types::{inline_type, text_schema};
use crate::domain::Invalid;

/// An `Idempotency-Key`: 1–255 printable ASCII characters, not starting or
/// ending with a space.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub const MAX_LEN: usize = 255;
    /// The rule as a regular expression, for the contract.
    pub const PATTERN: &'static str = r"^[!-~]([ -~]*[!-~])?$";

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let printable = raw.bytes().all(|b| (0x20..=0x7e).contains(&b));
        let trimmed = !raw.starts_with(' ') && !raw.ends_with(' ');
        if raw.is_empty() || raw.len() > Self::MAX_LEN || !printable || !trimmed {
            return Err(format!(
                "must be 1-{} printable ASCII characters, not starting or ending with a space",
                Self::MAX_LEN
            )
            .into());
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

// Documents the header's schema (the operation parses it itself).
inline_type!(
    IdempotencyKey,
    "string_idempotency-key",
    text_schema(Some(1), IdempotencyKey::MAX_LEN, IdempotencyKey::PATTERN)
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_printable_ascii_up_to_the_limit() {
        assert!(IdempotencyKey::parse("a b").is_ok());
        assert!(IdempotencyKey::parse(&"k".repeat(IdempotencyKey::MAX_LEN)).is_ok());
        for bad in ["", " a", "a ", "é", "a\tb"] {
            assert!(IdempotencyKey::parse(bad).is_err(), "{bad:?}");
        }
        assert!(IdempotencyKey::parse(&"k".repeat(IdempotencyKey::MAX_LEN + 1)).is_err());
    }
}
