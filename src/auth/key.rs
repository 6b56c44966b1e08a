//! API keys: `tsk_` and 32 URL-safe base64 characters (192 bits from the
//! OS's random number generator). Only a SHA-256 hash is stored; the first
//! characters (the prefix) are kept in the clear to find and list a key.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use subtle::ConstantTimeEq;

/// What every key starts with, so secret scanners can recognise a leaked one.
pub(super) const KEY_PREFIX: &str = "tsk_";
/// Random bytes in a key.
const SECRET_BYTES: usize = 24;
/// Characters of the key kept in the clear: `tsk_` and 8 of the secret.
const SHOWN_CHARS: usize = KEY_PREFIX.len() + 8;
/// Length of a key: the prefix and the base64 of the secret.
const KEY_LEN: usize = KEY_PREFIX.len() + SECRET_BYTES * 4 / 3;

/// A key as presented by a client, well-formed (not yet known to be valid).
pub struct PresentedKey<'a>(&'a str);

impl<'a> PresentedKey<'a> {
    /// `text` if it has the shape of a key (a cheap check before any lookup).
    pub fn parse(text: &'a str) -> Option<Self> {
        let secret = text.strip_prefix(KEY_PREFIX)?;
        let well_formed = text.len() == KEY_LEN
            && secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        well_formed.then_some(Self(text))
    }

    /// The part kept in the clear, for the lookup.
    pub fn prefix(&self) -> &'a str {
        &self.0[..SHOWN_CHARS]
    }

    pub fn hash(&self) -> KeyHash {
        KeyHash::of(self.0)
    }
}

/// SHA-256 of a key, as stored (lower-case hex).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KeyHash(String);

impl KeyHash {
    fn of(key: &str) -> Self {
        Self(crate::digest::sha256_hex(key.as_bytes()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `stored` is this hash, compared in constant time.
    pub fn matches(&self, stored: &str) -> bool {
        self.0.as_bytes().ct_eq(stored.as_bytes()).into()
    }
}

/// A newly made key: the secret (shown once) and what is stored of it.
pub(super) struct NewKey {
    pub secret: String,
    pub prefix: String,
    pub hash: KeyHash,
}

/// The operating system could not give random bytes.
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random number generator failed: {0}")]
pub struct RandomError(getrandom::Error);

impl NewKey {
    pub(super) fn generate() -> Result<Self, RandomError> {
        let mut bytes = [0u8; SECRET_BYTES];
        getrandom::fill(&mut bytes).map_err(RandomError)?;
        let secret = format!("{KEY_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
        let presented = PresentedKey(&secret);
        let (prefix, hash) = (presented.prefix().to_owned(), presented.hash());
        Ok(Self {
            secret,
            prefix,
            hash,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_parse_and_differ() {
        let a = NewKey::generate().expect("random");
        let b = NewKey::generate().expect("random");
        assert_ne!(a.secret, b.secret);
        assert_eq!(a.secret.len(), KEY_LEN);
        let parsed = PresentedKey::parse(&a.secret).expect("well-formed");
        assert_eq!(parsed.prefix(), a.prefix);
        assert!(parsed.hash().matches(a.hash.as_str()));
        assert!(!parsed.hash().matches(b.hash.as_str()));
    }

    #[test]
    fn malformed_keys_are_refused_before_any_lookup() {
        let good = NewKey::generate().expect("random").secret;
        for bad in [
            "",
            "tsk_",
            "Bearer x",
            &good[1..],
            &format!("{good}x"),
            &good.replace(KEY_PREFIX, "tsx_"),
            &format!("{}!", &good[..KEY_LEN - 1]),
        ] {
            assert!(PresentedKey::parse(bad).is_none(), "{bad:?}");
        }
    }
}
