//! The call-count budgets are real checks: the quick bench run with a deliberately naive
//! executor in the place of the relay (delete every block, append the document anew) must fail
//! them, and name the figures it fails.

use bench::report::Verdict;
use bench::sides::Who;
use bench::{Options, Strategy};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_naive_executor_fails_the_quick_bench() {
    let opts = Options {
        ours: Who::Naive(Strategy::DeleteRecreate),
        // The budgets alone: no baselines to compare with, no relay-process or panel figures.
        baselines: false,
        notion_only: true,
        ..Options::quick()
    };
    let report = bench::run(&opts).await.expect("the bench runs");
    assert!(!report.passed(), "{}", report.table());
    let failed: Vec<String> = report
        .failures()
        .iter()
        .map(|f| format!("{}: {}", f.scenario, f.figure))
        .collect();
    for expected in [
        "Paragraph edit, 300-block page: Notion writes",
        "Paragraph edit, 300-block page: Notion calls",
        "Paragraph edit, 300-block page: other blocks' ids lost",
        "No-op sync, 100 files: Notion calls",
        "No-op sync, 100 files: Notion writes",
    ] {
        assert!(
            failed.iter().any(|f| f == expected),
            "{expected} not failed: {failed:?}"
        );
    }
    // Timings never fail the quick bench.
    assert!(report
        .figures
        .iter()
        .filter(|f| f.kind == bench::report::Kind::Measured)
        .all(|f| f.verdict(report.enforce_measured) != Verdict::Fail));
}
