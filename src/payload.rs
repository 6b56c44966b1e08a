//! JSON response bodies. The contract keys them `application/json` (RFC 8259
//! defines no parameters for it, and tools match the bare media type); the
//! wire adds `charset=utf-8` for clients that look for one.

use std::marker::PhantomData;

use poem::{IntoResponse, Response};
use poem_openapi::payload::Payload;
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::{ToJSON, Type};

/// The media type of every JSON body in the contract.
pub const JSON: &str = "application/json";

/// What a JSON response's `Content-Type` says on the wire.
const JSON_ON_THE_WIRE: &str = "application/json; charset=utf-8";

/// A value of `T` sent as JSON.
#[derive(Debug)]
pub struct Json<T>(pub T);

/// Serialized JSON of a `T`, kept as text: lets a stored response be
/// repeated byte for byte.
pub struct JsonText<T>(String, PhantomData<fn() -> T>);

impl<T> JsonText<T> {
    pub fn new(json: String) -> Self {
        Self(json, PhantomData)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// A value whose `ToJSON` gave nothing: a bug, reported as one.
#[derive(Debug, thiserror::Error)]
#[error("a {0} could not be rendered as JSON")]
pub struct Unrenderable(pub std::borrow::Cow<'static, str>);

/// `value` as JSON text, or the error that says which type failed.
pub fn to_json_text<T: ToJSON>(value: &T) -> Result<String, Unrenderable> {
    value
        .to_json()
        .map(|json| json.to_string())
        .ok_or_else(|| Unrenderable(T::name()))
}

macro_rules! json_payload {
    ($name:ident) => {
        impl<T: Type> Payload for $name<T> {
            const CONTENT_TYPE: &'static str = JSON;

            fn schema_ref() -> MetaSchemaRef {
                T::schema_ref()
            }

            fn register(registry: &mut Registry) {
                T::register(registry);
            }
        }
    };
}

json_payload!(Json);
json_payload!(JsonText);

impl<T: Type> IntoResponse for JsonText<T> {
    fn into_response(self) -> Response {
        Response::builder()
            .content_type(JSON_ON_THE_WIRE)
            .body(self.0)
    }
}

impl<T: ToJSON> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        // A type with no JSON form (none of ours: every object and scalar
        // here has one) is `null`, as poem-openapi's own `Json` writes it;
        // so this floor needs nothing of the errors above it.
        let text = self.0.to_json().unwrap_or_default().to_string();
        JsonText::<T>::new(text).into_response()
    }
}
