//! A deterministic, seeded mutation test (issue 11): a few thousand mutated workspaces
//! through the library — load, schema, typing, reference checks, evidence hashing, resolve,
//! assess with a custom rule — failing on any panic, any hang, and any diagnostic that does
//! not point into the file it is about. Stable Rust, no fuzzing engine: the `fuzz/` crate
//! holds the cargo-fuzz targets for long runs.
//!
//! Scope files are mutated in memory and checked against one loaded workspace
//! ([`Loaded::check_scope_bytes`]); the config, services and policies are mutated on
//! disk and the whole workspace is loaded again (slower, so fewer of those).
//! `CTRLMAP_MUTATIONS=N` runs N scope mutations instead of the default.

mod support;
use ctrlmap::load::Loaded;
use ctrlmap::model::diagnostic::Diagnostic;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::time::Duration;
use support::*;

/// splitmix64: small, fast and good enough to pick mutations; fixed seed, same run every time.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn word(&mut self, words: &[&'static str]) -> &'static str {
        words[self.below(words.len())]
    }
}

/// Tokens that have broken YAML parsers, type checks, number handling or templates before.
const TOKENS: &[&str] = &[
    "&a ",
    "*a",
    "<<: *a\n",
    "{",
    "}",
    "[",
    "]",
    "- ",
    ": ",
    "\"",
    "'",
    "\n  ",
    "\n- ",
    "~",
    "null",
    "-1",
    "0",
    "99999999999999999999",
    "768614336404564651d",
    "18446744073709551615h",
    "0x7fffffffffffffff",
    "1e309",
    ".nan",
    "!!binary ",
    "!custom ",
    "%YAML 1.2\n",
    "---\n",
    "...\n",
    "\t",
    "\u{1b}[2J",
    "\u{0}",
    "\u{feff}",
    "\u{202e}",
    "#",
    "|\n",
    ">-\n",
    "? ",
    "mini:S.9",
    "nope:x",
    "hipaa:164.308(a)(1)",
    "../../etc/passwd",
    "/etc/passwd",
    "evidence/report.md",
    "2026-02-30",
    "9999-12-31",
    "true",
    "yes",
    "msp",
    "client",
    "{{ row.x }}",
    "{% for i in range(99999) %}",
    "::warning::x",
    "é",
];

/// Values that have broken number, date, duration and reference handling before: the
/// value-replacing mutation draws from these.
const VALUES: &[&str] = &[
    "768614336404564651d",
    "768614336404564651bd",
    "99999999999999999999h",
    "18446744073709551615h",
    "0h",
    "-1",
    "9223372036854775807",
    "1e309",
    "2026-02-30",
    "0000-01-01",
    "9999-12-31",
    "mini:S.9",
    "mini:",
    ":",
    "\"\"",
    "[]",
    "{}",
    "~",
];

/// One mutation of a file's bytes.
fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>) {
    let at = |rng: &mut Rng, len: usize| rng.below(len + 1);
    match rng.below(13) {
        9..=12 => {
            // Replace one value (`key: value`, in block or flow style) with a token.
            let text = String::from_utf8_lossy(bytes).into_owned();
            let starts: Vec<usize> = text.match_indices(": ").map(|(i, _)| i + 2).collect();
            if starts.is_empty() {
                return;
            }
            let start = *rng.pick(&starts);
            let len = text[start..].find(['\n', ',', '}', ']']).unwrap_or(text.len() - start);
            let mut out = text;
            let token = if rng.below(4) == 0 {
                *rng.pick(TOKENS)
            } else {
                *rng.pick(VALUES)
            };
            out.replace_range(start..start + len, token);
            *bytes = out.into_bytes();
        }
        0 => {
            // Flip a byte (may break UTF-8).
            if !bytes.is_empty() {
                let i = rng.below(bytes.len());
                bytes[i] = rng.next() as u8;
            }
        }
        1 | 2 => {
            // Insert a token.
            let i = at(rng, bytes.len());
            let t = rng.word(TOKENS).as_bytes().to_vec();
            bytes.splice(i..i, t);
        }
        3 => {
            // Truncate.
            let i = at(rng, bytes.len());
            bytes.truncate(i);
        }
        _ => {
            // Line edits: delete, duplicate, swap, indent, replace a value.
            let text = String::from_utf8_lossy(bytes).into_owned();
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            if lines.is_empty() {
                return;
            }
            let i = rng.below(lines.len());
            match rng.below(5) {
                0 => {
                    lines.remove(i);
                }
                1 => {
                    let l = lines[i].clone();
                    lines.insert(i, l);
                }
                2 => {
                    let j = rng.below(lines.len());
                    lines.swap(i, j);
                }
                3 => {
                    if rng.below(2) == 0 {
                        lines[i].insert_str(0, "  ");
                    } else {
                        lines[i] = lines[i].trim_start().to_string();
                    }
                }
                _ => {
                    if let Some(colon) = lines[i].find(": ") {
                        lines[i].truncate(colon + 2);
                        lines[i].push_str(rng.word(TOKENS));
                    }
                }
            }
            *bytes = (lines.join("\n") + "\n").into_bytes();
        }
    }
}

