//! The `tasks-api` binary as a child process: start it on a fresh SQLite
//! file, read its log, signal it. Shared by the test binaries that need the
//! real process (`tests/api`, `tests/faults`).

// Each test binary uses its own part of these helpers.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_tasks-api");

/// How long the binary may take to say it listens.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// A running `tasks-api` process with its log.
pub(crate) struct Server {
    pub child: Child,
    pub port: u16,
    pub log: Arc<Mutex<Vec<String>>>,
    reader: Option<JoinHandle<()>>,
}

/// Starts the binary on `db` with extra arguments; waits until it listens.
pub(crate) fn start(db: &Path, args: &[&str]) -> Server {
    start_on(&format!("sqlite://{}", db.display()), args)
}

/// Starts the binary on the database at `url`; waits until it listens.
pub(crate) fn start_on(url: &str, args: &[&str]) -> Server {
    let mut child = Command::new(BIN)
        .args([
            "--bind",
            "127.0.0.1:0",
            "--database-url",
            url,
            "--log-format",
            "json",
        ])
        // Loopback, single-user unless the test says otherwise: most tests
        // are about the process, not about keys.
        .args(if args.contains(&"--auth") {
            &[][..]
        } else {
            &["--auth", "none"][..]
        })
        .args(args)
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn tasks-api");
    let stderr = child.stderr.take().expect("stderr");
    let log = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    let sink = Arc::clone(&log);
    let reader = std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let port = line
                .split("listening on http://127.0.0.1:")
                .nth(1)
                .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
                .and_then(|p| p.parse::<u16>().ok());
            if let (Some(port), Some(tx)) = (port, tx.take_if(|_| port.is_some())) {
                let _ = tx.send(port);
            }
            sink.lock().expect("log").push(line);
        }
    });
    let port = rx
        .recv_timeout(START_TIMEOUT)
        .unwrap_or_else(|_| panic!("tasks-api did not start: {:?}", log.lock().expect("log")));
    Server {
        child,
        port,
        log,
        reader: Some(reader),
    }
}

impl Server {
    pub(crate) fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub(crate) fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub(crate) fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([format!("-{signal}"), self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    }

    pub(crate) fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// What the process has logged so far, as far as the reader thread has
    /// got: a line written just before a response may not be here yet, so a
    /// test that needs a line to be present calls [`Server::stop_for_log`].
    pub(crate) fn log_text(&self) -> String {
        self.log.lock().expect("log").join("\n")
    }

    /// Stops the process (SIGTERM, a clean shutdown) and returns every line
    /// it logged, to the last.
    pub(crate) fn stop_for_log(self) -> String {
        self.signal("TERM");
        self.wait().1.join("\n")
    }

    /// Waits for the process to exit; returns its status and every line it
    /// logged.
    pub(crate) fn wait(mut self) -> (ExitStatus, Vec<String>) {
        let status = self.child.wait().expect("wait");
        if let Some(reader) = self.reader.take() {
            reader.join().expect("log reader");
        }
        let log = std::mem::take(&mut *self.log.lock().expect("log"));
        (status, log)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn temp_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("tasks.db");
    (dir, db)
}
