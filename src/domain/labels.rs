//! Labels: a small set of short tags per task, matched without regard to
//! letter case.

use super::Invalid;
use super::task::is_blank_char;

/// Most characters a label may have, as sent.
pub const LABEL_MAX_CHARS: usize = 32;
/// Most labels a task may carry.
pub const MAX_LABELS: usize = 20;

/// The published `pattern` of a label: no control character (the whole
/// Unicode `Cc` category: U+0000–U+001F and U+007F–U+009F) and no comma
/// anywhere, and at least one character that is not whitespace (the
/// whitespace of titles). A unit test derives it from the rules.
pub const LABEL_PATTERN: &str = r"^[^\u0000-\u001f\u007f-\u009f,]*[^\u0000-\u001f\u007f-\u009f,\u0009-\u000d\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028-\u2029\u202f\u205f\u3000\ufeff][^\u0000-\u001f\u007f-\u009f,]*$";

/// What separates labels in the column that keeps a task's labels for
/// reading (a comma cannot be in a label).
pub const SEPARATOR: char = ',';

/// A control character (Unicode's `Cc`, which is exactly Rust's
/// `char::is_control`) or the separator.
fn is_forbidden(c: char) -> bool {
    c.is_control() || c == SEPARATOR
}

/// A label: 1–32 characters as sent and as stored, no control characters
/// or commas, stored trimmed and in lower case, so `Work` and ` work ` are
/// one label.
///
/// Lower-casing can lengthen a text (`İ` becomes `i̇`, two code points), so
/// the limit is checked on the stored form too: what is accepted is exactly
/// what is kept. Reading does not check the rules again (`from_stored`): a
/// rule tightened in a later release never makes a stored label unreadable.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Label(String);

impl Label {
    pub const MAX_CHARS: usize = LABEL_MAX_CHARS;
    pub const PATTERN: &'static str = LABEL_PATTERN;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        if raw.chars().count() > Self::MAX_CHARS {
            return Err(format!("must be at most {} characters", Self::MAX_CHARS).into());
        }
        if raw.chars().any(is_forbidden) {
            return Err("must not contain control characters or commas".into());
        }
        let trimmed = raw.trim_matches(is_blank_char);
        if trimmed.is_empty() {
            return Err("must not be empty or blank".into());
        }
        let stored = trimmed.to_lowercase();
        if stored.chars().count() > Self::MAX_CHARS {
            return Err(format!(
                "must be at most {} characters in lower case (it has {})",
                Self::MAX_CHARS,
                stored.chars().count()
            )
            .into());
        }
        Ok(Self(stored))
    }

    /// A label as it was stored, taken as it is (see the type's doc).
    pub fn from_stored(stored: &str) -> Self {
        Self(stored.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A task's labels: a set, kept sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Labels(Vec<Label>);

impl Labels {
    pub const MAX: usize = MAX_LABELS;

    /// The set of `labels` (duplicates after normalising are one label);
    /// at most 20 as sent.
    pub fn new(labels: Vec<Label>) -> Result<Self, Invalid> {
        if labels.len() > Self::MAX {
            return Err(format!("must have at most {} labels", Self::MAX).into());
        }
        let mut labels = labels;
        labels.sort_unstable();
        labels.dedup();
        Ok(Self(labels))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Label> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The stored form: the labels joined by commas (empty for none).
    pub fn joined(&self) -> String {
        let names: Vec<&str> = self.0.iter().map(Label::as_str).collect();
        names.join(&SEPARATOR.to_string())
    }

    /// The labels of a stored `joined` form, as they were stored.
    pub fn from_joined(joined: &str) -> Self {
        Self(
            joined
                .split(SEPARATOR)
                .filter(|name| !name.is_empty())
                .map(Label::from_stored)
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::task::WHITESPACE;

    #[test]
    fn label_pattern_is_derived_from_the_rules() {
        let mut class = String::new();
        for &(lo, hi) in WHITESPACE {
            class.push_str(&format!("\\u{:04x}", lo as u32));
            if hi != lo {
                class.push_str(&format!("-\\u{:04x}", hi as u32));
            }
        }
        let forbidden = r"\u0000-\u001f\u007f-\u009f,";
        assert_eq!(
            LABEL_PATTERN,
            format!("^[^{forbidden}]*[^{forbidden}{class}][^{forbidden}]*$")
        );
    }

    #[test]
    fn labels_are_trimmed_lowercased_and_deduplicated() {
        let parse = |raw: &str| Label::parse(raw).map(|l| l.as_str().to_owned());
        assert_eq!(parse("  Work "), Ok("work".to_owned()));
        assert_eq!(parse("Ärger"), Ok("ärger".to_owned()));
        assert_eq!(parse(" "), Err("must not be empty or blank".into()));
        assert_eq!(
            parse("a,b"),
            Err("must not contain control characters or commas".into())
        );
        assert_eq!(
            parse("a\tb"),
            Err("must not contain control characters or commas".into())
        );
        assert!(parse(&"x".repeat(33)).is_err());
        let labels = ["b", "A", "a ", "B"].map(Label::parse);
        let labels = Labels::new(
            labels
                .into_iter()
                .collect::<Result<_, _>>()
                .unwrap_or_default(),
        );
        assert_eq!(labels.map(|l| l.joined()), Ok("a,b".to_owned()));
        assert_eq!(Labels::from_joined("a,b").joined(), "a,b");
        assert!(Labels::from_joined("").is_empty());
    }

    proptest::proptest! {
        /// Whatever a label is accepted as is exactly what a later parse of
        /// its stored form accepts: the write path never stores what the
        /// rules refuse (the limit holds after lower-casing, no control
        /// character or comma, not blank).
        #[test]
        fn an_accepted_label_is_stored_within_its_rules(raw in crate::domain::tricky_text(40)) {
            if let Ok(label) = Label::parse(&raw) {
                let stored = label.as_str();
                proptest::prop_assert!(stored.chars().count() <= Label::MAX_CHARS, "{stored:?}");
                proptest::prop_assert!(!stored.chars().any(is_forbidden), "{stored:?}");
                let again = Label::parse(stored);
                proptest::prop_assert_eq!(again.as_ref(), Ok(&label));
            } else {
                // Refused only for a reason the rules give.
                let stored = raw.trim_matches(is_blank_char).to_lowercase();
                proptest::prop_assert!(
                    raw.chars().count() > Label::MAX_CHARS
                        || stored.chars().count() > Label::MAX_CHARS
                        || raw.chars().any(is_forbidden)
                        || stored.is_empty(),
                    "{raw:?} refused"
                );
            }
        }
    }

    #[test]
    fn a_label_that_lengthens_in_lower_case_is_checked_as_stored() {
        // Each `İ` lower-cases to two code points.
        assert!(Label::parse(&"İ".repeat(16)).is_ok());
        let refused = Label::parse(&"İ".repeat(17));
        assert_eq!(
            refused,
            Err("must be at most 32 characters in lower case (it has 34)".into())
        );
        for c1 in ['\u{0080}', '\u{0085}', '\u{0090}', '\u{009f}'] {
            assert!(Label::parse(&format!("a{c1}b")).is_err(), "{c1:?}");
        }
    }

    #[test]
    fn more_than_twenty_labels_are_refused() {
        let many: Vec<Label> = (0..21)
            .filter_map(|i| Label::parse(&format!("l{i}")).ok())
            .collect();
        assert!(Labels::new(many).is_err());
    }
}
