//! Black-box tests over HTTP: each test gets a fresh database and a real
//! server on a random port.

// Tests may panic on anything unexpected: that is how they fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod auth;
mod batch;
mod changes;
mod checkpoint;
mod cli;
mod client;
mod concurrency;
mod conditional;
mod cursor;
mod errors;
mod health;
mod helpers;
mod idempotency;
mod list;
mod observe;
mod oidc;
mod otlp;
#[path = "../support/process.rs"]
mod process;
mod sharing;
mod sharing_sync;
mod sorted;
mod spec;
mod tasks;
mod trash;
mod tree;
mod upgrade;
mod validation;
