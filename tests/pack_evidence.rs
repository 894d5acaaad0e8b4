//! What the pack shows an auditor about evidence, waivers and the period, through the real
//! binary on the example workspace: the evidence files on file for each matrix row (reconciled
//! with what the services promise), the controls whose promised evidence is not on file, the
//! waiver register, a period that starts before the engagement, and evidence that no longer
//! matches its pin (never shown as matching, never copied).

mod support;
use std::path::Path;
use support::{Scratch, ctrlmap, example};

/// A pack of `scope` in `ws` as of `as_of`, in a scratch folder.
fn pack(ws: &Path, scope: &str, as_of: &str, name: &str) -> (Scratch, support::Run) {
    let scratch = Scratch::new(&format!("evidence-{name}"));
    let run = ctrlmap([
        "pack".as_ref(),
        ws.join("scopes").join(scope).as_os_str(),
        "-o".as_ref(),
        scratch.path().join("pack").as_os_str(),
        "--as-of".as_ref(),
        as_of.as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    (scratch, run)
}

fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join("pack").join(rel)).expect(rel)
}

/// The `<tr>` of a control on a matrix page.
fn row<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("row {id}"));
    let end = page[start..].find("</tr>").expect("end of row") + start;
    &page[start..end]
}

#[test]
fn each_row_shows_the_evidence_on_file_for_its_control() {
    let (s, _) = pack(&example(), "riverside-dental.yaml", "2026-11-30", "rows");
    let hipaa = read(s.path(), "matrix/hipaa.html");
    // The scope's risk analysis lists 164.308(a)(1)(ii)(A): its row shows the file, with its
    // title, effective date, age on the as-of date, freshness and pin state.
    let risk = row(&hipaa, "164.308(a)(1)(ii)(A)");
    assert!(risk.contains("HIPAA security risk analysis 2026 (summary)"), "{risk}");
    assert!(
        risk.contains("../files/evidence/riverside-2026-risk-analysis-summary.md"),
        "{risk}"
    );
    assert!(risk.contains("effective 2026-02-27, 276 days old"), "{risk}");
    assert!(risk.contains("badge fresh") && risk.contains("matches pin"), "{risk}");
    // The standard above it rolls up the files of its parts.
    assert!(row(&hipaa, "164.308(a)(1)").contains("HIPAA security risk analysis 2026"));
    // The restore test supports the data backup plan, which managed-backup also promises.
    let backup = row(&hipaa, "164.308(a)(7)(ii)(A)");
    assert!(backup.contains("Quarterly restore test, 2026 Q3"), "{backup}");
    assert!(backup.contains("Promised: Backup plan document"), "{backup}");
    assert!(!backup.contains("none on file"), "{backup}");
    // Disaster recovery: promised by managed-backup, nothing on file.
    let dr = row(&hipaa, "164.308(a)(7)(ii)(B)");
    assert!(
        dr.contains("none on file") && dr.contains("promised by the services"),
        "{dr}"
    );
    assert!(dr.contains("Promised: Disaster recovery runbook"), "{dr}");
    // And the evaluation, required by the HIPAA policy pack (CM009, waived).
    let evaluation = row(&hipaa, "164.308(a)(8)");
    assert!(
        evaluation.contains("none on file") && evaluation.contains("required by the policy pack"),
        "{evaluation}"
    );
    // The index lists every control whose promised evidence is not on file, with the findings.
    let index = read(s.path(), "index.html");
    let gaps = &index[index.find("id=\"evidence-not-on-file\"").expect("section")..];
    assert!(
        gaps.contains("matrix/hipaa.html#164.308(a)(7)(ii)(B)"),
        "listed with the findings"
    );
    assert!(!gaps[..gaps.find("</table>").expect("table")].contains("#164.308(a)(1)(ii)(A)\""));
}

