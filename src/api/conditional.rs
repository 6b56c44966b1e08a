//! ETags and the conditional request headers (RFC 9110 §8.8.3, §13).

use super::params::RawHeader;
use crate::db::tasks::Expect;
use crate::domain::Task;

/// The strong ETag of a task's current representation: it changes with
/// every change of the task (its version) and names the task.
pub fn etag(task: &Task) -> String {
    etag_of(task.id, task.version)
}

/// The strong ETag of version `version` of the task with this id.
pub fn etag_of(id: i64, version: i64) -> String {
    format!("\"{id}-{version}\"")
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

/// `If-None-Match` against the current task (weak comparison): `true` when
/// a GET should answer 304. A malformed value matches nothing: the client
/// simply gets the full response.
pub fn none_match(header: &RawHeader, task: &Task) -> bool {
    none_match_tag(header, &etag(task))
}

/// `If-None-Match` against the entity-tag `current` (weak comparison).
pub fn none_match_tag(header: &RawHeader, current: &str) -> bool {
    match header.as_str().and_then(parse) {
        Some(Tags::Any) => true,
        Some(Tags::List(tags)) => tags.iter().any(|&(_, tag)| tag == current),
        None => false,
    }
}

/// What `If-Match` (strong comparison) expects of task `id`: `None` when the
/// header is absent. Weak tags, other tasks' tags and a malformed value match
/// nothing, so the write is refused (fail closed) rather than done blindly.
pub fn expect(header: &RawHeader, id: i64) -> Option<Expect> {
    header
        .is_present()
        .then(|| expect_value(header.as_str(), id))
}

/// What an `If-Match` value expects of task `id` (`None`: not text, which
/// matches nothing).
pub fn expect_value(value: Option<&str>, id: i64) -> Expect {
    expect_tagged(value, &format!("\"{id}-"))
}

/// A list's strong ETag: `"list-{id}-{version}"` (never a task's).
pub fn list_etag(id: i64, version: i64) -> String {
    format!("\"list-{id}-{version}\"")
}

/// What an `If-Match` header expects of list `id` (`None` when not sent).
pub fn expect_list(header: &RawHeader, id: i64) -> Option<Expect> {
    header
        .is_present()
        .then(|| expect_tagged(header.as_str(), &format!("\"list-{id}-")))
}

/// The versions of the strong tags in `value` that start with `prefix`.
fn expect_tagged(value: Option<&str>, prefix: &str) -> Expect {
    match value.and_then(parse) {
        Some(Tags::Any) => Expect::Any,
        Some(Tags::List(tags)) => Expect::OneOf(
            tags.iter()
                .filter(|&&(weak, _)| !weak)
                .filter_map(|&(_, tag)| tag.strip_prefix(prefix)?.strip_suffix('"')?.parse().ok())
                .collect(),
        ),
        None => Expect::OneOf(Vec::new()),
    }
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

    fn header(value: &str) -> RawHeader {
        RawHeader::from_value(poem::http::HeaderValue::from_str(value).ok())
    }

    #[test]
    fn if_match_keeps_only_strong_tags_of_this_task() {
        let expected = expect(&header(r#""7-2", W/"7-3", "8-4", "7-x""#), 7);
        assert_eq!(expected, Some(Expect::OneOf(vec![2])));
    }

    #[test]
    fn a_malformed_if_match_matches_nothing_and_an_absent_one_anything() {
        assert_eq!(expect(&header("0"), 7), Some(Expect::OneOf(vec![])));
        assert_eq!(expect(&RawHeader::default(), 7), None);
    }
}