/// A diagnostic is located when it names the file it is about and a place inside it.
/// `Diagnostic::new` keeps a lost position as line 0 (it no longer clamps it to 1:1), so a
/// diagnostic that lost its place on the way fails here.
fn assert_located(d: &Diagnostic, file: &str, text: &[u8], context: &str) {
    // YAML breaks lines at LF, CRLF and a lone CR.
    let text = String::from_utf8_lossy(text);
    let lines = text.matches('\n').count() + text.matches('\r').count() - text.matches("\r\n").count() + 1;
    assert_eq!(d.file, file, "diagnostic about another file: {d:?}\n{context}");
    assert!(
        d.line >= 1 && d.line <= lines + 1 && d.column >= 1,
        "diagnostic outside the file ({lines} lines): {d:?}\n{context}"
    );
    assert!(
        !d.message.is_empty() && !d.help.is_empty(),
        "diagnostic without words: {d:?}"
    );
}

const RICH_SCOPE: &str = r#"kind: scope
id: rich
client:
  name: Rich Client
  contact: A. Owner
  profile: { hipaa: none, employees: 12, states: [NY] }
provider: { name: Test MSP, contract: MSA-1, baa_signed: 2026-01-15 }
model: co-managed
frameworks: [mini]
services:
  - ref: backup
  - ref: msp-access
sla:
  p1_response: 1h
  p2_response: 4h
  p3_response: next-business-day
  incident_notification: 2bd
  client_margin: 24h
parties:
  - { id: cloud, name: Cloud Co, kind: cloud-provider, baa: true }
assignments:
  - control: mini:S.2
    responsible: [msp, client]
    accountable: client
    consulted: [cloud]
    msp: Run backups.
    client: Review restores.
  - { control: "mini:S.4", responsible: cloud, third_party: MFA in the portal. }
client_owned:
  - { control: "mini:S.1", duty: The owner approves access. }
not_applicable:
  - { control: "mini:S.3", reason: No shared workstations. }
addressable:
  - { control: "mini:S.3", decision: alternative, rationale: None shared, alternative: Screen locks. }
evidence:
  - file: evidence/report.md
    controls: ["mini:S.2"]
    owner: msp
    effective: 2026-01-01
    sha256: "0000000000000000000000000000000000000000000000000000000000000000"
waivers:
  - finding: CM001
    control: mini:S.1
    justification: In progress.
    compensating: Weekly review.
    approver: A. Owner
    ticket: T-1
    expires: 2026-12-31
"#;

const HOUSE_POLICY: &str = r#"kind: policy
id: house
title: House rules
framework: mini
rules:
  - code: X001
    kind: custom
    severity: low
    title: MSP alone
    when: "row.summary == 'msp' and row.requirement is none"
    message: "{{ row.control }} is the MSP's alone ({{ scope.client.name }})"
  - code: X002
    kind: evidence-stale
    severity: medium
    params: { max_age_days: 90 }
"#;

