//! `cargo xtask fuzz`: the cargo-fuzz targets of fuzz/ (translator round trip, front matter,
//! Replit token verifier), each for a bounded time. Not part of `cargo xtask test`: fuzzing
//! needs nightly (libFuzzer instrumentation) and minutes per target.
//!
//! New inputs that grow coverage go to fuzz/corpus/<target> (not committed); the committed seeds
//! are fuzz/seeds/<target>. A crash leaves its input in fuzz/artifacts/<target> and fails the
//! command; `cargo +nightly fuzz run <target> <artifact>` replays it.

use crate::step;
use anyhow::{bail, Context};
use std::time::Instant;
use xshell::{cmd, Shell};

pub const TARGETS: &[&str] = &["translate_round_trip", "front_matter", "token_verifier"];

/// One target's run, as libFuzzer reported it.
#[derive(Debug, Default)]
pub struct Outcome {
    pub target: String,
    pub seconds: u64,
    pub runs: Option<u64>,
    pub corpus: usize,
}

pub fn fuzz(sh: &Shell, only: Option<&str>, seconds: u64) -> anyhow::Result<()> {
    ensure_fuzz_tools(sh)?;
    let targets: Vec<&str> = match only {
        Some(t) if TARGETS.contains(&t) => vec![t],
        Some(t) => bail!("unknown fuzz target `{t}`; targets: {}", TARGETS.join(", ")),
        None => TARGETS.to_vec(),
    };
    let root = crate::root();
    let _dir = sh.push_dir(root.join("fuzz"));
    step("building the fuzz targets (nightly, libFuzzer)");
    cmd!(sh, "cargo +nightly fuzz build -O").run()?;
    let mut outcomes = Vec::new();
    for target in targets {
        step(&format!("fuzzing {target} for {seconds} s"));
        let corpus = format!("corpus/{target}");
        let seeds = format!("seeds/{target}");
        std::fs::create_dir_all(root.join("fuzz").join(&corpus))
            .with_context(|| format!("creating fuzz/{corpus}"))?;
        let max_time = format!("-max_total_time={seconds}");
        let started = Instant::now();
        let out = cmd!(
            sh,
            "cargo +nightly fuzz run -O {target} {corpus} {seeds} -- {max_time} -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1"
        )
        .ignore_status()
        .output()?;
        let log = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            for line in tail.into_iter().rev() {
                eprintln!("{line}");
            }
            bail!("fuzz target {target} failed; its input is in fuzz/artifacts/{target}/");
        }
        let outcome = Outcome {
            target: target.to_string(),
            seconds: started.elapsed().as_secs(),
            runs: final_runs(&log),
            corpus: std::fs::read_dir(root.join("fuzz").join(&corpus))
                .map(|d| d.count())
                .unwrap_or(0),
        };
        step(&format!(
            "{target}: {} runs in {} s, no crash; corpus {} inputs",
            outcome
                .runs
                .map_or_else(|| "?".to_string(), |r| r.to_string()),
            outcome.seconds,
            outcome.corpus
        ));
        outcomes.push(outcome);
    }
    step("fuzzing done: no crash");
    for o in &outcomes {
        println!(
            "{:<22} {:>6} s {:>12} runs  corpus {}",
            o.target,
            o.seconds,
            o.runs.map_or_else(|| "?".to_string(), |r| r.to_string()),
            o.corpus
        );
    }
    Ok(())
}

/// `stat::number_of_executed_units: N` from `-print_final_stats=1`.
fn final_runs(log: &str) -> Option<u64> {
    log.lines()
        .rev()
        .find_map(|l| l.strip_prefix("stat::number_of_executed_units:"))
        .and_then(|n| n.trim().parse().ok())
}

fn ensure_fuzz_tools(sh: &Shell) -> anyhow::Result<()> {
    let toolchains = cmd!(sh, "rustup toolchain list")
        .quiet()
        .read()
        .unwrap_or_default();
    if !toolchains.lines().any(|l| l.starts_with("nightly")) {
        step("installing the nightly toolchain (libFuzzer instrumentation needs it)");
        cmd!(sh, "rustup toolchain install nightly --profile minimal").run()?;
    }
    let have = cmd!(sh, "cargo fuzz --version")
        .quiet()
        .ignore_stderr()
        .ignore_status()
        .read()
        .unwrap_or_default();
    if !have.starts_with("cargo-fuzz") {
        step("installing cargo-fuzz");
        cmd!(sh, "cargo install cargo-fuzz").run()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_the_final_stats() {
        let log =
            "#1024 DONE cov: 10\nstat::number_of_executed_units: 123456\nstat::peak_rss_mb: 80\n";
        assert_eq!(super::final_runs(log), Some(123456));
        assert_eq!(super::final_runs("nothing"), None);
    }
}
