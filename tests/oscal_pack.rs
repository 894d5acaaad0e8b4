//! The evidence pack's `oscal/` folder: the scope's plan and assessment results (with the
//! profile and catalogs they cite) validate, resolve inside the pack, and are in SHA256SUMS.

mod support;

use serde_json::Value;
use std::collections::BTreeMap;
use support::ctrlmap;
use support::oscal::{Validators, all_of, broken_references, join, json, tree};

#[test]
fn the_pack_holds_the_scopes_oscal_plan_and_results_and_every_reference_resolves_inside_it() {
    let scratch = support::Scratch::new("oscal-pack");
    let dir = scratch.join("dir");
    let run = ctrlmap([
        "pack",
        "examples/northwind-msp/scopes/riverside-dental.yaml",
        "-o",
        dir.to_str().expect("path"),
        "--as-of",
        "2026-11-30",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let files = tree(&dir);
    for f in [
        "oscal/ssp.json",
        "oscal/assessment-results.json",
        "oscal/profile.json",
        "oscal/catalogs/hipaa.json",
    ] {
        assert!(files.contains_key(f), "{f} in the pack");
    }
    let sums = String::from_utf8(files["SHA256SUMS"].clone()).expect("sums");
    assert!(sums.contains("  oscal/ssp.json\n") && sums.contains("  oscal/assessment-results.json\n"));
    let docs: BTreeMap<String, Value> = files
        .iter()
        .filter(|(p, _)| p.starts_with("oscal/"))
        .map(|(p, b)| (p.clone(), json(b)))
        .collect();
    let mut validators = Validators::default();
    for (path, doc) in &docs {
        let problems = validators.problems(doc);
        assert!(problems.is_empty(), "{path}: {problems:?}");
    }
    let broken = broken_references(&docs);
    assert!(broken.is_empty(), "{broken:?}");
    // Evidence links point at the copies in the pack, with the copies' hashes.
    let ssp = &docs["oscal/ssp.json"];
    let mut evidence = 0;
    for (_, rlinks) in all_of(&ssp["system-security-plan"]["back-matter"], "rlinks") {
        for l in rlinks.as_array().expect("rlinks") {
            let href = l["href"].as_str().expect("href");
            if let Some(hash) = l["hashes"][0]["value"].as_str() {
                let target = join("oscal/ssp.json", href);
                let bytes = files
                    .get(&target)
                    .unwrap_or_else(|| panic!("{href} ({target}) is in the pack"));
                assert_eq!(ctrlmap::model::digest::sha256_hex(bytes), hash, "{target}");
                evidence += 1;
            }
        }
    }
    assert_eq!(evidence, 3, "the scope's three evidence files");
    let run = ctrlmap(["pack", "verify", dir.to_str().expect("path")]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}
