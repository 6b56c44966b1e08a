//! Parameters parsed without failing the request, so an operation can report
//! every invalid parameter at once instead of only the first.

use std::borrow::Cow;
use std::marker::PhantomData;

use poem::http::HeaderValue;
use poem::{Request, RequestBody};
use poem_openapi::registry::{MetaParamIn, MetaSchemaRef, Registry};
use poem_openapi::types::{ParseFromParameter, ParseResult, ToJSON, Type};
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};
use serde_json::Value;

use crate::domain::Invalid;
use crate::error::{ApiError, FieldError};

/// A parameter of type `T` as sent: parsed, or the raw text that did not
/// parse. In the contract it is exactly `T`.
#[derive(Debug, Clone, PartialEq)]
pub struct Lenient<T>(Result<T, String>);

impl<T> Lenient<T> {
    pub const fn of(value: T) -> Self {
        Self(Ok(value))
    }

    /// The value, or an error naming `name` with `expected` as its reason,
    /// pushed onto `errors`; then `check` validates the parsed value.
    pub fn check<U, E: Into<String>>(
        self,
        name: &str,
        expected: &str,
        errors: &mut Vec<FieldError>,
        check: impl FnOnce(T) -> Result<U, E>,
    ) -> Option<U> {
        let result = match self.0 {
            Ok(value) => check(value).map_err(Into::into),
            Err(_) => Err(expected.to_owned()),
        };
        result
            .map_err(|reason| errors.push(FieldError::parameter(name, reason)))
            .ok()
    }
}

impl<T: Type> Type for Lenient<T> {
    const IS_REQUIRED: bool = T::IS_REQUIRED;
    type RawValueType = T::RawValueType;
    type RawElementValueType = T::RawElementValueType;

    fn name() -> Cow<'static, str> {
        T::name()
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    // None: the generated per-parameter validators (which stop at the first
    // failure) never run; the operation checks every parameter itself. The
    // validators still document the limits in the contract.
    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        None
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(std::iter::empty())
    }
}

impl<T: ParseFromParameter> ParseFromParameter for Lenient<T> {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        Ok(Self(
            T::parse_from_parameter(value).map_err(|_| value.to_owned()),
        ))
    }
}

impl<T: ToJSON> ToJSON for Lenient<T> {
    fn to_json(&self) -> Option<Value> {
        self.0.as_ref().ok().and_then(ToJSON::to_json)
    }
}

/// An id from the path (`/api/tasks/{id}`), or a 400 naming `id`.
pub fn path_id(id: Lenient<i64>) -> Result<i64, ApiError> {
    path_id_named("id", id)
}

/// The `purge` query parameter (`true` or `false`); a bad one is pushed
/// onto `errors`. Left out: `false`.
pub fn purge_flag(purge: Option<Lenient<bool>>, errors: &mut Vec<FieldError>) -> bool {
    purge
        .and_then(|p| p.check("purge", "must be true or false", errors, Ok::<_, String>))
        .unwrap_or(false)
}

/// The path parameter `name`, an id as sent, or the 400 naming it.
pub fn path_id_named(name: &str, id: Lenient<i64>) -> Result<i64, ApiError> {
    let mut errors = Vec::new();
    id.check(
        name,
        "must be an integer (int64)",
        &mut errors,
        Ok::<_, String>,
    )
    .ok_or_else(|| ApiError::validation(errors))
}

/// A header parameter exactly as sent. poem-openapi's `Header` drops values
/// that are not visible ASCII, so a malformed `If-Match` would silently turn
/// a conditional write into an unconditional one: this keeps them, so they
/// are reported as invalid. Documented with `T`'s schema (a string by
/// default); the operation parses it.
#[derive(Debug, Clone)]
pub struct RawHeader<T = String>(Option<HeaderValue>, PhantomData<fn() -> T>);

impl<T> Default for RawHeader<T> {
    fn default() -> Self {
        Self::from_value(None)
    }
}

impl<T> RawHeader<T> {
    pub fn from_value(value: Option<HeaderValue>) -> Self {
        Self(value, PhantomData)
    }

    /// Whether the header was sent at all.
    pub fn is_present(&self) -> bool {
        self.0.is_some()
    }

    /// The value as text, if it was sent and is visible ASCII.
    pub fn as_str(&self) -> Option<&str> {
        self.0.as_ref().and_then(|value| value.to_str().ok())
    }

    /// The value parsed by `parse`, if it was sent; a 400 naming `name` when
    /// it is not ASCII or `parse` refuses it.
    pub fn parse<U>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<U, Invalid>,
    ) -> Result<Option<U>, ApiError> {
        let Some(value) = &self.0 else {
            return Ok(None);
        };
        value
            .to_str()
            .map_err(|_| Invalid::from("must be printable ASCII"))
            .and_then(parse)
            .map(Some)
            .map_err(|reason| ApiError::validation(vec![FieldError::parameter(name, reason)]))
    }
}

impl<'a, T: Type> ApiExtractor<'a> for RawHeader<T> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::Parameter];
    type ParamType = String;
    type ParamRawType = String;

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn param_in() -> Option<MetaParamIn> {
        Some(MetaParamIn::Header)
    }

    fn param_schema_ref() -> Option<MetaSchemaRef> {
        Some(T::schema_ref())
    }

    // None: the schema documents the header; the operation checks it.
    fn param_raw_type(&self) -> Option<&Self::ParamRawType> {
        None
    }

    async fn from_request(
        request: &'a Request,
        _body: &mut RequestBody,
        param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        Ok(Self::from_value(
            request.headers().get(param_opts.name).cloned(),
        ))
    }
}
