//! How domain values appear in the contract: each type's schema comes from
//! the rules the domain type enforces, so the limits are written once.

use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::{
    ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type,
};
use serde_json::Value;

use crate::domain::list::SearchText;
use crate::domain::{Description, Label, Timestamp, Title};

/// Implements `Type` for a type documented by an inline schema.
/// Generic parameters go first, in brackets:
/// `inline_type!([const B: bool] Literal<B>, …)`.
macro_rules! inline_type {
    ([$($generics:tt)*] $ty:ty, $name:expr, $schema:expr) => {
        impl<$($generics)*> ::poem_openapi::types::Type for $ty {
            const IS_REQUIRED: bool = true;
            type RawValueType = Self;
            type RawElementValueType = Self;

            fn name() -> ::std::borrow::Cow<'static, str> {
                $name.into()
            }

            fn schema_ref() -> ::poem_openapi::registry::MetaSchemaRef {
                ::poem_openapi::registry::MetaSchemaRef::Inline(Box::new($schema))
            }

            fn as_raw_value(&self) -> Option<&Self::RawValueType> {
                Some(self)
            }

            fn raw_element_iter<'a>(
                &'a self,
            ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
                Box::new(self.as_raw_value().into_iter())
            }
        }
    };
    ($ty:ty, $name:expr, $schema:expr) => {
        inline_type!([] $ty, $name, $schema);
    };
}

pub(crate) use inline_type;

/// A string schema with these limits.
pub(crate) fn text_schema(
    min_length: Option<usize>,
    max_length: usize,
    pattern: &str,
) -> MetaSchema {
    MetaSchema {
        min_length,
        max_length: Some(max_length),
        pattern: Some(pattern.to_owned()),
        ..MetaSchema::new("string")
    }
}

// An RFC 3339 `date-time`: in responses always UTC, with six fractional
// digits and a `Z`.
inline_type!(
    Timestamp,
    "string_date-time",
    MetaSchema::new_with_format("string", "date-time")
);
inline_type!(
    Title,
    "string_title",
    text_schema(Some(1), Title::MAX_CHARS, Title::PATTERN)
);
inline_type!(
    Description,
    "string_description",
    text_schema(None, Description::MAX_CHARS, Description::PATTERN)
);

inline_type!(
    Label,
    "string_label",
    text_schema(Some(1), Label::MAX_CHARS, Label::PATTERN)
);

impl ToJSON for Label {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.as_str().to_owned()))
    }
}

impl ParseFromJSON for Label {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        parse_json_string(value, Label::parse)
    }
}

impl ParseFromParameter for Label {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        Label::parse(value).map_err(ParseError::custom)
    }
}

impl ToJSON for Timestamp {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.to_rfc3339()))
    }
}

impl ToJSON for Title {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.as_str().to_owned()))
    }
}

impl ToJSON for Description {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.as_str().to_owned()))
    }
}

/// Parses a JSON string with `parse`; the reason it gives is the message.
fn parse_json_string<T: Type, E: std::fmt::Display>(
    value: Option<Value>,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> ParseResult<T> {
    match value {
        Some(Value::String(text)) => parse(&text).map_err(|reason| ParseError::custom(reason)),
        other => Err(ParseError::expected_type(other.unwrap_or(Value::Null))),
    }
}

impl ParseFromJSON for Timestamp {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        parse_json_string(value, Timestamp::parse_rfc3339)
    }
}

impl ParseFromParameter for Timestamp {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        Timestamp::parse_rfc3339(value).map_err(ParseError::custom)
    }
}

impl ParseFromJSON for Title {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        parse_json_string(value, Title::parse)
    }
}

impl ParseFromJSON for Description {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        parse_json_string(value, Description::parse)
    }
}

/// The `parent_id` filter as sent: a task id, or `null` for top-level
/// tasks (the operation parses it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParentParam(pub String);

/// The published `pattern` of the `parent_id` filter.
pub const PARENT_PATTERN: &str = "^(null|[0-9]{1,19})$";

inline_type!(
    ParentParam,
    "string_parent",
    MetaSchema {
        pattern: Some(PARENT_PATTERN.to_owned()),
        ..MetaSchema::new("string")
    }
);

impl ParseFromParameter for ParentParam {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        Ok(Self(value.to_owned()))
    }
}

impl ToJSON for ParentParam {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.clone()))
    }
}

/// The `q` parameter as sent, documented with the rules of [`SearchText`]
/// (the operation checks them, so it can report every bad parameter).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchParam(pub String);

inline_type!(
    SearchParam,
    "string_search",
    text_schema(None, SearchText::MAX_CHARS, SearchText::PATTERN)
);

impl ParseFromParameter for SearchParam {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        Ok(Self(value.to_owned()))
    }
}

impl ToJSON for SearchParam {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.clone()))
    }
}

/// A member that is always sent, `null` when there is no value: required
/// and nullable in the schema, so clients type it `T | null`, never
/// optional (poem-openapi makes every `Option` member optional).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nullable<T>(pub Option<T>);

impl<T: Type> Type for Nullable<T> {
    const IS_REQUIRED: bool = true;
    type RawValueType = T::RawValueType;
    type RawElementValueType = T::RawElementValueType;

    fn name() -> std::borrow::Cow<'static, str> {
        format!("nullable_{}", T::name()).into()
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        self.0.as_ref().and_then(Type::as_raw_value)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        match &self.0 {
            Some(value) => value.raw_element_iter(),
            None => Box::new(std::iter::empty()),
        }
    }
}

impl<T> Default for Nullable<T> {
    fn default() -> Self {
        Self(None)
    }
}

impl<T: ToJSON> ToJSON for Nullable<T> {
    fn to_json(&self) -> Option<Value> {
        self.0.to_json()
    }
}

impl<T: ParseFromJSON> ParseFromJSON for Nullable<T> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        Option::<T>::parse_from_json(value)
            .map(Self)
            .map_err(ParseError::propagate)
    }
}

/// The boolean `B` and no other: the member that tells the variants of a
/// union apart (`deleted` in a feed change), so clients narrow on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Literal<const B: bool>;

inline_type!(
    [const B: bool] Literal<B>,
    format!("boolean_{B}"),
    MetaSchema {
        enum_items: vec![Value::Bool(B)],
        ..MetaSchema::new("boolean")
    }
);

impl<const B: bool> ToJSON for Literal<B> {
    fn to_json(&self) -> Option<Value> {
        Some(Value::Bool(B))
    }
}

impl<const B: bool> ParseFromJSON for Literal<B> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value {
            Some(Value::Bool(b)) if b == B => Ok(Self),
            other => Err(ParseError::expected_type(other.unwrap_or(Value::Null))),
        }
    }
}

/// A member that may be left out or sent as `null`, and nothing else: an
/// id member that one variant of a union rules out (`before_id` when
/// moving after a sibling). Never constructed: only its schema is used.
pub enum NoId {}

inline_type!(
    NoId,
    "null",
    MetaSchema {
        format: Some("int64"),
        nullable: true,
        enum_items: vec![Value::Null],
        ..MetaSchema::new("integer")
    }
);

impl ToJSON for NoId {
    fn to_json(&self) -> Option<Value> {
        Some(Value::Null)
    }
}

impl ParseFromJSON for NoId {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        Err(ParseError::expected_type(value.unwrap_or(Value::Null)))
    }
}
