//! `ctrlmap export oscal`: every file validates against NIST's OSCAL schema for its model,
//! every cross-reference resolves, and two exports of the same inputs are byte-identical.

mod common;
mod oscal_support;

use common::{ctrlmap, root};
use oscal_support::{Validators, broken_references, json, tree};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ctrlmap-oscal-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Export a workspace as of a date; the files by path.
fn export(workspace: &str, name: &str) -> BTreeMap<String, Vec<u8>> {
    let out = temp(name);
    let run = ctrlmap([
        "export",
        "oscal",
        workspace,
        "-o",
        out.to_str().expect("utf-8 path"),
        "--as-of",
        "2026-11-30",
    ]);
    assert_eq!(run.code, 0, "export failed: {}{}", run.stdout, run.stderr);
    let files = tree(&out);
    let _ = std::fs::remove_dir_all(&out);
    files
}

#[test]
fn every_exported_file_of_the_example_validates_against_its_oscal_schema() {
    let files = export("examples/northwind-msp", "validate");
    let mut expected = vec![
        "catalogs/csf-2.0.json",
        "catalogs/glba-safeguards.json",
        "catalogs/hipaa.json",
        "catalogs/nydfs-500.json",
        "component-definition.json",
        "mappings/glba-safeguards-to-csf-2.0.json",
        "mappings/hipaa-to-csf-2.0.json",
        "mappings/nydfs-500-to-csf-2.0.json",
    ];
    for scope in ["cedar-tax-services", "hudson-valley-insurance", "riverside-dental"] {
        for f in ["profile.json", "ssp.json", "assessment-results.json"] {
            expected.push(Box::leak(format!("scopes/{scope}/{f}").into_boxed_str()));
        }
    }
    for f in &expected {
        assert!(
            files.contains_key(*f),
            "{f} was not written; have {:?}",
            files.keys().collect::<Vec<_>>()
        );
    }
    let mut validators = Validators::default();
    let mut problems = Vec::new();
    for (path, bytes) in &files {
        let doc = json(bytes);
        for p in validators.problems(&doc) {
            problems.push(format!("{path}: {p}"));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_cross_reference_of_the_example_export_resolves() {
    let files = export("examples/northwind-msp", "refs");
    let docs: BTreeMap<String, Value> = files.iter().map(|(p, b)| (p.clone(), json(b))).collect();
    let broken = broken_references(&docs);
    assert!(broken.is_empty(), "{} broken:\n{}", broken.len(), broken.join("\n"));
    let _ = root();
}
