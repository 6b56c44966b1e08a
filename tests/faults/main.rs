//! The fault suite: the real `tasks-api` binary as a child process, under
//! concurrent load, SIGKILL, SIGTERM with requests in flight, a locked or
//! broken database, two processes on one file, and hostile clients. Bounded
//! in time, loopback only; it kills only the processes it started. Each
//! test prints the figures it measured (run with `--nocapture` to see them).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod crash;
mod database;
mod drain;
mod hostile;
mod load;
mod support;
