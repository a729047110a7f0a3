//! Every end-to-end test in one binary, one module per area, each on real Spin 3.6.3.

mod abuse;
mod artifact;
mod browser;
mod daily_photo;
mod deployment;
mod todo_api;
mod todo_edit;
mod tracing;
mod web;
