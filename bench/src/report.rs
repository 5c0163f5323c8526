//! Figures, their budgets and the baselines, as a table (stdout), JSON (target/bench/) and
//! Markdown (docs/benchmarks.md).

use serde::Serialize;

/// A SPEC §10 budget.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum Budget {
    AtMost(f64),
    LessThan(f64),
    /// Reported for comparison; no budget.
    None,
}

impl Budget {
    fn holds(self, v: f64) -> Option<bool> {
        match self {
            Budget::AtMost(b) => Some(v <= b),
            Budget::LessThan(b) => Some(v < b),
            Budget::None => None,
        }
    }

    fn show(self, unit: &str) -> String {
        match self {
            Budget::AtMost(b) => format!("≤ {}{unit}", num(b)),
            Budget::LessThan(b) => format!("< {}{unit}", num(b)),
            Budget::None => "—".into(),
        }
    }
}

/// Whether a figure can fail the run it is measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Call counts, writes, 429s, bytes, ids kept: the same on every machine and at every time
    /// scale, so they fail the quick bench too.
    Deterministic,
    /// Timings and sizes of a release build: they fail only the full bench.
    Measured,
}

#[derive(Debug, Clone, Serialize)]
pub struct Baseline {
    pub name: String,
    pub value: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    /// The SPEC §10 line it belongs to.
    pub scenario: String,
    pub figure: String,
    pub unit: String,
    pub budget: Budget,
    pub kind: Kind,
    /// `None` when it could not be measured in this run (see `note`).
    pub ours: Option<f64>,
    pub baselines: Vec<Baseline>,
    pub note: String,
}

/// How a figure came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
    /// Over budget, but not enforced in this run (a timing in the quick bench).
    OverNotEnforced,
    NotMeasured,
    Info,
}

impl Figure {
    pub fn new(scenario: &str, figure: &str, unit: &str, budget: Budget, kind: Kind) -> Figure {
        Figure {
            scenario: scenario.into(),
            figure: figure.into(),
            unit: unit.into(),
            budget,
            kind,
            ours: None,
            baselines: Vec::new(),
            note: String::new(),
        }
    }

    pub fn ours(mut self, v: f64) -> Figure {
        self.ours = Some(v);
        self
    }

    pub fn baseline(mut self, name: &str, v: f64) -> Figure {
        self.baselines.push(Baseline {
            name: name.into(),
            value: v,
        });
        self
    }

    pub fn note(mut self, n: impl Into<String>) -> Figure {
        self.note = n.into();
        self
    }

    pub fn verdict(&self, enforce_measured: bool) -> Verdict {
        let Some(v) = self.ours else {
            return Verdict::NotMeasured;
        };
        match self.budget.holds(v) {
            None => Verdict::Info,
            Some(true) => Verdict::Pass,
            Some(false) if self.kind == Kind::Deterministic || enforce_measured => Verdict::Fail,
            Some(false) => Verdict::OverNotEnforced,
        }
    }

    /// Ours divided by a baseline (below 1: we do better).
    pub fn ratio(&self, baseline: &Baseline) -> Option<f64> {
        let ours = self.ours?;
        (baseline.value > 0.0).then(|| ours / baseline.value)
    }
}

/// A whole run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub mode: String,
    pub time_scale: f64,
    pub machine: String,
    pub started_at: String,
    pub duration_s: f64,
    pub figures: Vec<Figure>,
    /// Whether timings and sizes fail the run (the full bench) or are only reported (quick).
    pub enforce_measured: bool,
}

impl Report {
    pub fn failures(&self) -> Vec<&Figure> {
        self.figures
            .iter()
            .filter(|f| f.verdict(self.enforce_measured) == Verdict::Fail)
            .collect()
    }

    pub fn passed(&self) -> bool {
        self.failures().is_empty()
    }

