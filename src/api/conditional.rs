//! ETags and the conditional request headers (RFC 9110 §8.8.3, §13).

use crate::db::tasks::Expect;
use crate::domain::Task;
use crate::error::{ApiError, FieldError};

/// The strong ETag of a task's current representation: it changes with
/// every change of the task (its version) and names the task.
pub fn etag(task: &Task) -> String {
    format!("\"{}-{}\"", task.id, task.version)
}

/// A parsed `If-Match` / `If-None-Match` value.
#[derive(Debug, PartialEq, Eq)]
enum Tags<'a> {
    Any,
    /// (weak, opaque-tag with its quotes)
    List(Vec<(bool, &'a str)>),
}

/// Parses `*` or a comma-separated list of entity-tags (`"x"`, `W/"x"`).
fn parse(header: &str) -> Option<Tags<'_>> {
    let header = header.trim();
    if header == "*" {
        return Some(Tags::Any);
    }
    let mut tags = Vec::new();
    let mut rest = header;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            break;
        }
        let weak = rest.starts_with("W/");
        if weak {
            rest = &rest[2..];
        }
        let body = rest.strip_prefix('"')?;
        let end = body.find('"')?;
        tags.push((weak, &rest[..end + 2]));
        rest = &body[end + 1..];
        if !(rest.is_empty() || rest.starts_with([',', ' ', '\t'])) {
            return None;
        }
    }
    (!tags.is_empty()).then_some(Tags::List(tags))
}

fn malformed(header: &str) -> ApiError {
    ApiError::validation(vec![FieldError::parameter(
        header,
        "must be * or a list of entity-tags such as \"1-2\"",
    )])
}

/// `If-None-Match` against the current task (weak comparison): `true` when
/// a GET should answer 304.
pub fn none_match(header: Option<&str>, task: &Task) -> Result<bool, ApiError> {
    let Some(header) = header else {
        return Ok(false);
    };
    let current = etag(task);
    match parse(header).ok_or_else(|| malformed("If-None-Match"))? {
        Tags::Any => Ok(true),
        Tags::List(tags) => Ok(tags.iter().any(|&(_, tag)| tag == current)),
    }
}

/// What `If-Match` (strong comparison) expects of task `id`: `None` when the
/// header is absent. Weak tags and other tasks' tags match nothing.
pub fn expect(header: Option<&str>, id: i64) -> Result<Option<Expect>, ApiError> {
    let Some(header) = header else {
        return Ok(None);
    };
    let prefix = format!("\"{id}-");
    Ok(Some(
        match parse(header).ok_or_else(|| malformed("If-Match"))? {
            Tags::Any => Expect::Any,
            Tags::List(tags) => Expect::OneOf(
                tags.iter()
                    .filter(|&&(weak, _)| !weak)
                    .filter_map(|&(_, tag)| {
                        tag.strip_prefix(&prefix)?.strip_suffix('"')?.parse().ok()
                    })
                    .collect(),
            ),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_tag_lists_parse() {
        assert_eq!(parse("*"), Some(Tags::Any));
        assert_eq!(
            parse(r#""1-2", W/"1-3" ,"a,b""#),
            Some(Tags::List(vec![
                (false, r#""1-2""#),
                (true, r#""1-3""#),
                (false, r#""a,b""#)
            ]))
        );
        for bad in ["", "1-2", "\"1-2", "\"1\"x", ","] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn if_match_keeps_only_strong_tags_of_this_task() {
        let expect = expect(Some(r#""7-2", W/"7-3", "8-4", "7-x""#), 7);
        assert_eq!(expect.ok(), Some(Some(Expect::OneOf(vec![2]))));
    }
}