#[test]
fn a_pack_rule_with_promised_makes_promised_evidence_not_on_file_a_finding() {
    let ws = Scratch::copy_of(&example(), "promised");
    std::fs::create_dir_all(ws.ws().join("policies")).expect("mkdir");
    std::fs::write(
        ws.ws().join("policies/promised-evidence.yaml"),
        "kind: policy\nid: promised-evidence\ntitle: Evidence the services promise is on file\nframework: hipaa\nrules:\n  - code: CM009\n    kind: evidence-required\n    severity: low\n    params:\n      promised: true\n",
    )
    .expect("write");
    let run = ctrlmap([
        "check".as_ref(),
        ws.ws().as_os_str(),
        "--as-of".as_ref(),
        "2026-11-30".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        "--fail-on".as_ref(),
        "none".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let findings: Vec<&serde_json::Value> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "CM009" && f["scope"] == "riverside-dental")
        .collect();
    let dr = findings
        .iter()
        .find(|f| f["control"] == "hipaa:164.308(a)(7)(ii)(B)")
        .expect("the disaster recovery plan has promised evidence and none on file");
    assert!(
        dr["message"]
            .as_str()
            .expect("message")
            .contains("promise evidence for it (Disaster recovery runbook)"),
        "{dr}"
    );
    assert!(
        !findings.iter().any(|f| f["control"] == "hipaa:164.308(a)(1)(ii)(A)"),
        "the risk analysis is on file for Riverside"
    );
}

#[test]
fn the_waiver_register_lists_each_waiver_and_whether_it_holds() {
    let (s, _) = pack(&example(), "riverside-dental.yaml", "2026-11-30", "waivers");
    let page = read(s.path(), "waivers.html");
    for text in [
        "CM009",
        "164.308(a)(8)",
        "The first annual evaluation under the new contract is scheduled for January 2027",
        "The February 2026 risk analysis covered the same safeguards",
        "Dr. Ana Rivera, Practice Owner and Security Official",
        "NW-4821",
        "2026-02-01",
        "2027-02-28",
        "90 days left",
        "badge valid",
        "in force",
    ] {
        assert!(page.contains(text), "{text} in the register");
    }
    assert!(read(s.path(), "index.html").contains("href=\"waivers.html\""));
    // After the expiry date the same waiver no longer holds.
    let (later, _) = pack(&example(), "riverside-dental.yaml", "2027-03-15", "waivers-later");
    let page = read(later.path(), "waivers.html");
    assert!(
        page.contains("badge expired") && page.contains("not in force"),
        "expired"
    );
}

#[test]
fn a_period_that_starts_before_the_engagement_says_so() {
    let (s, _) = pack(&example(), "riverside-dental.yaml", "2026-11-30", "period");
    let index = read(s.path(), "index.html");
    assert!(
        index.contains("The assessment period starts 2025-12-01, before the engagement's effective date (2026-02-01): its first 62 days precede the engagement."),
        "effective date"
    );
    assert!(
        index.contains(
            "before the business associate agreement was signed (2026-01-15): its first 45 days precede the BAA."
        ),
        "BAA"
    );
    // A period inside the engagement says nothing of the kind.
    let ws = Scratch::copy_of(&example(), "period-inside");
    let scope = ws.ws().join("scopes/riverside-dental.yaml");
    let text = std::fs::read_to_string(&scope)
        .expect("scope")
        .replace("from: 2025-12-01", "from: 2026-02-01");
    std::fs::write(&scope, text).expect("write");
    let (inside, _) = pack(&ws.ws(), "riverside-dental.yaml", "2026-11-30", "period-inside-pack");
    assert!(!read(inside.path(), "index.html").contains("period-before-"));
}

#[test]
fn evidence_that_no_longer_matches_its_pin_is_never_shown_as_matching_nor_copied() {
    let ws = Scratch::copy_of(&example(), "changed-evidence");
    let evidence = ws.ws().join("evidence/riverside-2026-q3-restore-test.md");
    let mut text = std::fs::read_to_string(&evidence).expect("evidence");
    text.push_str("\nRestore completed within the objective.\n");
    std::fs::write(&evidence, text).expect("write");
    let (s, run) = pack(&ws.ws(), "riverside-dental.yaml", "2026-11-30", "changed-evidence-pack");
    assert!(
        run.stderr
            .contains("riverside-2026-q3-restore-test.md: its SHA-256 is not the one pinned"),
        "{}",
        run.stderr
    );
    assert!(
        !s.path()
            .join("pack/files/evidence/riverside-2026-q3-restore-test.md")
            .exists()
    );
    let page = read(s.path(), "evidence.html");
    let start = page.find("Quarterly restore test, 2026 Q3").expect("listed");
    let entry = &page[start..start + page[start..].find("</tr>").expect("row")];
    assert!(
        entry.contains("badge changed") && !entry.contains("matches pin"),
        "{entry}"
    );
    let row = row(&read(s.path(), "matrix/hipaa.html"), "164.308(a)(7)(ii)(D)").to_string();
    assert!(
        row.contains("(not in the pack)") && !row.contains("matches pin"),
        "{row}"
    );
    let run = ctrlmap(["pack".as_ref(), "verify".as_ref(), s.path().join("pack").as_os_str()]);
    assert_eq!(run.code, 0, "the pack is what it says: {}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("has no copy in the pack"), "{}", run.stdout);
}

#[test]
fn the_index_names_what_each_check_covers() {
    let (s, _) = pack(&example(), "riverside-dental.yaml", "2026-11-30", "checks");
    let index = read(s.path(), "index.html");
    let verify = &index[index.find("id=\"verify\"").expect("verification section")..];
    for text in [
        "This pack is not signed",
        "<code>sha256sum -c SHA256SUMS</code>, in the pack's folder: every file listed in SHA256SUMS is present and unchanged. It does <strong>not</strong> notice a file that was added, and it cannot tell whether SHA256SUMS itself was replaced",
        "<code>ctrlmap pack verify &lt;folder or zip&gt;</code>: every listed file, and also no file added or missing",
        "each evidence copy still matching the SHA-256 pinned in the copied scope",
        "Without a signature it proves the pack agrees with itself, not that it is the pack that was handed over",
        "<code>--expect &lt;pack digest&gt;</code>",
    ] {
        assert!(verify.contains(text), "{text}");
    }
    assert!(
        !verify.contains("changed, added or removed"),
        "the old, inaccurate claim is gone"
    );
}
