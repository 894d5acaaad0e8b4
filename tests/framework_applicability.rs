//! Which frameworks apply to a client is catalog data (`applies_to`), not code: a catalog a
//! workspace adds applies by the profile facts its own scope provision names, in the order it
//! gives, with its reason; the built-in catalogs carry theirs (CSF 2.0 the baseline, HIPAA by
//! `hipaa`, the FTC rule by `glba` or `institution_type`, NY DFS by `nydfs`).

mod support;

use serde_json::Value;
use support::*;

const STATE_ACT: &str = r#"kind: catalog
id: state-act
title: A state act for the tests
citation: State Act 1
authority: ctrlmap tests
version: "1"
effective: [{date: 2026-01-01, what: Test act}]
source_url: https://example.org/state-act
applies_to:
  order: 0
  profile:
  - when: {fact: employees, gte: 50}
    reason: "50 or more employees (State Act 1(a))"
controls:
  - id: "1"
    title: Written program
    level: section
    text: Keep a written program.
"#;

fn scope(id: &str, employees: u32) -> String {
    format!(
        "kind: scope\nid: {id}\nclient:\n  name: {id}\n  profile: {{employees: {employees}}}\nprovider: {{name: Test MSP}}\nmodel: co-managed\nclient_owned:\n  - {{control: \"state-act:1\"}}\n"
    )
}

fn frameworks(s: &Scratch, file: &str) -> Vec<(String, String)> {
    let run = invoke(s.path(), ["matrix", file, "--format", "json"], 60).go();
    run.assert_code(0);
    let doc: Value = serde_json::from_str(&run.stdout).expect("JSON");
    doc["frameworks"]
        .as_array()
        .expect("frameworks")
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap_or("").to_string(),
                f["reason"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn a_workspace_catalog_applies_by_its_own_profile_rule_in_its_own_order() {
    let s = Scratch::new("applies-to");
    s.write("ws/frameworks/state-act.yaml", STATE_ACT);
    s.write("ws/scopes/big.yaml", &scope("big", 60));
    s.write("ws/scopes/small.yaml", &scope("small", 10));
    let big = frameworks(&s, "ws/scopes/big.yaml");
    assert_eq!(
        big[0],
        ("state-act".into(), "50 or more employees (State Act 1(a))".into()),
        "order 0 comes first: {big:?}"
    );
    assert_eq!(big[1].0, "csf-2.0");
    assert_eq!(big[1].1, "the baseline for every client");
    let small = frameworks(&s, "ws/scopes/small.yaml");
    assert_eq!(small.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(), ["csf-2.0"]);
}

#[test]
fn the_built_in_catalogs_say_whom_they_bind() {
    let s = Scratch::new("applies-builtin");
    s.write(
        "ws/scopes/all.yaml",
        "kind: scope\nid: all\nclient:\n  name: All\n  profile: {hipaa: business-associate, institution_type: tax-preparer, nydfs: covered-entity}\nprovider: {name: Test MSP}\nmodel: co-managed\n",
    );
    s.write(
        "ws/scopes/glba-no.yaml",
        "kind: scope\nid: glba-no\nclient:\n  name: No\n  profile: {glba: false, institution_type: tax-preparer}\nprovider: {name: Test MSP}\nmodel: co-managed\n",
    );
    let all = frameworks(&s, "ws/scopes/all.yaml");
    let ids: Vec<&str> = all.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["csf-2.0", "hipaa", "glba-safeguards", "nydfs-500"]);
    // The reasons cite the rules' own scope provisions.
    assert!(all[1].1.contains("45 CFR 164.302"), "{all:?}");
    assert!(
        all[2].1.contains("institution_type: tax-preparer") && all[2].1.contains("314.1(b)"),
        "{all:?}"
    );
    assert!(all[3].1.contains("23 NYCRR 500.1"), "{all:?}");
    // An explicit `glba: false` decides alone.
    let no = frameworks(&s, "ws/scopes/glba-no.yaml");
    assert!(no.iter().all(|(id, _)| id != "glba-safeguards"), "{no:?}");
}
