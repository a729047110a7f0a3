//! Every end-to-end test in one binary, one module per area; each test runs on real Spin 3.6.3
//! (`on_spin::...`) and on the project's host (`on_devhost::...`).

mod abuse;
mod artifact;
mod authorship;
mod browser;
mod daily_photo;
mod defence;
mod differential;
mod selective;
mod todo_api;
mod todo_edit;
mod web;
