//! `ctrlmap import oscal`: the exported component definition and the provider's plan come
//! back as the same services (evidence and options included; the matrices do not change),
//! NIST's leveraged-system example comes in with the provided and customer-responsibility
//! statements of its AC-2, another tool's provider and customer statements land in `msp:` and
//! `client:`, what is not carried over is a warning naming it, and bad input is refused with
//! rustc-style diagnostics before anything is written.

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use support::{Scratch, copy_dir, ctrlmap, fixture};

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

const NIST: &str = "oscal/nist-leveraged/oscal_leveraged-example_ssp.json";

/// A service file as YAML → JSON (through ctrlmap's own reader, as `check` reads it).
fn service(file: &Path) -> Value {
    let text = std::fs::read_to_string(file).expect("service file");
    let parsed = ctrlmap::format::yaml::parse(&text, Default::default());
    assert!(parsed.problems.is_empty(), "{}: {:?}", file.display(), parsed.problems);
    parsed.root.expect("document").to_json()
}

/// A matrix with the line numbers inside the services' files taken out (the imported files
/// are laid out differently, so their claims sit on other lines; everything else must match).
fn matrix_without_service_lines(scope_file: &Path) -> Value {
    let run = ctrlmap(["matrix", path(scope_file), "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut text = String::new();
    let mut rest = run.stdout.as_str();
    while let Some(i) = rest.find("services/") {
        let (head, tail) = rest.split_at(i);
        text.push_str(head);
        let end = tail.find(".yaml").map_or(tail.len(), |e| e + 5);
        text.push_str(&tail[..end]);
        rest = &tail[end..];
        // `services/x.yaml:35` in a detail, or `"line": 35` right after `"file": "services/x.yaml",`.
        if let Some(stripped) = rest.strip_prefix(':') {
            let digits = stripped.chars().take_while(char::is_ascii_digit).count();
            text.push_str(":N");
            rest = &stripped[digits..];
        } else if let Some(after) = rest.strip_prefix("\",\n") {
            let indent: String = after.chars().take_while(|c| *c == ' ').collect();
            let line_key = format!("{indent}\"line\": ");
            if let Some(num) = after.strip_prefix(&line_key) {
                let digits = num.chars().take_while(char::is_ascii_digit).count();
                text.push_str(&format!("\",\n{line_key}0"));
                rest = &num[digits..];
            }
        }
    }
    text.push_str(rest);
    serde_json::from_str(&text).expect("matrix JSON")
}

/// The fields of a service file that say what the service is and does, claims in order.
fn service_facts(file: &Path) -> Value {
    let mut s = service(file);
    if let Some(map) = s.as_object_mut() {
        map.retain(|k, _| ["id", "name", "tower", "description", "ephi", "options", "controls"].contains(&k.as_str()));
    }
    for c in s["controls"].as_array_mut().into_iter().flatten() {
        for side in ["msp", "client"] {
            if let Some(t) = c[side].as_str() {
                c[side] = Value::String(t.trim().to_string());
            }
        }
    }
    s
}

/// Acceptance 3 of issue 23: export, then import the component definition and the provider's
/// plan: the same services (evidence and options included), so the same matrices and findings.
#[test]
fn the_exported_component_definition_and_providers_plan_import_into_the_same_services() {
    let example = support::example();
    let out_scratch = Scratch::new("oscal-import-roundtrip-export");
    let out = out_scratch.join("out");
    let run = ctrlmap([
        "export",
        "oscal",
        "examples/northwind-msp",
        "-o",
        path(&out),
        "--as-of",
        "2026-11-30",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for (document, expected_warnings) in [
        ("component-definition.json", vec![]),
        (
            "provider/ssp.json",
            vec![
                "`system-characteristics` is not carried over",
                "`components` (title `Northwind Managed IT: managed services`) is not carried over",
                "`components` (title `Offsite backup storage provider (immutable object storage, second region)`) is not carried over",
                "`components` (title `Managed SOC and SIEM platform provider`) is not carried over",
                "`users` is not carried over",
            ],
        ),
    ] {
        // An empty workspace with the example's config, packages, parties, scopes and evidence, and
        // no services.
        let ws_scratch = Scratch::new("oscal-import-roundtrip-ws");
        let ws = ws_scratch.join("ws");
        std::fs::create_dir_all(&ws).expect("mkdir");
        std::fs::copy(example.join("ctrlmap.yaml"), ws.join("ctrlmap.yaml")).expect("config");
        for folder in ["packages", "parties", "scopes", "evidence"] {
            copy_dir(&example.join(folder), &ws.join(folder));
        }
        // No --tower: ctrlmap's documents say each service's tower.
        let run = ctrlmap(["import", "oscal", path(&out.join(document)), "-o", path(&ws)]);
        assert_eq!(run.code, 0, "{document}: {}{}", run.stdout, run.stderr);
        let warnings: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("warning")).collect();
        assert_eq!(warnings.len(), expected_warnings.len(), "{document}: {}", run.stderr);
        for w in &expected_warnings {
            assert!(run.stderr.contains(w), "{document}: want {w}\n{}", run.stderr);
        }
        let mut services: Vec<String> = std::fs::read_dir(ws.join("services"))
            .expect("services")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        services.sort();
        assert_eq!(services.len(), 14, "{services:?}");
        for name in &services {
            let before = service_facts(&example.join("services").join(name));
            let after = service_facts(&ws.join("services").join(name));
            assert!(before == after, "{document}: {name} differs:\n{before}\n{after}");
        }
        for scope in ["cedar-tax-services", "hudson-valley-insurance", "riverside-dental"] {
            let before = matrix_without_service_lines(&example.join(format!("scopes/{scope}.yaml")));
            let after = matrix_without_service_lines(&ws.join(format!("scopes/{scope}.yaml")));
            assert!(
                before == after,
                "{document}: {scope}: the matrix changed after the round trip"
            );
        }
        let before = ctrlmap([
            "check",
            "examples/northwind-msp",
            "--as-of",
            "2026-11-30",
            "--format",
            "json",
        ]);
        let after = ctrlmap(["check", path(&ws), "--as-of", "2026-11-30", "--format", "json"]);
        assert_eq!(before.code, after.code);
        let findings = |text: &str| -> Vec<(String, String, String, String)> {
            let v: Value = serde_json::from_str(text).expect("check JSON");
            v["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .map(|f| {
                    let field = |k: &str| f[k].as_str().unwrap_or_default().to_string();
                    (field("scope"), field("control"), field("code"), field("fingerprint"))
                })
                .collect()
        };
        assert_eq!(findings(&before.stdout), findings(&after.stdout), "{document}");
    }
    // A client's plan exports nothing: there is nothing in it to import, and it says why.
    let ws_scratch = Scratch::new("oscal-import-roundtrip-client");
    let ws = ws_scratch.join("ws");
    let run = ctrlmap([
        "import",
        "oscal",
        path(&out.join("scopes/riverside-dental/ssp.json")),
        "-o",
        path(&ws),
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("it is a customer's plan"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("warning"),
        "no noise about what is not carried: {}",
        run.stderr
    );
}

#[test]
fn nists_leveraged_example_imports_with_the_provided_and_customer_responsibility_statements_of_ac_2() {
    let ws = Scratch::copy_of(&fixture("oscal/nist-leveraged/workspace"), "nist-import");
    let file = fixture(NIST);
    // The plan does not say what tower its services belong to: the user says it.
    let run = ctrlmap(["import", "oscal", path(&file), "-o", path(&ws.ws())]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("error[E005]: component `Application` does not say which tower"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("pass `--tower`"), "{}", run.stderr);
    assert!(!ws.ws().join("services").exists(), "nothing written");
    let run = ctrlmap([
        "import",
        "oscal",
        path(&file),
        "-o",
        path(&ws.ws()),
        "--tower",
        "managed-cloud",
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // From NIST's example (AC-2, statement a.): the application component provides a
    // capability and leaves a responsibility with the customer; "This System" leaves one.
    let provided = "Consumer-appropriate description of what may be inherited.\n\nIn the context of the application component in satisfaction of AC-2, part a.";
    let responsibility = "Leveraging system's responsibilities with respect to inheriting this capability.\n\nIn the context of the application component in satisfaction of AC-2, part a.";
    // Named as the components are, not after the provider's system.
    let application = service(&ws.ws().join("services/application.yaml"));
    assert_eq!(application["name"], "Application");
    assert_eq!(application["tower"], "managed-cloud");
    let claim = &application["controls"][0];
    assert_eq!(claim["control"], "sp800-53-rev4:ac-2");
    assert_eq!(claim["split"], "shared");
    assert_eq!(claim["msp"], provided);
    assert_eq!(claim["client"], responsibility);
    let system = service(&ws.ws().join("services/this-system.yaml"));
    let claim = &system["controls"][0];
    assert_eq!(claim["split"], "client");
    assert_eq!(claim["client"], responsibility);
    assert!(claim["msp"].is_null());
    // The workspace is valid with the imported services.
    let run = ctrlmap(["validate", path(&ws.ws())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn an_unknown_control_id_is_a_warning_with_its_line_and_column() {
    let ws_scratch = Scratch::new("oscal-import-unknown");
    let ws = ws_scratch.join("ws");
    std::fs::create_dir_all(&ws).expect("mkdir");
    let file = fixture(NIST);
    let run = ctrlmap([
        "import",
        "oscal",
        path(&file),
        "-o",
        path(&ws),
        "--tower",
        "managed-cloud",
    ]);
    // Without the SP 800-53 excerpt, ac-2 is unknown and nothing is left to import.
    assert_eq!(run.code, 2, "{}", run.stderr);
    let text = std::fs::read_to_string(&file).expect("fixture");
    let (line, column) = text
        .lines()
        .enumerate()
        .find_map(|(i, l)| {
            l.find("\"control-id\": \"ac-2\"")
                .map(|c| (i + 1, c + "\"control-id\": ".len() + 1))
        })
        .expect("the control-id in NIST's file");
    assert!(
        run.stderr
            .contains("warning[E009]: control `ac-2` is not in ctrlmap's catalogs"),
        "{}",
        run.stderr
    );
    let place = format!("--> {}:{line}:{column}", file.display());
    assert!(run.stderr.contains(&place), "want {place}\n got {}", run.stderr);
    assert!(!ws.join("services").exists(), "nothing written");
}

#[test]
fn a_component_definition_from_another_tool_imports_by_its_roles() {
    let ws_scratch = Scratch::new("oscal-import-foreign");
    let ws = ws_scratch.join("ws");
    std::fs::create_dir_all(&ws).expect("mkdir");
    let file = ws.join("vendor.json");
    let doc = serde_json::json!({
        "component-definition": {
            "uuid": "8a0d5c1e-5d7e-4c60-9a9e-1b8f7d1a2b3c",
            "metadata": { "title": "Vendor", "last-modified": "2026-01-01T00:00:00Z", "version": "1", "oscal-version": "1.1.3" },
            "components": [{
                "uuid": "0b6f3a52-9d0c-4a8e-8f43-2f1c8c0e7d11",
                "type": "service",
                "title": "Vendor Mail Filter",
                "description": "Filters mail.",
                "control-implementations": [{
                    "uuid": "3c9e8f0a-7b6d-4e5f-9a1b-2c3d4e5f6a7b",
                    "source": "https://example.org/csf.json",
                    "description": "CSF",
                    "implemented-requirements": [
                        { "uuid": "1e2f3a4b-5c6d-4e7f-8a9b-0c1d2e3f4a5b", "control-id": "DE.CM-09", "description": "Scans every inbound message for malware." },
                        { "uuid": "2e2f3a4b-5c6d-4e7f-8a9b-0c1d2e3f4a5b", "control-id": "PR.AT-01",
                          "description": "Customers train their staff.",
                          "responsible-roles": [{ "role-id": "customer" }] },
                        { "uuid": "3e2f3a4b-5c6d-4e7f-8a9b-0c1d2e3f4a5b", "control-id": "xx-9", "description": "Unknown." }
                    ]
                }]
            }]
        }
    });
    std::fs::write(&file, serde_json::to_string_pretty(&doc).expect("json")).expect("write");
    let run = ctrlmap([
        "import",
        "oscal",
        path(&file),
        "-o",
        path(&ws),
        "--tower",
        "managed-security",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("warning[E009]: control `xx-9`"), "{}", run.stderr);
    let s = service(&ws.join("services/vendor-mail-filter.yaml"));
    assert_eq!(s["controls"][0]["control"], "csf-2.0:DE.CM-09");
    assert_eq!(s["controls"][0]["split"], "msp");
    assert_eq!(s["controls"][0]["msp"], "Scans every inbound message for malware.");
    assert_eq!(s["controls"][1]["split"], "client");
    assert_eq!(s["controls"][1]["client"], "Customers train their staff.");
    // A second import replaces the file it wrote; a file the user wrote is never replaced.
    let run = ctrlmap([
        "import",
        "oscal",
        path(&file),
        "-o",
        path(&ws),
        "--tower",
        "managed-security",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // A service file the user wrote by hand, with the same name.
    let mine = "kind: service\nid: vendor-mail-filter\nname: Mine\ntower: managed-security\ndescription: Written by hand.\ncontrols:\n  - control: csf-2.0:DE.CM-09\n    split: msp\n";
    std::fs::write(ws.join("services/vendor-mail-filter.yaml"), mine).expect("write");
    let run = ctrlmap([
        "import",
        "oscal",
        path(&file),
        "-o",
        path(&ws),
        "--tower",
        "managed-security",
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("never replaced"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(ws.join("services/vendor-mail-filter.yaml")).expect("kept"),
        mine
    );
}

#[test]
fn bad_json_and_documents_that_are_not_oscal_are_refused_with_their_place() {
    let ws_scratch = Scratch::new("oscal-import-bad");
    let ws = ws_scratch.join("ws");
    std::fs::create_dir_all(&ws).expect("mkdir");
    let bad = ws.join("bad.json");
    std::fs::write(&bad, "{\n  \"component-definition\": {\n    \"uuid\": oops\n  }\n}\n").expect("write");
    let run = ctrlmap(["import", "oscal", path(&bad), "-o", path(&ws)]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("error[E001]: not valid JSON"), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("--> {}:3:13", bad.display())),
        "{}",
        run.stderr
    );
    let other = ws.join("other.json");
    std::fs::write(&other, "{\"catalog\": {}}").expect("write");
    let run = ctrlmap(["import", "oscal", path(&other), "-o", path(&ws)]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("error[E014]: not an OSCAL component definition or system security plan"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("other.json:1:1"), "{}", run.stderr);
    let run = ctrlmap(["import", "oscal", path(&ws.join("missing.json")), "-o", path(&ws)]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("missing.json: does not exist"), "{}", run.stderr);
}

#[test]
fn no_shape_of_a_value_makes_import_panic() {
    // Every value of NIST's example and of an exported component definition replaced, one at a
    // time, by each other kind of JSON value: import answers (services, warnings or a located
    // error) and never panics.
    let ws = ctrlmap::load::Loaded::builtin().expect("built-in catalogs");
    let tokens = ctrlmap::format::oscal_ids::Tokens::new(&ws).expect("tokens");
    let nist = std::fs::read_to_string(fixture(NIST)).expect("fixture");
    let small_cd = serde_json::json!({"component-definition": {"uuid": "x", "components": [{"uuid": "u", "title": "T",
        "props": [{"ns": "https://ctrlmap.dev/ns/oscal", "name": "tower", "value": "managed-cloud"}],
        "control-implementations": [{"implemented-requirements": [{"control-id": "GV.OC-01",
            "props": [{"ns": "https://ctrlmap.dev/ns/oscal", "name": "split", "value": "shared"}],
            "statements": [{"responsible-roles": [{"role-id": "provider", "remarks": "m"}, {"role-id": "customer", "remarks": "c"}]}]}]}]}]}});
    for text in [nist, small_cd.to_string()] {
        let doc: Value = serde_json::from_str(&text).expect("json");
        let mut pointers = Vec::new();
        fn walk(v: &Value, at: String, out: &mut Vec<String>) {
            out.push(at.clone());
            match v {
                Value::Object(m) => m.iter().for_each(|(k, c)| walk(c, format!("{at}/{k}"), out)),
                Value::Array(a) => a
                    .iter()
                    .enumerate()
                    .for_each(|(i, c)| walk(c, format!("{at}/{i}"), out)),
                _ => {}
            }
        }
        walk(&doc, String::new(), &mut pointers);
        for pointer in pointers.iter().skip(1) {
            for replacement in [
                Value::Null,
                serde_json::json!(42),
                serde_json::json!([]),
                serde_json::json!({}),
                serde_json::json!(""),
            ] {
                let mut changed = doc.clone();
                *changed.pointer_mut(pointer).expect("pointer") = replacement;
                let text = serde_json::to_string_pretty(&changed).expect("json");
                let result = ctrlmap::load::oscal_import::import("fuzz.json", &text, &tokens, Some("managed-cloud"));
                if let Err(problems) = result {
                    assert!(!problems.is_empty(), "{pointer}");
                    for e in problems {
                        assert!(e.pos.line >= 1 && e.pos.column >= 1, "{pointer}: {e:?}");
                    }
                }
            }
        }
    }
}

/// A component definition with the given components (each `(title, props, requirements)`).
fn component_definition(components: Vec<Value>) -> Value {
    serde_json::json!({
        "component-definition": {
            "uuid": "8a0d5c1e-5d7e-4c60-9a9e-1b8f7d1a2b3c",
            "metadata": { "title": "Vendor", "last-modified": "2026-01-01T00:00:00Z", "version": "1", "oscal-version": "1.1.3" },
            "components": components,
        }
    })
}

fn vendor_component(title: &str, requirements: Vec<Value>) -> Value {
    serde_json::json!({
        "uuid": "0b6f3a52-9d0c-4a8e-8f43-2f1c8c0e7d11",
        "type": "service",
        "title": title,
        "description": "A vendor service.",
        "control-implementations": [{
            "uuid": "3c9e8f0a-7b6d-4e5f-9a1b-2c3d4e5f6a7b",
            "source": "https://example.org/csf.json",
            "description": "CSF",
            "implemented-requirements": requirements,
        }],
    })
}

fn write_json(dir: &Path, name: &str, doc: &Value) -> PathBuf {
    std::fs::create_dir_all(dir).expect("mkdir");
    let file = dir.join(name);
    std::fs::write(&file, serde_json::to_string_pretty(doc).expect("json")).expect("write");
    file
}

/// Issue 23, point 9: a provider statement and a customer statement on one control are the
/// two sides of a shared claim; roles are read by their OSCAL meaning; what is not carried over
/// is a warning that names it.
#[test]
fn another_tools_provider_and_customer_statements_become_each_sides_duty() {
    let ws_scratch = Scratch::new("oscal-import-statements");
    let ws = ws_scratch.join("ws");
    let doc = component_definition(vec![vendor_component(
        "Vendor Backup",
        vec![serde_json::json!({
            "uuid": "1e2f3a4b-5c6d-4e7f-8a9b-0c1d2e3f4a5b",
            "control-id": "PR.DS-11",
            "description": "Backups, at the statement level.",
            "set-parameters": [{ "param-id": "x", "values": ["y"] }],
            "props": [{ "name": "sort-id", "value": "001" }],
            "statements": [
                { "statement-id": "PR.DS-11_statement", "uuid": "2e2f3a4b-5c6d-4e7f-8a9b-0c1d2e3f4a5b",
                  "description": "The vendor backs up every database nightly.",
                  "responsible-roles": [{ "role-id": "maintainer" }] },
                { "statement-id": "PR.DS-11_smt.b", "uuid": "3e2f3a4b-5c6d-4e7f-8a9b-0c1d2e3f4a5b",
                  "description": "The customer tests a restore each quarter.",
                  "responsible-roles": [{ "role-id": "customer" }] },
            ],
        })],
    )]);
    let file = write_json(&ws, "vendor.json", &doc);
    let run = ctrlmap([
        "import",
        "oscal",
        path(&file),
        "-o",
        path(&ws),
        "--tower",
        "managed-infrastructure",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let s = service(&ws.join("services/vendor-backup.yaml"));
    let claim = &s["controls"][0];
    assert_eq!(claim["split"], "shared");
    assert_eq!(claim["msp"], "The vendor backs up every database nightly.");
    assert_eq!(claim["client"], "The customer tests a restore each quarter.");
    for dropped in [
        "warning[E003]: `set-parameters` is not carried over",
        "warning[E003]: `props` is not carried over",
        "warning[E003]: `description` is not carried over",
    ] {
        assert!(run.stderr.contains(dropped), "want {dropped}\n{}", run.stderr);
    }
    // A role ctrlmap cannot place is said, and read as the provider's.
    let mut odd = doc.clone();
    odd["component-definition"]["components"][0]["control-implementations"][0]["implemented-requirements"][0]["statements"]
        [0]["responsible-roles"][0]["role-id"] = Value::String("wizard".into());
    let file = write_json(&ws, "odd.json", &odd);
    let run = ctrlmap([
        "import",
        "oscal",
        path(&file),
        "-o",
        path(&ws),
        "--tower",
        "managed-infrastructure",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("warning[E007]: role `wizard` has no meaning ctrlmap knows"),
        "{}",
        run.stderr
    );
}

#[test]
fn two_components_that_would_be_one_service_are_refused_before_anything_is_written() {
    let ws_scratch = Scratch::new("oscal-import-duplicate");
    let ws = ws_scratch.join("ws");
    let mut second = vendor_component(
        "Mail Filter",
        vec![
            serde_json::json!({ "uuid": "1e2f3a4b-5c6d-4e7f-8a9b-0c1d2e3f4a5c", "control-id": "DE.CM-09", "description": "Scans mail." }),
        ],
    );
    second["uuid"] = Value::String("0b6f3a52-9d0c-4a8e-8f43-2f1c8c0e7d12".into());
    let doc = component_definition(vec![
        vendor_component(
            "Mail filter",
            vec![
                serde_json::json!({ "uuid": "1e2f3a4b-5c6d-4e7f-8a9b-0c1d2e3f4a5b", "control-id": "DE.CM-09", "description": "Scans mail." }),
            ],
        ),
        second,
    ]);
    let file = write_json(&ws, "vendor.json", &doc);
    let run = ctrlmap([
        "import",
        "oscal",
        path(&file),
        "-o",
        path(&ws),
        "--tower",
        "managed-security",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("error[E011]: two components would both be service `mail-filter`"),
        "{}",
        run.stderr
    );
    assert!(!ws.join("services").exists(), "nothing written");
}

#[test]
fn an_import_the_workspace_would_refuse_is_refused_before_writing() {
    let ws_scratch = Scratch::new("oscal-import-refused");
    let ws = ws_scratch.join("ws");
    // A title whose service id would make a file name longer than file systems allow, next to
    // a service that would be fine: neither is written.
    let long = "Very long service name ".repeat(12);
    let mut ok = vendor_component(
        "Fine",
        vec![
            serde_json::json!({ "uuid": "1e2f3a4b-5c6d-4e7f-8a9b-0c1d2e3f4a5c", "control-id": "DE.CM-09", "description": "Scans mail." }),
        ],
    );
    ok["uuid"] = Value::String("0b6f3a52-9d0c-4a8e-8f43-2f1c8c0e7d12".into());
    let doc = component_definition(vec![
        vendor_component(
            &long,
            vec![
                serde_json::json!({ "uuid": "1e2f3a4b-5c6d-4e7f-8a9b-0c1d2e3f4a5b", "control-id": "DE.CM-09", "description": "Scans mail." }),
            ],
        ),
        ok,
    ]);
    let file = write_json(&ws, "long.json", &doc);
    let run = ctrlmap([
        "import",
        "oscal",
        path(&file),
        "-o",
        path(&ws),
        "--tower",
        "managed-security",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("longer than file systems allow"), "{}", run.stderr);
    assert!(!ws.join("services").exists(), "nothing written");
    // A duty so long its service file would be over the 16 MiB ctrlmap reads.
    let big = "x".repeat(17 * 1024 * 1024);
    let doc = component_definition(vec![vendor_component(
        "Big",
        vec![
            serde_json::json!({ "uuid": "1e2f3a4b-5c6d-4e7f-8a9b-0c1d2e3f4a5b", "control-id": "DE.CM-09", "description": big }),
        ],
    )]);
    let file = write_json(&ws, "big.json", &doc);
    let run = ctrlmap([
        "import",
        "oscal",
        path(&file),
        "-o",
        path(&ws),
        "--tower",
        "managed-security",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("more than the 16777216 ctrlmap reads"),
        "{}",
        run.stderr
    );
    assert!(!ws.join("services").exists(), "nothing written");
}

/// Thousands of unknown control ids: every one is reported (the first ones with "did you
/// mean"), located in one pass over the file. `scripts/bench.sh` times it on a release build.
#[test]
fn eight_thousand_unknown_control_ids_are_all_reported() {
    let ws_scratch = Scratch::new("oscal-import-unknown-8k");
    let ws = ws_scratch.join("ws");
    let requirements: Vec<Value> = (0..8000)
        .map(|i| serde_json::json!({ "uuid": format!("1e2f3a4b-5c6d-4e7f-8a9b-{i:012}"), "control-id": format!("zz-{i}"), "description": "Unknown." }))
        .chain(std::iter::once(
            serde_json::json!({ "uuid": "1e2f3a4b-5c6d-4e7f-8a9b-0c1d2e3f4a5b", "control-id": "DE.CM-09", "description": "Scans mail." }),
        ))
        .collect();
    let doc = component_definition(vec![vendor_component("Mail filter", requirements)]);
    let file = write_json(&ws, "many.json", &doc);
    let run = ctrlmap([
        "import",
        "oscal",
        path(&file),
        "-o",
        path(&ws),
        "--tower",
        "managed-security",
    ]);
    assert_eq!(run.code, 0, "{}", &run.stderr[..run.stderr.len().min(2000)]);
    assert_eq!(run.stderr.matches("warning[E009]").count(), 8000);
    assert!(ws.join("services/mail-filter.yaml").is_file());
}

/// Issue 25, point 9: errors of `import oscal` are rustc-style diagnostics with their code and
/// the line of the file, named as every command names files: from the folder ctrlmap runs in.
#[test]
fn import_problems_are_diagnostics_with_codes_excerpts_and_the_usual_paths() {
    let dir_scratch = Scratch::new("oscal-import-diagnostics");
    let dir = dir_scratch.join("dir");
    std::fs::create_dir_all(dir.join("ws")).expect("mkdir");
    std::fs::write(
        dir.join("vendor.json"),
        "{\n  \"component-definition\": {\n    \"uuid\": oops\n  }\n}\n",
    )
    .expect("write");
    let run = support::ctrlmap_in(&dir, ["import", "oscal", "vendor.json", "-o", "ws"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("error[E001]: not valid JSON"), "{}", run.stderr);
    assert!(run.stderr.contains(" --> vendor.json:3:13"), "{}", run.stderr);
    assert!(
        run.stderr.contains("3 |     \"uuid\": oops"),
        "the line of the file: {}",
        run.stderr
    );
    assert!(run.stderr.contains("= help:"), "{}", run.stderr);
    // A problem in the target workspace is reported like every command reports it, with the
    // workspace's path from the folder ctrlmap runs in.
    std::fs::create_dir_all(dir.join("ws/services")).expect("mkdir");
    std::fs::write(dir.join("ws/services/bad.yaml"), "kind: service\nid: Bad Id\n").expect("write");
    std::fs::write(
        dir.join("ok.json"),
        serde_json::to_string(&component_definition(vec![])).expect("json"),
    )
    .expect("write");
    let run = support::ctrlmap_in(&dir, ["import", "oscal", "ok.json", "-o", "ws"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--> ws/services/bad.yaml:2:"), "{}", run.stderr);
    assert!(run.stderr.contains("nothing was imported"), "{}", run.stderr);
}