    /// The names of the baselines, in the order they first appear.
    fn baseline_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for f in &self.figures {
            for b in &f.baselines {
                if !names.contains(&b.name) {
                    names.push(b.name.clone());
                }
            }
        }
        names
    }

    fn rows(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let names = self.baseline_names();
        let mut header = vec!["figure".to_string(), "budget".into(), "ours".into()];
        header.extend(names.iter().cloned());
        header.extend(names.iter().map(|n| format!("ours / {n}")));
        header.push("result".into());
        let rows = self
            .figures
            .iter()
            .map(|f| {
                let mut row = vec![
                    format!("{}: {}", f.scenario, f.figure),
                    f.budget.show(&f.unit),
                    f.ours
                        .map_or_else(|| "—".into(), |v| format!("{}{}", num(v), f.unit)),
                ];
                let find = |n: &str| f.baselines.iter().find(|b| b.name == n);
                for n in &names {
                    row.push(
                        find(n)
                            .map_or_else(|| "—".into(), |b| format!("{}{}", num(b.value), f.unit)),
                    );
                }
                for n in &names {
                    row.push(
                        find(n)
                            .and_then(|b| f.ratio(b))
                            .map_or_else(|| "—".into(), |r| format!("{r:.2}")),
                    );
                }
                row.push(
                    match f.verdict(self.enforce_measured) {
                        Verdict::Pass => "pass",
                        Verdict::Fail => "FAIL",
                        Verdict::OverNotEnforced => "over (not enforced)",
                        Verdict::NotMeasured => "not measured",
                        Verdict::Info => "info",
                    }
                    .to_string(),
                );
                row
            })
            .collect();
        (header, rows)
    }

    /// The table printed on stdout.
    pub fn table(&self) -> String {
        let (header, rows) = self.rows();
        let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
        for r in &rows {
            for (w, c) in widths.iter_mut().zip(r) {
                *w = (*w).max(c.chars().count());
            }
        }
        let line = |cells: &[String]| {
            cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
                .collect::<Vec<_>>()
                .join(" | ")
        };
        let mut out = line(&header);
        out.push('\n');
        out.push_str(
            &widths
                .iter()
                .map(|w| "-".repeat(*w))
                .collect::<Vec<_>>()
                .join("-+-"),
        );
        out.push('\n');
        for r in &rows {
            out.push_str(&line(r));
            out.push('\n');
        }
        for f in self.figures.iter().filter(|f| !f.note.is_empty()) {
            out.push_str(&format!("  · {}: {}: {}\n", f.scenario, f.figure, f.note));
        }
        out
    }

    /// The results section of docs/benchmarks.md.
    pub fn markdown(&self) -> String {
        let (header, rows) = self.rows();
        let esc = |s: &str| s.replace('|', "\\|");
        let mut out = format!(
            "Mode: **{}** (emulator time scale {}), {} figures, {} failed; run took {:.0} s on {}, started {}.\n\n",
            self.mode,
            self.time_scale,
            self.figures.len(),
            self.failures().len(),
            self.duration_s,
            self.machine,
            self.started_at
        );
        out.push_str(&format!(
            "| {} |\n|{}|\n",
            header
                .iter()
                .map(|h| esc(h))
                .collect::<Vec<_>>()
                .join(" | "),
            header.iter().map(|_| "---").collect::<Vec<_>>().join("|")
        ));
        for r in &rows {
            out.push_str(&format!(
                "| {} |\n",
                r.iter().map(|c| esc(c)).collect::<Vec<_>>().join(" | ")
            ));
        }
        let notes: Vec<_> = self.figures.iter().filter(|f| !f.note.is_empty()).collect();
        if !notes.is_empty() {
            out.push('\n');
            for f in notes {
                out.push_str(&format!("- {}: {}: {}\n", f.scenario, f.figure, f.note));
            }
        }
        out
    }
}

/// A number without noise: integers as integers, others with up to 2 decimals.
pub fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_figures_fail_quick_runs_and_timings_do_not() {
        let calls =
            Figure::new("s", "calls", "", Budget::AtMost(2.0), Kind::Deterministic).ours(3.0);
        let time =
            Figure::new("s", "time", " ms", Budget::LessThan(20.0), Kind::Measured).ours(30.0);
        assert_eq!(calls.verdict(false), Verdict::Fail);
        assert_eq!(time.verdict(false), Verdict::OverNotEnforced);
        assert_eq!(time.verdict(true), Verdict::Fail);
        let ok = Figure::new("s", "calls", "", Budget::AtMost(2.0), Kind::Deterministic)
            .ours(2.0)
            .baseline("naive", 8.0);
        assert_eq!(ok.verdict(true), Verdict::Pass);
        assert_eq!(ok.ratio(&ok.baselines[0]), Some(0.25));
    }
}
