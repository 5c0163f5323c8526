//! The machinery behind `cargo xtask`: installing what a fresh machine lacks ([`tools`]),
//! building the panel ([`panel`]), starting the whole system on loopback ([`stack`]), and the two
//! commands ([`run`], [`test`]) and the benchmarks ([`bench`], which runs the `bench` crate). The end-to-end tests use [`stack`] too, so they drive exactly
//! what `cargo xtask run` starts.

pub mod bench;
pub mod flags;
pub mod fuzz;
pub mod panel;
pub mod run;
pub mod stack;
pub mod test;
pub mod tools;

use std::path::PathBuf;

/// The workspace root (the parent of xtask/).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Where cargo puts what it builds: `CARGO_TARGET_DIR` when set (relative to the root), else
/// `<root>/target`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                root().join(dir)
            }
        }
        _ => root().join("target"),
    }
}

/// Prints a step the way every xtask command does, so long runs are easy to follow.
pub fn step(msg: &str) {
    use std::io::IsTerminal;
    if std::io::stderr().is_terminal() {
        eprintln!("\x1b[1;34m==>\x1b[0m {msg}");
    } else {
        eprintln!("==> {msg}");
    }
}
