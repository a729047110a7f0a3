//! The HTTP layer of every component.
//!
//! `serve` takes the streaming `IncomingRequest` (never spin-sdk's buffered `Request`, which
//! reads the whole body before a handler runs), refuses wrong methods with 405 + `Allow` and
//! bodies on methods that take none with 413 without reading them, renders every error as
//! JSON and writes one log line per request. `read_json` reads the bodies that are needed,
//! with a hard cap; `not_modified` is the one `If-None-Match` evaluation (`unchanged` is its
//! `304`); `cors` is the optional allow-list for other origins; `security` the headers every
//! response carries (nosniff, a CSP that allows nothing, HSTS); `RequestId` names each request
//! by the trace it belongs to.

mod body;
mod conditional;
mod cors;
mod error;
mod headers;
mod hex;
mod log;
mod request_id;
mod response;
mod security;
mod serve;

pub use body::read_json;
pub use conditional::{not_modified, unchanged};
pub use error::ApiError;
pub use headers::{header_text, header_values};
pub use hex::lower_hex;
pub use request_id::RequestId;
pub use response::json;
pub use serve::{Route, path, query, serve};
