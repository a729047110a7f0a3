//! Every end-to-end test in one binary, one module per area, each on real Spin 3.6.3.

mod abuse;
mod artifact;
mod authorship;
mod browser;
mod completeness;
mod daily_photo;
mod defence;
mod deployment;
mod scale;
mod todo_api;
mod todo_edit;
mod tracing;
mod web;
