//! Refuses a build that would not get the SQLite and allocator settings of
//! `.cargo/config.toml`: cargo reads that file from the directory it runs
//! in, so `cargo build --manifest-path …`, `cargo install --path …` or
//! `--git` from elsewhere would silently build SQLite without the flags the
//! measured speed depends on (docs/performance.md).

const EXPECTED: [(&str, &str); 2] = [
    ("LIBSQLITE3_FLAGS", "SQLITE_ENABLE_QPSG"),
    ("JEMALLOC_SYS_WITH_MALLOC_CONF", "narenas:2"),
];

fn main() {
    for (name, _) in EXPECTED {
        println!("cargo:rerun-if-env-changed={name}");
    }
    let missing: Vec<&str> = EXPECTED
        .iter()
        .filter(|(name, part)| !std::env::var(name).is_ok_and(|v| v.contains(part)))
        .map(|(name, _)| *name)
        .collect();
    if !missing.is_empty() {
        eprintln!(
            "error: {} not set: this build does not read the checkout's .cargo/config.toml \
             (cargo reads it from the directory it runs in). Run cargo from the checkout \
             (`cd tasks-api && cargo build --release`, or `cargo install --path .` there), \
             or set the variables as .cargo/config.toml does.",
            missing.join(" and ")
        );
        std::process::exit(1);
    }
}