fn workspace(name: &str) -> Scratch {
    let s = Scratch::copy_of(&fixture("findings"), name);
    s.write(
        "ws/ctrlmap.yaml",
        "kind: config\nfail_on: high\nseverity: { CM006: low, waiver-expired: critical }\n",
    );
    s.write("ws/policies/house.yaml", HOUSE_POLICY);
    s.write("ws/evidence/report.md", "# Restore test\nAll good.\n");
    s.write("ws/scopes/rich.yaml", RICH_SCOPE);
    s.write("ws/packages/tier.yaml", TIER_PACKAGE);
    s.write("ws/parties/vault.yaml", VAULT_PARTY);
    s.write("ws/scopes/packaged.yaml", PACKAGED_SCOPE);
    s
}

/// A package with every field, a party declared for the workspace, and a scope on them.
const TIER_PACKAGE: &str = "kind: package
id: tier
name: Test tier
description: Every field of a package.
model: co-managed
services: [{ref: backup}]
sla: {incident_notification: 24h, p1_response: 1h}
parties: [vault]
assignments:
  - {control: \"mini:S.1\", responsible: [msp, vault], msp: Grant access., third_party: Keep the vault.}
client_owned:
  - {control: \"mini:S.2\", duty: Keep backups.}
not_applicable: []
addressable:
  - {control: \"mini:S.3\", decision: implemented}
evidence:
  - {file: evidence/report.md, controls: [\"mini:S.2\"], owner: msp, effective: 2026-10-01}
";

const VAULT_PARTY: &str = "kind: party
id: vault
name: Vault storage
category: subcontractor
engaged_by: msp
ephi: true
baa: true
performs: Keeps the offsite copy.
";

const PACKAGED_SCOPE: &str = "kind: scope
id: packaged
client: {name: Packaged client, profile: {}}
provider: {name: Test MSP}
package: tier
frameworks: [mini]
parties: [vault]
assignments:
  - {control: \"mini:S.3\", responsible: client, client: Log off idle sessions.}
  - {control: \"mini:S.4\", responsible: client, client: Use MFA.}
";

/// Run `f` on a worker thread; fail the test if it panics or takes longer than `limit`.
fn bounded<T: Send + 'static>(what: String, limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(catch_unwind(AssertUnwindSafe(f)));
    });
    match rx.recv_timeout(limit) {
        Ok(Ok(value)) => value,
        Ok(Err(_)) => panic!("a panic on {what}"),
        Err(_) => panic!("a hang (over {limit:?}) on {what}"),
    }
}

/// Assess a scope that loaded cleanly, with the workspace's policies (custom rule included);
/// returns the custom rules that failed at run time (E021).
fn assess(ws: &Loaded, scope: &ctrlmap::model::Scope) -> Vec<ctrlmap::model::diagnostic::Diagnostic> {
    let a = ctrlmap::assess::assess_scope(
        ws,
        scope,
        &ctrlmap::cli::overrides(ws),
        time::macros::date!(2026 - 11 - 30),
    );
    for f in &a.findings {
        assert!(!f.code.is_empty() && f.line >= 1, "finding without place: {f:?}");
    }
    a.failures
}

#[test]
fn thousands_of_mutated_workspaces_never_panic_hang_or_lose_a_location() {
    let s = workspace("mutation-scopes");
    let root = s.ws();
    let ws = std::sync::Arc::new(Loaded::load(&root).expect("loads"));
    assert!(
        ws.diagnostics.is_empty(),
        "the base workspace is clean: {:?}",
        ws.diagnostics
    );
    assert_eq!(ws.scopes.len(), 16);
    for scope in &ws.scopes {
        assert!(assess(&ws, scope).is_empty());
    }

    let scopes: Vec<(String, Vec<u8>)> = [
        "rich",
        "packaged",
        "cm001-fires",
        "cm002-fires",
        "cm003-fires",
        "cm005-fires",
        "weak-link",
    ]
    .iter()
    .map(|id| {
        let rel = format!("scopes/{id}.yaml");
        let bytes = std::fs::read(root.join(&rel)).expect("scope");
        (rel, bytes)
    })
    .collect();
    let runs: usize = std::env::var("CTRLMAP_MUTATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3000);
    let mut rng = Rng(0x5EED_C0DE_2026_1130);
    let mut cases = Vec::with_capacity(runs);
    for _ in 0..runs {
        // Half the cases start from the scope that uses every field.
        let (rel, base) = if rng.below(2) == 0 {
            scopes[0].clone()
        } else {
            rng.pick(&scopes).clone()
        };
        let mut bytes = base;
        for _ in 0..=rng.below(3) {
            mutate(&mut rng, &mut bytes);
        }
        cases.push((rel, bytes));
    }
    // Two workers, each case under its own deadline.
    let clean = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for part in cases.chunks(cases.len().div_ceil(2).max(1)) {
            let ws = std::sync::Arc::clone(&ws);
            let clean = &clean;
            scope.spawn(move || {
                for (i, (rel, bytes)) in part.iter().enumerate() {
                    let context = format!("case {i} of {rel}:\n{}", String::from_utf8_lossy(bytes));
                    let (ws2, rel2, bytes2) = (std::sync::Arc::clone(&ws), rel.clone(), bytes.clone());
                    let (scope, diagnostics, failures) = bounded(context.clone(), Duration::from_secs(20), move || {
                        let (scope, diagnostics) = ws2.check_scope_bytes(&rel2, bytes2);
                        let failures = match &scope {
                            Some(scope) => assess(&ws2, scope),
                            None => Vec::new(),
                        };
                        (scope.is_some(), diagnostics, failures)
                    });
                    for d in &diagnostics {
                        assert_located(d, rel, bytes, &context);
                    }
                    for d in failures {
                        assert_eq!(d.file, "policies/house.yaml", "{d:?}");
                    }
                    if scope {
                        clean.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            });
        }
    });
    // The mutations are not all rejected: some still load and are assessed.
    let clean = clean.into_inner();
    assert!(
        clean > runs / 20 && clean < runs,
        "{clean} of {runs} mutated scopes loaded cleanly"
    );
}

/// Every plain scalar value of the rich scope (`key: value` on a line of its own), replaced
/// with a list: a wrong type wherever a single value is expected. The diagnostic must point at
/// the replaced value itself (its line and column, counted here from the text), not merely
/// somewhere in the file.
#[test]
fn a_value_of_the_wrong_type_is_reported_at_its_own_line_and_column() {
    let s = workspace("mutation-located");
    let ws = Loaded::load(&s.ws()).expect("loads");
    assert!(ws.diagnostics.is_empty(), "{:?}", ws.diagnostics);
    // Keys whose value may also be a list.
    let skipped = ["responsible", "consulted", "informed", "controls"];
    let mut checked = 0;
    let mut misplaced = Vec::new();
    for (i, line) in RICH_SCOPE.lines().enumerate() {
        let Some((key, value)) = line.split_once(": ") else {
            continue;
        };
        let key = key.trim_start().trim_start_matches("- ");
        // Block style only: a flow mapping (`- { id: …, … }`) has more than one value per line.
        if key.contains('{') || value.is_empty() || value.starts_with(['[', '{', '|', '>']) || skipped.contains(&key) {
            continue;
        }
        let (line_no, column) = (i + 1, line.len() - value.len() + 1);
        let mutated = format!("{}{}\n", &line[..line.len() - value.len()], "[]");
        let text: String = RICH_SCOPE
            .lines()
            .enumerate()
            .map(|(j, l)| if j == i { mutated.clone() } else { format!("{l}\n") })
            .collect();
        let (_, diagnostics) = ws.check_scope_bytes("scopes/rich.yaml", text.into_bytes());
        let places: Vec<(usize, usize)> = diagnostics.iter().map(|d| (d.line, d.column)).collect();
        if !places.contains(&(line_no, column)) {
            misplaced.push(format!(
                "`{key}` on line {line_no} replaced with `[]`: a diagnostic at {line_no}:{column} expected, got {:?}",
                diagnostics
                    .iter()
                    .map(|d| format!("{}:{} {:?} {}", d.line, d.column, d.code, d.message))
                    .collect::<Vec<_>>()
            ));
        }
        checked += 1;
    }
    assert!(misplaced.is_empty(), "{}", misplaced.join("\n"));
    assert!(checked >= 20, "only {checked} values checked");
}

#[test]
fn mutated_config_services_and_policies_never_panic_hang_or_lose_a_location() {
    let s = workspace("mutation-files");
    let root = s.ws();
    let files = [
        "ctrlmap.yaml",
        "policies/house.yaml",
        "services/backup.yaml",
        "services/msp-access.yaml",
        "frameworks/mini.yaml",
        "frameworks/crosswalks/mini-to-csf-2.0.yaml",
        "packages/tier.yaml",
        "parties/vault.yaml",
    ];
    let originals: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(root.join(f)).expect("file"))
        .collect();
    let runs: usize = std::env::var("CTRLMAP_MUTATIONS")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
        .map_or(120, |n| n / 25);
    let mut rng = Rng(0x0BAD_F00D_2026_1130);
    for i in 0..runs {
        let which = rng.below(files.len());
        let mut bytes = originals[which].clone();
        for _ in 0..=rng.below(3) {
            mutate(&mut rng, &mut bytes);
        }
        std::fs::write(root.join(files[which]), &bytes).expect("write");
        let context = format!("case {i} of {}:\n{}", files[which], String::from_utf8_lossy(&bytes));
        let root2 = root.clone();
        let (ws, failures) = bounded(context.clone(), Duration::from_secs(30), move || {
            let ws = Loaded::load(&root2).expect("the folder exists");
            let mut failures = Vec::new();
            if ws.diagnostics.is_empty() {
                for scope in &ws.scopes {
                    failures.extend(assess(&ws, scope));
                }
            }
            (ws, failures)
        });
        for d in ws.diagnostics.iter().chain(&failures) {
            // A built-in file can be blamed when a mutated catalog replaced the one it names.
            let text = match d.file.strip_prefix("<builtin>/") {
                Some(path) => ctrlmap::fs::embedded::get(path)
                    .unwrap_or_else(|| panic!("no such built-in file: {d:?}"))
                    .as_bytes()
                    .to_vec(),
                None => std::fs::read(root.join(&d.file)).unwrap_or_else(|_| panic!("no such file: {d:?}\n{context}")),
            };
            assert_located(d, &d.file, &text, &context);
        }
        std::fs::write(root.join(files[which]), &originals[which]).expect("restore");
    }
}

/// Every entry of a zip (names and bytes), or none when it cannot be read whole.
fn zip_contents(bytes: &[u8]) -> Option<Vec<(Vec<u8>, Vec<u8>)>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    (0..archive.len())
        .map(|i| {
            let mut e = archive.by_index(i).ok()?;
            let mut out = Vec::new();
            std::io::Read::read_to_end(&mut e, &mut out).ok()?;
            Some((e.name_raw().to_vec(), out))
        })
        .collect()
}

/// Packs an attacker made (issue 21) and packs with random bytes changed: `pack verify` never
/// panics, never hangs, never passes a hostile pack, and passes a mutated one only when every
/// file it holds is still the genuine file.
#[test]
fn mutated_and_hostile_packs_never_panic_hang_or_pass_as_genuine() {
    use support::hostile_zip::{self, Entry, zip, zip_sharing};
    let s = Scratch::new("mutation-packs");
    let ws = Loaded::load(&example()).expect("example loads");
    let scope = ws.scopes.iter().find(|x| x.id == "riverside-dental").expect("scope");
    let as_of = time::macros::date!(2026 - 11 - 30);
    let assessment = ctrlmap::assess::assess_scope(&ws, scope, &ctrlmap::cli::overrides(&ws), as_of);
    ctrlmap::emit::pack::pack(&ws, scope, &assessment, as_of, &s.join("pack"), true).expect("pack");
    let genuine_bytes = std::fs::read(s.path().join("pack.zip")).expect("zip");
    let genuine = zip_contents(&genuine_bytes).expect("genuine zip reads");
    let entries = || -> Vec<Entry> { genuine.iter().map(|(n, b)| Entry::file(n.clone(), b.clone())).collect() };
    let verify_bytes = |what: String, bytes: Vec<u8>| {
        let path = s.path().join("case.zip");
        std::fs::write(&path, &bytes).expect("write");
        bounded(what, Duration::from_secs(60), move || {
            ctrlmap::emit::pack::verify_path(&path, None)
        })
    };

    // The hostile cases: each must fail.
    let index = genuine
        .iter()
        .position(|(n, _)| n == b"pack/index.html")
        .expect("index");
    let evidence = b"pack/files/evidence/riverside-2026-q3-restore-test.md".to_vec();
    let mut hostile: Vec<(&str, Vec<u8>)> = Vec::new();
    let mut forged = entries();
    forged.insert(index, Entry::file("pack/index.html", "<p>All clear.</p>"));
    hostile.push(("a forged entry before the genuine one", zip(&forged)));
    let names: Vec<Vec<u8>> = (0..10_000)
        .map(|i| format!("pack/files/x{i}.pdf").into_bytes())
        .collect();
    hostile.push((
        "a bomb of 10,000 entries",
        zip_sharing(&Entry::zeros("pack/files/x.pdf", 400 << 20), &names),
    ));
    let mut overrun = entries();
    for e in overrun.iter_mut().filter(|e| e.name == evidence) {
        let size = genuine
            .iter()
            .find(|(n, _)| *n == evidence)
            .map(|(_, b)| b.len() as u64);
        *e = Entry {
            declared: size,
            ..Entry::zeros(evidence.clone(), 400 << 20)
        };
    }
    hostile.push(("an entry that inflates past its size", zip(&overrun)));
    let mut edited = entries();
    for e in edited.iter_mut().filter(|e| e.name == evidence) {
        e.body = hostile_zip::Body::Bytes(b"# Restore test\nEverything restored.\n".to_vec());
    }
    hostile.push(("edited evidence", zip(&edited)));
    for (label, name) in [
        ("a name that is not UTF-8", b"pack/files/\xff.md".to_vec()),
        ("a name with a newline", b"pack/files/a\nb.md".to_vec()),
        ("a name outside the pack", b"pack/../escape.md".to_vec()),
    ] {
        let mut extra = entries();
        extra.push(Entry::file(name, "x"));
        hostile.push((label, zip(&extra)));
    }
    let mut link = entries();
    link.push(Entry {
        mode: 0o120777,
        ..Entry::file("pack/files/evidence/link.md", "/etc/passwd")
    });
    hostile.push(("a link inside", zip(&link)));
    for (label, bytes) in hostile {
        let report = verify_bytes(label.to_string(), bytes);
        assert!(!report.ok(), "{label} must fail: {report}");
    }

    // Random changes to the genuine zip's bytes.
    let mut rng = Rng(0x21_21_21);
    let runs: usize = std::env::var("CTRLMAP_PACK_MUTATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(150);
    for n in 0..runs {
        let mut bytes = genuine_bytes.clone();
        for _ in 0..=rng.below(3) {
            match rng.below(4) {
                0 if !bytes.is_empty() => {
                    let i = rng.below(bytes.len());
                    bytes[i] ^= 1 << rng.below(8);
                }
                1 => {
                    let i = rng.below(bytes.len() + 1);
                    bytes.insert(i, rng.next() as u8);
                }
                2 if !bytes.is_empty() => {
                    let i = rng.below(bytes.len());
                    bytes.remove(i);
                }
                _ => {
                    let i = rng.below(bytes.len() + 1);
                    bytes.truncate(i);
                }
            }
        }
        let report = verify_bytes(format!("pack mutation {n}"), bytes.clone());
        if report.ok() {
            let files = |c: Vec<(Vec<u8>, Vec<u8>)>| c.into_iter().collect::<std::collections::BTreeMap<_, _>>();
            assert!(
                zip_contents(&bytes).map(files) == Some(files(genuine.clone())),
                "mutation {n} passed but its files are not the genuine ones"
            );
        }
    }
}
