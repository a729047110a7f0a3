//! The image sidecar for tests: the real binary on a free port, plus a local HTTP server that
//! plays its picture source and a minimal HTTP client to talk to both.

mod client;
mod process;
mod source;

pub use client::{HttpResponse, http_request};
pub use process::{Sidecar, sidecar_binary};
pub use source::{PictureSource, Reply, fake_picture};
