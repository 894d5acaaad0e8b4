//! `ctrlmap evidence add` and `ctrlmap evidence pin` through the binary: the entry written at
//! the right place of the scope, everything else of the file kept byte for byte (comments, a
//! `notes: |` whose text reads `evidence:`, CRLF line breaks), the SHA-256 pinned, and every
//! refusal (a file outside the workspace, a flow list, an unknown control or party, a file
//! already listed) an exit 2 that leaves the file as it was. Expected hashes were computed with
//! `sha256sum`, never by ctrlmap.

mod support;
use serde_json::Value;
use std::path::{Path, PathBuf};
use support::*;

/// `printf 'restore test 2026 Q4\n' | sha256sum`
const RESTORE: &str = "restore test 2026 Q4\n";
const RESTORE_SHA: &str = "c8235ef15992cb30d33decb484acf174a51de1632b79ed24d0d384b1147ca8ac";
/// `printf 'risk analysis 2026\n' | sha256sum`
const RISK: &str = "risk analysis 2026\n";
const RISK_SHA: &str = "55605cc2dc9a8ef1e740b2945f13c03c6e72d686779d18b554e1a4ef47e04a6c";
/// `printf 'mfa export, updated\n' | sha256sum` (the file after a deliberate update)
const MFA_UPDATED: &str = "mfa export, updated\n";
const MFA_UPDATED_SHA: &str = "9420d6d8a5048886619618eaede2a4b85e0612135b488d3e595776d1ee671aa5";
/// `printf 'mfa export\n' | sha256sum` (the file as first pinned)
const MFA_SHA: &str = "85ea68cf3a157a56552cccc9c6a29ccb1bcf9119f15cdd6c952a8842e5fa2fe3";
/// `printf 'soc report\n' | sha256sum`
const SOC: &str = "soc report\n";
const SOC_SHA: &str = "f5ea1ececc9d56856aec80c3054030da7311c5f3dbf524649639155a5e7454fd";

/// The scope's head: a HIPAA covered entity with one third party, and a note whose text has
/// a line `evidence:` (part of the string, not a key).
const HEAD: &str = "# A clinic for the evidence command's tests.
kind: scope
id: clinic
client:
  name: Test Clinic
  profile: {hipaa: covered-entity, hipaa_functions: [health-care-provider], employees: 12}
provider: {name: Test MSP, baa_signed: 2026-01-15}
model: co-managed
parties:
  - {id: m365, name: Microsoft 365, kind: cloud-provider, baa: true}
notes: |
  Evidence is collected every quarter.
  evidence:
    - this line is part of the note, not a key
";

/// A workspace in a new folder: `scopes/clinic.yaml` with `scope`, and the evidence files.
struct Workspace {
    dir: PathBuf,
    /// The scratch folder that holds it (removed with it).
    _scratch: Scratch,
}

impl Workspace {
    fn new(name: &str, scope: &str) -> Workspace {
        let scratch = Scratch::new(&format!("evidence-{name}"));
        let dir = scratch.join("dir");
        std::fs::create_dir_all(dir.join("scopes")).expect("scopes/");
        std::fs::create_dir_all(dir.join("evidence")).expect("evidence/");
        std::fs::write(dir.join("scopes/clinic.yaml"), scope).expect("scope");
        std::fs::write(dir.join("evidence/restore-2026-q4.md"), RESTORE).expect("evidence");
        std::fs::write(dir.join("evidence/risk-analysis-2026.md"), RISK).expect("evidence");
        Workspace { dir, _scratch: scratch }
    }

    fn scope(&self) -> String {
        std::fs::read_to_string(self.dir.join("scopes/clinic.yaml")).expect("scope")
    }

    fn run(&self, args: &[&str]) -> Run {
        ctrlmap_in(&self.dir, args)
    }

