//! Labels: a small set of short tags per task, matched without regard to
//! letter case.

use super::Invalid;
use super::task::is_blank_char;

/// Most characters a label may have, as sent.
pub const LABEL_MAX_CHARS: usize = 32;
/// Most labels a task may carry.
pub const MAX_LABELS: usize = 20;

/// The published `pattern` of a label: no control character and no comma
/// anywhere, and at least one character that is not whitespace (the
/// whitespace of titles). A unit test derives it from the rules.
pub const LABEL_PATTERN: &str = r"^[^\u0000-\u001f\u007f,]*[^\u0000-\u001f\u007f,\u0009-\u000d\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028-\u2029\u202f\u205f\u3000\ufeff][^\u0000-\u001f\u007f,]*$";

/// What separates labels in the column that keeps a task's labels for
/// reading (a comma cannot be in a label).
pub const SEPARATOR: char = ',';

fn is_forbidden(c: char) -> bool {
    c.is_ascii_control() || c == SEPARATOR
}

/// A label: 1–32 characters as sent, no control characters or commas,
/// stored trimmed and in lower case, so `Work` and ` work ` are one label.
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
        Ok(Self(trimmed.to_lowercase()))
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

    /// The labels of a stored `joined` form.
    pub fn from_joined(joined: &str) -> Result<Self, Invalid> {
        let labels = joined
            .split(SEPARATOR)
            .filter(|name| !name.is_empty())
            .map(Label::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self(labels))
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
        let forbidden = r"\u0000-\u001f\u007f,";
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
        let joined = Labels::from_joined("a,b").map(|l| l.joined());
        assert_eq!(joined, Ok("a,b".to_owned()));
        assert_eq!(Labels::from_joined("").map(|l| l.is_empty()), Ok(true));
    }

    #[test]
    fn more_than_twenty_labels_are_refused() {
        let many: Vec<Label> = (0..21)
            .filter_map(|i| Label::parse(&format!("l{i}")).ok())
            .collect();
        assert!(Labels::new(many).is_err());
    }
}
