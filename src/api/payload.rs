//! A JSON response body kept as text, documented with `T`'s schema: lets a
//! stored response be repeated byte for byte.

use std::marker::PhantomData;

use poem::{IntoResponse, Response};
use poem_openapi::payload::Payload;
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::Type;

/// Serialized JSON of a `T`.
pub struct JsonText<T>(String, PhantomData<fn() -> T>);

impl<T> JsonText<T> {
    pub fn new(json: String) -> Self {
        Self(json, PhantomData)
    }
}

impl<T: Type> Payload for JsonText<T> {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Type> IntoResponse for JsonText<T> {
    fn into_response(self) -> Response {
        Response::builder()
            .content_type(<Self as Payload>::CONTENT_TYPE)
            .body(self.0)
    }
}
