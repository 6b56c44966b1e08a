//! Opaque keyset cursors: a position in one ordering of one filtered list,
//! as URL-safe base64 of a small JSON object.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::domain::{Filters, Parent, Position, SortField, SortKey, Timestamp};

/// What a cursor carries: the list it belongs to (sort and filters) and the
/// position of the last task the previous page showed.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The `sort` parameter it was made for, e.g. `-due_at`.
    #[serde(rename = "s")]
    pub sort: String,
    #[serde(rename = "d")]
    pub done: Option<bool>,
    #[serde(rename = "q")]
    pub q: Option<String>,
    /// The time ranges, as microseconds (absent when not set, so cursors
    /// issued before ranges existed stay valid).
    #[serde(rename = "us", default, skip_serializing_if = "Option::is_none")]
    pub updated_since: Option<i64>,
    #[serde(rename = "ub", default, skip_serializing_if = "Option::is_none")]
    pub updated_before: Option<i64>,
    #[serde(rename = "da", default, skip_serializing_if = "Option::is_none")]
    pub due_after: Option<i64>,
    #[serde(rename = "db", default, skip_serializing_if = "Option::is_none")]
    pub due_before: Option<i64>,
    #[serde(rename = "sd", default, skip_serializing_if = "std::ops::Not::not")]
    pub show_deleted: bool,
    /// The `parent_id` filter: 0 for top level, else the id plus one.
    #[serde(rename = "p", default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<i64>,
    /// The label filters, normalised.
    #[serde(rename = "l", default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    /// The `list_id` filter.
    #[serde(rename = "li", default, skip_serializing_if = "Option::is_none")]
    pub list: Option<i64>,
    /// The sort key of the last task: an integer, a string, or null.
    #[serde(rename = "k")]
    pub key: serde_json::Value,
    #[serde(rename = "i")]
    pub id: i64,
}

/// The `parent_id` filter as a number (0: top level; id + 1: its
/// subtasks).
fn parent_code(parent: Option<Parent>) -> Option<i64> {
    parent.map(|p| match p {
        Parent::Top => 0,
        Parent::Of(id) => id.saturating_add(1),
    })
}

fn label_names(filters: &Filters) -> Vec<String> {
    filters
        .labels
        .iter()
        .map(|l| l.as_str().to_owned())
        .collect()
}

impl Cursor {
    pub fn new(sort: String, filters: &Filters, position: &Position) -> Self {
        let key = match &position.key {
            SortKey::Int(v) => serde_json::Value::from(*v),
            SortKey::Text(v) => serde_json::Value::from(v.as_str()),
            SortKey::Null => serde_json::Value::Null,
        };
        let micros = |t: Option<Timestamp>| t.map(Timestamp::as_micros);
        Self {
            sort,
            done: filters.done,
            q: filters.q.clone(),
            updated_since: micros(filters.updated_since),
            updated_before: micros(filters.updated_before),
            due_after: micros(filters.due_after),
            due_before: micros(filters.due_before),
            show_deleted: filters.show_deleted,
            parent: parent_code(filters.parent),
            labels: label_names(filters),
            list: filters.list,
            key,
            id: position.id,
        }
    }

    /// Whether this cursor was issued for a list with `filters`.
    pub fn is_for(&self, filters: &Filters) -> bool {
        let micros = |t: Option<Timestamp>| t.map(Timestamp::as_micros);
        self.done == filters.done
            && self.q == filters.q
            && self.updated_since == micros(filters.updated_since)
            && self.updated_before == micros(filters.updated_before)
            && self.due_after == micros(filters.due_after)
            && self.due_before == micros(filters.due_before)
            && self.show_deleted == filters.show_deleted
            && self.parent == parent_code(filters.parent)
            && self.labels == label_names(filters)
            && self.list == filters.list
    }

    pub fn encode(&self) -> Result<String, serde_json::Error> {
        Ok(URL_SAFE_NO_PAD.encode(serde_json::to_vec(self)?))
    }

    pub fn decode(text: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// The position, if the key has the type `field`'s column holds.
    pub fn position(&self, field: SortField) -> Option<Position> {
        let key = match field {
            SortField::Title | SortField::Position => SortKey::Text(self.key.as_str()?.to_owned()),
            SortField::DueAt if self.key.is_null() => SortKey::Null,
            _ => SortKey::Int(self.key.as_i64()?),
        };
        Some(Position { key, id: self.id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_are_url_safe() {
        let position = Position {
            key: SortKey::Text("a/b+c?".into()),
            id: 9,
        };
        let filters = Filters {
            done: Some(true),
            q: Some("x y".into()),
            due_before: Timestamp::from_micros(5),
            ..Filters::default()
        };
        let cursor = Cursor::new("-title".into(), &filters, &position);
        assert!(cursor.is_for(&filters));
        assert!(!cursor.is_for(&Filters::default()));
        let text = cursor.encode().expect("encodes");
        assert!(
            text.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        let back = Cursor::decode(&text);
        assert_eq!(back.as_ref(), Some(&cursor));
        assert_eq!(
            back.and_then(|c| c.position(SortField::Title)),
            Some(position)
        );
    }

    #[test]
    fn keys_of_the_wrong_type_are_refused() {
        let text = Cursor::new(
            "id".into(),
            &Filters::default(),
            &Position {
                key: SortKey::Text("x".into()),
                id: 1,
            },
        );
        assert_eq!(text.position(SortField::Id), None);
        let null = Cursor::new(
            "id".into(),
            &Filters::default(),
            &Position {
                key: SortKey::Null,
                id: 1,
            },
        );
        assert_eq!(null.position(SortField::CreatedAt), None);
        assert!(null.position(SortField::DueAt).is_some());
        assert_eq!(Cursor::decode("not base64!"), None);
        assert_eq!(Cursor::decode("e30"), None, "{{}} lacks fields");
    }
}