    /// `evidence add` of the restore test with the usual controls and owner, plus `extra`.
    fn add_restore(&self, extra: &[&str]) -> Run {
        let mut args = vec![
            "evidence",
            "add",
            "scopes/clinic.yaml",
            "evidence/restore-2026-q4.md",
            "--controls",
            "hipaa:164.308(a)(7)(ii)(D)",
        ];
        // The usual owner and date, unless `extra` gives its own.
        for (flag, value) in [("--owner", "msp"), ("--effective", "2026-12-01")] {
            if !extra.contains(&flag) {
                args.extend([flag, value]);
            }
        }
        args.extend_from_slice(extra);
        self.run(&args)
    }

    fn check_json(&self) -> Value {
        let run = self.run(&[
            "check",
            ".",
            "--format",
            "json",
            "--as-of",
            "2026-12-05",
            "--fail-on",
            "none",
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        serde_json::from_str(&run.stdout).expect("JSON")
    }
}

fn codes(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn restore_entry(indent: &str) -> String {
    format!(
        "{indent}- file: evidence/restore-2026-q4.md\n{indent}  controls: [\"hipaa:164.308(a)(7)(ii)(D)\"]\n{indent}  owner: msp\n{indent}  effective: 2026-12-01\n{indent}  sha256: {RESTORE_SHA}\n"
    )
}

#[test]
fn add_to_a_scope_without_evidence_appends_the_key_and_leaves_a_note_reading_evidence_alone() {
    let ws = Workspace::new("no-key", HEAD);
    let run = ws.add_restore(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        format!(
            "scopes/clinic.yaml: added evidence `evidence/restore-2026-q4.md` for hipaa:164.308(a)(7)(ii)(D) — owner msp, effective 2026-12-01, sha256 {RESTORE_SHA}\n"
        )
    );
    assert_eq!(ws.scope(), format!("{HEAD}evidence:\n{}", restore_entry("  ")));
    assert_eq!(ws.run(&["validate", "."]).code, 0);
    // Pinned and on file: no CM020 (unpinned), CM010 (missing) or CM011 (changed).
    let found = codes(&ws.check_json());
    assert!(
        !found.iter().any(|c| ["CM010", "CM011", "CM020"].contains(&c.as_str())),
        "{found:?}"
    );
}

#[test]
fn add_replaces_an_empty_list_and_keeps_the_comment_on_its_line() {
    let ws = Workspace::new(
        "empty",
        &format!("{HEAD}evidence: []  # none collected yet\nwaivers: []\n"),
    );
    let run = ws.add_restore(&["--title", "Restore test: 2026 Q4"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let entry = restore_entry("  ").replacen("\n", "\n    title: \"Restore test: 2026 Q4\"\n", 1);
    assert_eq!(
        ws.scope(),
        format!("{HEAD}evidence:  # none collected yet\n{entry}waivers: []\n")
    );
    assert_eq!(ws.run(&["validate", "."]).code, 0);
}

#[test]
fn add_to_a_block_list_follows_its_indentation() {
    for indent in ["", "    "] {
        let before = format!(
            "{HEAD}evidence:\n{indent}# the annual risk analysis\n{indent}- file: evidence/risk-analysis-2026.md\n{indent}  controls: [\"hipaa:164.308(a)(1)(ii)(A)\"]\n{indent}  owner: client\n{indent}  effective: 2026-03-01\n{indent}  sha256: {RISK_SHA}\n\n# waivers below\nwaivers: []\n"
        );
        let ws = Workspace::new(&format!("block{}", indent.len()), &before);
        let run = ws.add_restore(&[]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let at = before.find("\n\n# waivers").expect("the end of the list") + 1;
        let expected = format!("{}{}{}", &before[..at], restore_entry(indent), &before[at..]);
        assert_eq!(ws.scope(), expected, "indented by {}", indent.len());
        assert_eq!(ws.run(&["validate", "."]).code, 0);
    }
}

#[test]
fn a_crlf_scope_stays_crlf() {
    let crlf = format!(
        "{HEAD}evidence:\n  - file: evidence/risk-analysis-2026.md\n    controls: [\"hipaa:164.308(a)(1)(ii)(A)\"]\n    owner: client\n    effective: 2026-03-01\n"
    )
    .replace('\n', "\r\n");
    let ws = Workspace::new("crlf", &crlf);
    let run = ws.add_restore(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let added = format!("{crlf}{}", restore_entry("  ").replace('\n', "\r\n"));
    assert_eq!(ws.scope(), added);
    // `pin` adds the missing hash of the first entry, CRLF too.
    let pin = ws.run(&["evidence", "pin", "scopes/clinic.yaml"]);
    assert_eq!(pin.code, 0, "{}", pin.stderr);
    let pinned = ws.scope();
    assert_eq!(
        pinned,
        added.replacen(
            "effective: 2026-03-01\r\n",
            &format!("effective: 2026-03-01\r\n    sha256: {RISK_SHA}\r\n"),
            1
        )
    );
    assert!(!pinned.replace("\r\n", "").contains('\n'), "no bare LF");
    assert_eq!(ws.run(&["validate", "."]).code, 0);
}

/// Exit 2, the message on standard error, nothing written.
fn refused(ws: &Workspace, run: &Run, before: &str, says: &[&str]) {
    assert_eq!(run.code, 2, "stdout: {}\nstderr: {}", run.stdout, run.stderr);
    for s in says {
        assert!(run.stderr.contains(s), "expected {s:?} in:\n{}", run.stderr);
    }
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert_eq!(ws.scope(), before, "the scope is unchanged");
}

#[test]
fn a_flow_list_with_items_is_refused_with_what_to_do() {
    let before = format!(
        "{HEAD}evidence: [{{file: evidence/risk-analysis-2026.md, controls: [\"hipaa:164.308(a)(1)(ii)(A)\"], owner: client, effective: 2026-03-01}}]\n"
    );
    let ws = Workspace::new("flow", &before);
    let run = ws.add_restore(&[]);
    refused(
        &ws,
        &run,
        &before,
        &[
            "scopes/clinic.yaml:15:",
            "flow style",
            "block list",
            "nothing was written",
        ],
    );
}

#[test]
fn evidence_outside_the_workspace_is_refused() {
    let ws = Workspace::new("outside", HEAD);
    let elsewhere = Scratch::new("evidence-elsewhere");
    let outside = elsewhere.join("evidence.md");
    std::fs::write(&outside, RESTORE).expect("a file outside");
    let as_text = outside.to_string_lossy().into_owned();
    for path in [as_text.as_str(), "../ctrlmap-outside.md"] {
        if path.starts_with("..") {
            std::fs::write(ws.dir.join(path), RESTORE).expect("a file next to the workspace");
        }
        let run = ws.run(&[
            "evidence",
            "add",
            "scopes/clinic.yaml",
            path,
            "--controls",
            "hipaa:164.308(a)(7)(ii)(D)",
            "--owner",
            "msp",
        ]);
        refused(
            &ws,
            &run,
            HEAD,
            &["outside the workspace", "evidence stays inside the workspace"],
        );
    }
    // A link inside the workspace to a file outside it is refused too.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&outside, ws.dir.join("evidence/link.md")).expect("a link");
        let run = ws.run(&[
            "evidence",
            "add",
            "scopes/clinic.yaml",
            "evidence/link.md",
            "--controls",
            "hipaa:164.308(a)(7)(ii)(D)",
            "--owner",
            "msp",
        ]);
        refused(&ws, &run, HEAD, &["outside the workspace"]);
    }
    let _ = std::fs::remove_file(&outside);
    let _ = std::fs::remove_file(ws.dir.join("../ctrlmap-outside.md"));
}

#[test]
fn a_path_from_the_workspace_root_given_elsewhere_is_refused_with_the_path_that_exists() {
    let ws = Workspace::new("from-parent", HEAD);
    let run = ctrlmap_in(
        ws.dir.parent().expect("a parent"),
        [
            "evidence",
            "add",
            &format!("{}/scopes/clinic.yaml", ws.dir.file_name().unwrap().to_string_lossy()),
            "evidence/restore-2026-q4.md",
            "--controls",
            "hipaa:164.308(a)(7)(ii)(D)",
            "--owner",
            "msp",
        ],
    );
    refused(
        &ws,
        &run,
        HEAD,
        &["no such file", "did you mean", "evidence/restore-2026-q4.md"],
    );
}

#[test]
fn an_unknown_control_is_refused_with_the_closest_ids() {
    let ws = Workspace::new("unknown-control", HEAD);
    let run = ws.run(&[
        "evidence",
        "add",
        "scopes/clinic.yaml",
        "evidence/restore-2026-q4.md",
        "--controls",
        "hipaa:164.308(a)(7)(ii)(Z)",
        "--owner",
        "msp",
    ]);
    refused(
        &ws,
        &run,
        HEAD,
        &[
            "error[E022]",
            "is not a control of `hipaa`",
            "did you mean",
            "`hipaa:164.308(a)(7)(ii)(A)`",
        ],
    );
}

#[test]
fn aliases_and_ids_without_their_framework_are_written_in_full() {
    let ws = Workspace::new("aliases", HEAD);
    let run = ws.run(&[
        "evidence",
        "add",
        "scopes/clinic.yaml",
        "evidence/restore-2026-q4.md",
        "--controls",
        "164.308(a)(7)(ii)(D),csf:PR.DS-11",
        "hipaa:164.308(a)(7)(ii)(D)",
        "--owner",
        "msp",
        "--effective",
        "2026-12-01",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        ws.scope()
            .contains("  controls: [\"hipaa:164.308(a)(7)(ii)(D)\", \"csf-2.0:PR.DS-11\"]\n"),
        "{}",
        ws.scope()
    );
}

#[test]
fn an_owner_that_is_not_a_party_of_the_scope_is_refused_with_the_parties() {
    let ws = Workspace::new("owner", HEAD);
    let run = ws.run(&[
        "evidence",
        "add",
        "scopes/clinic.yaml",
        "evidence/restore-2026-q4.md",
        "--controls",
        "hipaa:164.308(a)(7)(ii)(D)",
        "--owner",
        "m356",
    ]);
    refused(
        &ws,
        &run,
        HEAD,
        &["`m356` is not a party of scope `clinic`", "did you mean `m365`?"],
    );
    let ok = ws.add_restore(&["--owner", "m365"]);
    assert_eq!(ok.code, 0, "a declared third party is an owner: {}", ok.stderr);
    assert!(ws.scope().contains("\n    owner: m365\n"), "{}", ws.scope());
}

#[test]
fn a_file_already_listed_is_refused_and_points_at_its_entry() {
    let ws = Workspace::new("twice", HEAD);
    assert_eq!(ws.add_restore(&[]).code, 0);
    let once = ws.scope();
    let run = ws.add_restore(&["--owner", "client"]);
    refused(
        &ws,
        &run,
        &once,
        &[
            "`evidence/restore-2026-q4.md` is already listed as evidence at scopes/clinic.yaml:16",
            "evidence pin",
        ],
    );
    // `./evidence/…` is the same file.
    let run = ws.run(&[
        "evidence",
        "add",
        "scopes/clinic.yaml",
        "./evidence/restore-2026-q4.md",
        "--controls",
        "hipaa:164.308(a)(7)(ii)(D)",
        "--owner",
        "msp",
    ]);
    refused(&ws, &run, &once, &["already listed"]);
}

#[test]
fn a_bad_effective_date_is_refused() {
    let ws = Workspace::new("date", HEAD);
    let run = ws.add_restore(&["--effective", "2026-13-01"]);
    refused(
        &ws,
        &run,
        HEAD,
        &["error[E006]", "--effective `2026-13-01` is not a date", "YYYY-MM-DD"],
    );
}

#[test]
fn pin_records_unpinned_and_changed_files_and_says_what_changed() {
    let before = format!(
        "{HEAD}evidence:\n  - file: evidence/risk-analysis-2026.md   # no hash yet\n    controls: [\"hipaa:164.308(a)(1)(ii)(A)\"]\n    owner: client\n    effective: 2026-03-01\n  - file: evidence/mfa-export.csv\n    controls: [\"hipaa:164.312(d)\"]\n    owner: msp\n    effective: 2026-10-01\n    sha256: \"{MFA_SHA}\"  # as first collected\n    title: MFA export\n  - file: evidence/restore-2026-q4.md\n    controls: [\"hipaa:164.308(a)(7)(ii)(D)\"]\n    owner: msp\n    effective: 2026-12-01\n    sha256: {RESTORE_SHA}\n"
    );
    let ws = Workspace::new("pin", &before);
    std::fs::write(ws.dir.join("evidence/mfa-export.csv"), MFA_UPDATED).expect("the updated export");
    // Before: one unpinned (CM020, info) and one changed (CM011, critical).
    let found = codes(&ws.check_json());
    assert!(
        found.contains(&"CM020".to_string()) && found.contains(&"CM011".to_string()),
        "{found:?}"
    );

    let run = ws.run(&["evidence", "pin", "scopes/clinic.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        format!(
            "scopes/clinic.yaml: pinned 2 evidence files:\n  evidence/risk-analysis-2026.md (scopes/clinic.yaml:16): was unpinned, now {RISK_SHA}\n  evidence/mfa-export.csv (scopes/clinic.yaml:20): was {MFA_SHA}, now {MFA_UPDATED_SHA}\n1 other file already matched its pin.\n"
        )
    );
    let expected = before
        .replacen(
            "effective: 2026-03-01\n",
            &format!("effective: 2026-03-01\n    sha256: {RISK_SHA}\n"),
            1,
        )
        .replacen(MFA_SHA, MFA_UPDATED_SHA, 1);
    assert_eq!(ws.scope(), expected, "hashes in place, quotes and comments kept");
    let found = codes(&ws.check_json());
    assert!(
        !found.iter().any(|c| ["CM011", "CM020"].contains(&c.as_str())),
        "{found:?}"
    );

    let again = ws.run(&["evidence", "pin", "scopes/clinic.yaml"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(
        again.stdout,
        "scopes/clinic.yaml: all 3 evidence files match their pins; nothing to change\n"
    );
    assert_eq!(ws.scope(), expected);
}

#[test]
fn pin_names_a_missing_file_and_leaves_its_entry() {
    let before = format!(
        "{HEAD}evidence:\n  - file: evidence/lost.pdf\n    controls: [\"hipaa:164.308(a)(1)(ii)(A)\"]\n    owner: client\n    effective: 2026-03-01\n"
    );
    let ws = Workspace::new("pin-missing", &before);
    let run = ws.run(&["evidence", "pin", "scopes/clinic.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "scopes/clinic.yaml: no pin changed\n");
    assert!(
        run.stderr
            .contains("`evidence/lost.pdf` (scopes/clinic.yaml:16) does not exist, so it was not pinned (CM010)"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.scope(), before);
}

/// A client on a package, its owner a subcontractor the package names from `parties/`: the
/// example workspace stays green with the new entry, and the entry is pinned.
#[test]
fn add_works_on_a_scope_of_the_package_workflow() {
    let scratch = Scratch::copy_of(&example(), "evidence-add");
    let dir: &Path = &scratch.ws();
    std::fs::write(dir.join("evidence/lakeside-2026-soc-report.md"), SOC).expect("evidence");
    let scope = dir.join("scopes/lakeside-family-dental.yaml");
    let before = std::fs::read_to_string(&scope).expect("scope");
    let run = ctrlmap_in(
        dir,
        [
            "evidence",
            "add",
            "scopes/lakeside-family-dental.yaml",
            "evidence/lakeside-2026-soc-report.md",
            "--controls",
            "hipaa:164.308(a)(1)(ii)(D)",
            "--owner",
            "soc-platform",
            "--effective",
            "2026-11-15",
            "--title",
            "SOC monthly report, November 2026",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let after = std::fs::read_to_string(&scope).expect("scope");
    assert_eq!(
        after,
        format!(
            "{before}evidence:\n  - file: evidence/lakeside-2026-soc-report.md\n    title: SOC monthly report, November 2026\n    controls: [\"hipaa:164.308(a)(1)(ii)(D)\"]\n    owner: soc-platform\n    effective: 2026-11-15\n    sha256: {SOC_SHA}\n"
        )
    );
    let check = ctrlmap_in(dir, ["check", ".", "--as-of", "2026-11-30"]);
    assert_eq!(check.code, 0, "{}\n{}", check.stdout, check.stderr);
}

#[test]
fn help_says_what_each_action_does() {
    let run = ctrlmap(["evidence", "add", "--help"]);
    assert_eq!(run.code, 0);
    for s in [
        "--controls",
        "--owner",
        "--effective",
        "--title",
        "inside the workspace",
        "already lists",
    ] {
        assert!(run.stdout.contains(s), "{s:?} in:\n{}", run.stdout);
    }
    let run = ctrlmap(["evidence", "pin", "--help"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("deliberate update"), "{}", run.stdout);
}

/// Evidence the package lists for every client: CM020 points at the package's entry with the
/// line to add; `pin` on a client's scope names it without editing the package; `add` of the
/// same file to a client is refused.
#[test]
fn package_evidence_is_reported_and_left_to_the_package() {
    let scratch = Scratch::copy_of(&example(), "evidence-package");
    let dir: &Path = &scratch.ws();
    std::fs::write(dir.join("evidence/soc-report.md"), SOC).expect("evidence");
    let package = dir.join("packages/dental-complete.yaml");
    let mut text = std::fs::read_to_string(&package).expect("package");
    text.push_str("\nevidence:\n  - file: evidence/soc-report.md\n    controls: [\"hipaa:164.308(a)(1)(ii)(D)\"]\n    owner: msp\n    effective: 2026-11-01\n");
    std::fs::write(&package, &text).expect("package");
    let check = ctrlmap_in(dir, ["check", ".", "--as-of", "2026-11-30"]);
    assert_eq!(check.code, 0, "info does not gate: {}", check.stderr);
    assert!(
        check.stdout.contains(&format!(
            "info[CM020] evidence file `evidence/soc-report.md` comes from the scope's package, which pins no SHA-256 for it, so a later change to the file would go unnoticed. Add `sha256: {SOC_SHA}` to the package's entry."
        )),
        "{}",
        check.stdout
    );
    let scope = dir.join("scopes/lakeside-family-dental.yaml");
    let before = std::fs::read_to_string(&scope).expect("scope");
    let pin = ctrlmap_in(dir, ["evidence", "pin", "scopes/lakeside-family-dental.yaml"]);
    assert_eq!(pin.code, 0, "{}", pin.stderr);
    assert_eq!(pin.stdout, "scopes/lakeside-family-dental.yaml: no pin changed\n");
    assert!(
        pin.stderr.contains(&format!(
            "which `evidence pin` does not edit: write `sha256: {SOC_SHA}` in that entry by hand"
        )),
        "{}",
        pin.stderr
    );
    let add = ctrlmap_in(
        dir,
        [
            "evidence",
            "add",
            "scopes/lakeside-family-dental.yaml",
            "evidence/soc-report.md",
            "--controls",
            "hipaa:164.308(a)(1)(ii)(D)",
            "--owner",
            "msp",
        ],
    );
    assert_eq!(add.code, 2, "{}", add.stderr);
    assert!(
        add.stderr
            .contains("already listed as evidence at packages/dental-complete.yaml:"),
        "{}",
        add.stderr
    );
    assert_eq!(std::fs::read_to_string(&scope).expect("scope"), before);
    assert_eq!(std::fs::read_to_string(&package).expect("package"), text);
}
