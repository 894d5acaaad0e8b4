//! `cargo bench`: the cost of the pipeline's stages on the example workspace, and of a whole
//! `check` over a 1,000-scope portfolio built from it. Wall-clock targets for 1,000 and 10,000
//! scopes and peak memory are measured by `scripts/bench.sh` (README, "Performance").

use ctrlmap::load::Loaded;
use std::path::{Path, PathBuf};

fn main() {
    divan::main();
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/northwind-msp")
}

/// A portfolio of `n` scopes made from the example's scope files (ids made unique).
fn portfolio(n: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ctrlmap-bench-{n}-{}", std::process::id()));
    if dir.join("scopes").is_dir() {
        return dir;
    }
    let src = example();
    let _ = std::fs::create_dir_all(dir.join("scopes"));
    for sub in ["services", "evidence"] {
        let _ = std::fs::create_dir_all(dir.join(sub));
        for e in std::fs::read_dir(src.join(sub)).into_iter().flatten().flatten() {
            let _ = std::fs::copy(e.path(), dir.join(sub).join(e.file_name()));
        }
    }
    let mut scopes: Vec<(String, String)> = std::fs::read_dir(src.join("scopes"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            std::fs::read_to_string(e.path())
                .ok()
                .map(|t| (e.file_name().to_string_lossy().into_owned(), t))
        })
        .collect();
    scopes.sort();
    for i in 0..n {
        let (_, text) = &scopes[i % scopes.len()];
        let id = text
            .lines()
            .find_map(|l| l.strip_prefix("id: "))
            .unwrap_or_default()
            .trim()
            .to_string();
        let text = text.replacen(&format!("id: {id}"), &format!("id: {id}-{i:05}"), 1);
        let _ = std::fs::write(dir.join("scopes").join(format!("{id}-{i:05}.yaml")), text);
    }
    dir
}

#[divan::bench]
fn load_example(bencher: divan::Bencher) {
    let path = example();
    bencher.bench(|| Loaded::load(divan::black_box(&path)).map(|ws| ws.scopes.len()));
}

#[divan::bench]
fn resolve_and_assess_each_example_scope(bencher: divan::Bencher) {
    let Ok(ws) = Loaded::load(&example()) else { return };
    let overrides = ctrlmap::cli::overrides(&ws);
    let as_of = time::macros::date!(2026 - 11 - 30);
    bencher.bench(|| {
        ws.scopes
            .iter()
            .map(|s| {
                let m = ctrlmap::resolve::resolve(&ws, s);
                ctrlmap::assess::assess_on(&ws, s, &m, &overrides, as_of).len()
            })
            .sum::<usize>()
    });
}

#[divan::bench(sample_count = 5)]
fn check_1000_scopes(bencher: divan::Bencher) {
    let path = portfolio(1000);
    let as_of = time::macros::date!(2026 - 11 - 30);
    bencher.bench(|| {
        let Ok(ws) = Loaded::load(&path) else { return 0 };
        let overrides = ctrlmap::cli::overrides(&ws);
        ctrlmap::assess::portfolio::assess_portfolio(&ws, &overrides, as_of)
            .findings
            .len()
    });
}
