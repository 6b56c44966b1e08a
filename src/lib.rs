//! tasks-api: a spec-first JSON REST API for a task list.

pub mod api;
pub mod auth;
pub mod config;
pub mod db;
pub mod digest;
pub mod domain;
pub mod edge;
pub mod error;
pub mod idempotency;
mod jobs;
pub mod observe;
pub mod payload;
pub mod server;
pub mod startup;
pub mod telemetry;
