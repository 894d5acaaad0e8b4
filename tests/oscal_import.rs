//! `ctrlmap import oscal`: an exported component definition comes back as the same services
//! (the matrices do not change), NIST's leveraged-system example comes in with the provided
//! and customer-responsibility statements of its AC-2, and bad input is refused with its place.

mod common;

use common::{Scratch, copy_dir, ctrlmap, fixture, root};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ctrlmap-oscal-import-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

const NIST: &str = "oscal/nist-leveraged/oscal_leveraged-example_ssp.json";

/// A service file as YAML → JSON (through ctrlmap's own reader, as `check` reads it).
fn service(file: &Path) -> Value {
    let text = std::fs::read_to_string(file).expect("service file");
    let parsed = ctrlmap::load::yaml::parse(&text, Default::default());
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

#[test]
fn an_exported_component_definition_imports_into_services_that_give_the_same_matrices() {
    let example = root().join("examples/northwind-msp");
    let out = temp("roundtrip-export");
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
    // An empty workspace with the example's config, packages, parties, scopes and evidence, and
    // no services.
    let ws = temp("roundtrip-ws");
    std::fs::create_dir_all(&ws).expect("mkdir");
    std::fs::copy(example.join("ctrlmap.yaml"), ws.join("ctrlmap.yaml")).expect("config");
    for folder in ["packages", "parties", "scopes", "evidence"] {
        copy_dir(&example.join(folder), &ws.join(folder));
    }
    let run = ctrlmap([
        "import",
        "oscal",
        path(&out.join("component-definition.json")),
        "-o",
        path(&ws),
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.is_empty(), "no warnings: {}", run.stderr);
    let services: Vec<String> = std::fs::read_dir(ws.join("services"))
        .expect("services")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(services.len(), 14, "{services:?}");
    for scope in ["cedar-tax-services", "hudson-valley-insurance", "riverside-dental"] {
        let before = matrix_without_service_lines(&example.join(format!("scopes/{scope}.yaml")));
        let after = matrix_without_service_lines(&ws.join(format!("scopes/{scope}.yaml")));
        assert!(before == after, "{scope}: the matrix changed after the round trip");
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
    assert_eq!(findings(&before.stdout), findings(&after.stdout));
    let _ = std::fs::remove_dir_all(&out);
    let _ = std::fs::remove_dir_all(&ws);
}

#[test]
fn nists_leveraged_example_imports_with_the_provided_and_customer_responsibility_statements_of_ac_2() {
    let ws = Scratch::copy_of(&fixture("oscal/nist-leveraged/workspace"), "nist-import");
    let file = fixture(NIST);
    // The plan does not say what tower its services belong to: the user says it.
    let run = ctrlmap(["import", "oscal", path(&file), "-o", path(&ws.0)]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("pass `--tower`"), "{}", run.stderr);
    let run = ctrlmap([
        "import",
        "oscal",
        path(&file),
        "-o",
        path(&ws.0),
        "--tower",
        "managed-cloud",
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // From NIST's example (AC-2, statement a.): the application component provides a
    // capability and leaves a responsibility with the customer; "This System" leaves one.
    let provided = "Consumer-appropriate description of what may be inherited.\n\nIn the context of the application component in satisfaction of AC-2, part a.";
    let responsibility = "Leveraging system's responsibilities with respect to inheriting this capability.\n\nIn the context of the application component in satisfaction of AC-2, part a.";
    let application = service(&ws.0.join("services/leveraged-iaas-system-application.yaml"));
    assert_eq!(application["name"], "Leveraged IaaS System: Application");
    assert_eq!(application["tower"], "managed-cloud");
    let claim = &application["controls"][0];
    assert_eq!(claim["control"], "sp800-53-rev4:ac-2");
    assert_eq!(claim["split"], "shared");
    assert_eq!(claim["msp"], provided);
    assert_eq!(claim["client"], responsibility);
    let system = service(&ws.0.join("services/leveraged-iaas-system-this-system.yaml"));
    let claim = &system["controls"][0];
    assert_eq!(claim["split"], "client");
    assert_eq!(claim["client"], responsibility);
    assert!(claim["msp"].is_null());
    // The workspace is valid with the imported services.
    let run = ctrlmap(["validate", path(&ws.0)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn an_unknown_control_id_is_a_warning_with_its_line_and_column() {
    let ws = temp("unknown");
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
    let expected = format!(
        "{}:{line}:{column}: warning: control `ac-2` is not in ctrlmap's catalogs",
        file.display()
    );
    assert!(run.stderr.contains(&expected), "want {expected}\n got {}", run.stderr);
    assert!(!ws.join("services").exists(), "nothing written");
    let _ = std::fs::remove_dir_all(&ws);
}

#[test]
fn a_component_definition_from_another_tool_imports_by_its_roles() {
    let ws = temp("foreign");
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
    assert!(run.stderr.contains("warning: control `xx-9`"), "{}", run.stderr);
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
    let _ = std::fs::remove_dir_all(&ws);
}

#[test]
fn bad_json_and_documents_that_are_not_oscal_are_refused_with_their_place() {
    let ws = temp("bad");
    std::fs::create_dir_all(&ws).expect("mkdir");
    let bad = ws.join("bad.json");
    std::fs::write(&bad, "{\n  \"component-definition\": {\n    \"uuid\": oops\n  }\n}\n").expect("write");
    let run = ctrlmap(["import", "oscal", path(&bad), "-o", path(&ws)]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains(&format!("{}:3:13: error: not valid JSON", bad.display())),
        "{}",
        run.stderr
    );
    let other = ws.join("other.json");
    std::fs::write(&other, "{\"catalog\": {}}").expect("write");
    let run = ctrlmap(["import", "oscal", path(&other), "-o", path(&ws)]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains(":1:1: error: not an OSCAL component definition or system security plan"),
        "{}",
        run.stderr
    );
    let run = ctrlmap(["import", "oscal", path(&ws.join("missing.json")), "-o", path(&ws)]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("missing.json: does not exist"), "{}", run.stderr);
    let _ = std::fs::remove_dir_all(&ws);
}

#[test]
fn no_shape_of_a_value_makes_import_panic() {
    // Every value of NIST's example and of an exported component definition replaced, one at a
    // time, by each other kind of JSON value: import answers (services, warnings or a located
    // error) and never panics.
    let ws = ctrlmap::load::Loaded::builtin().expect("built-in catalogs");
    let tokens = ctrlmap::emit::oscal::ids::Tokens::new(&ws).expect("tokens");
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
                let result = ctrlmap::emit::oscal::import::import("fuzz.json", &text, &tokens, Some("managed-cloud"));
                if let Err(e) = result {
                    assert!(e.pos.line >= 1 && e.pos.column >= 1, "{pointer}: {e:?}");
                }
            }
        }
    }
}
