//! Text cut to fit is cut by one rule (`model::text::shorten`): at most the limit, the last
//! character `…`. Checked through the binary where a finding's message quotes a long title.

mod support;

use support::ctrlmap;

/// A control title over 80 characters in a finding message keeps 79 of them and `…`: 80 in
/// all, as a title of exactly 80 is shown whole (a copy of the rule used to keep 77).
#[test]
fn a_long_control_title_in_a_finding_is_cut_to_eighty_characters() {
    let run = ctrlmap([
        "check",
        "tests/fixtures/render/northwind",
        "--format",
        "json",
        "--as-of",
        "2026-11-30",
    ]);
    run.assert_code(1);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("check --format json prints JSON");
    let message = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["code"] == "CM001" && f["scope"] == "corner-bakery" && f["control"] == "csf-2.0:DE.AE-02")
        .and_then(|f| f["message"].as_str())
        .expect("CM001 on DE.AE-02 for corner-bakery");
    // CSF 2.0 DE.AE-02: "Potentially adverse events are analyzed to better understand
    // associated activities" (82 characters).
    assert_eq!(
        message,
        "csf-2.0:DE.AE-02 (Potentially adverse events are analyzed to better understand associated activit…) \
         applies to Corner Bakery but nobody owns it. Subscribe a service that covers it, add a scope \
         assignment, list it under `client_owned`, or mark it `not_applicable` with a reason."
    );
}
