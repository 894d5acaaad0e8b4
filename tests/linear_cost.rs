//! No step is quadratic in the number of entries or errors (issue 11). These tests check
//! that the two cases from the issue finish (under a generous deadline, in a debug build)
//! and report the right thing; `scripts/bench.sh linear` measures them on a release build
//! (under 2 s each on 2 cores).

mod support;
use support::*;

const HEAD: &str = "kind: scope\nid: big\nclient: { name: Big Client, profile: { hipaa: covered-entity } }\nprovider: { name: Northwind Managed IT }\nmodel: co-managed\nsla: { incident_notification: 24h }\n";

#[test]
fn forty_thousand_unknown_controls_in_one_file_are_all_reported() {
    let s = Scratch::example("unknown-40k");
    let mut text = format!("{HEAD}assignments:\n");
    for i in 0..40_000 {
        text.push_str(&format!(
            "  - control: hipaa:164.308(a)(1)(ii)(Z{i})\n    responsible: msp\n"
        ));
    }
    s.write("ws/scopes/big.yaml", &text);
    let run = invoke(s.path(), ["check", "ws", "--format", "json"], 300).go();
    run.assert_code(2);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let errors = doc["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 40_000);
    assert!(
        errors
            .iter()
            .all(|e| e["code"] == "E009" && e["line"].as_u64() > Some(7))
    );
    // The first ones get the closest ids; the rest point at where the ids are listed.
    assert!(
        errors[0]["help"]
            .as_str()
            .unwrap_or_default()
            .starts_with("did you mean")
    );
    assert!(
        errors[39_999]["help"]
            .as_str()
            .unwrap_or_default()
            .contains("frameworks show hipaa")
    );
}

#[test]
fn a_fifteen_megabyte_scope_of_repeated_entries_is_assessed() {
    let s = Scratch::example("repeated-15mb");
    let mut text = format!("{HEAD}assignments:\n");
    let entry =
        "  - control: hipaa:164.308(a)(1)(ii)(A)\n    responsible: msp\n    msp: Run the annual risk analysis.\n";
    let mut n = 0;
    while text.len() + entry.len() < 15 * MB as usize {
        text.push_str(entry);
        n += 1;
    }
    assert!(n > 150_000);
    s.write("ws/scopes/big.yaml", &text);
    let run = invoke(
        s.path(),
        ["check", "ws", "--format", "json", "--as-of", "2026-11-30"],
        300,
    )
    .go();
    run.assert_code(1);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert!(
        doc["scopes"]
            .as_array()
            .expect("scopes")
            .iter()
            .any(|s| s["scope"] == "big")
    );
}
