//! The sidecar's integration tests, linked once: the real `image-sidecar` binary against a
//! local HTTP server playing the picture source, each on a free port with a temporary volume.

mod fetching;
mod helpers;
mod http_api;
mod limits;
mod persistence;
mod redirects;
mod volume;
