//! The JSON Schemas editors use: the repository's `schemas/` are what the binary writes; the
//! control reference schema offers every control of the built-in catalogs (read here from
//! `frameworks/*.yaml`) with its title, and refuses an id they do not have; `init` maps every
//! file kind to its schema by folder (`.vscode/settings.json`); `validate` warns about a
//! `$schema` line that leads nowhere. The language server itself runs in
//! `tests/language_server.rs`.

mod support;

use serde_json::Value;
use std::collections::BTreeMap;
use support::*;

/// Every control of the built-in catalog files: `framework:id` → the description an editor
/// should show (the title, and HIPAA's Required / Addressable).
fn catalog_controls() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut files: Vec<_> = std::fs::read_dir(repo().join("frameworks"))
        .expect("frameworks/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    for file in files {
        let doc: Value = serde_saphyr::from_str(&std::fs::read_to_string(&file).expect("catalog")).expect("YAML");
        let id = doc["id"].as_str().expect("catalog id");
        for c in doc["controls"].as_array().expect("controls") {
            let flag = match c["requirement"].as_str() {
                Some("required") => " (Required)",
                Some("addressable") => " (Addressable)",
                _ => "",
            };
            out.insert(
                format!("{id}:{}", c["id"].as_str().expect("control id")),
                format!("{}{flag}", c["title"].as_str().expect("title")),
            );
        }
    }
    out
}

fn controls_schema() -> Value {
    serde_json::from_str(&std::fs::read_to_string(repo().join("schemas/controls.schema.json")).expect("schema"))
        .expect("JSON")
}

#[test]
fn the_repository_schemas_are_the_ones_the_binary_writes() {
    let s = Scratch::new("schemas-write");
    invoke(s.path(), ["schema", "--write", "out"], 60).go().assert_code(0);
    let names = |dir: &std::path::Path| {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .expect("folder")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let written = names(&s.path().join("out"));
    assert_eq!(written, names(&repo().join("schemas")), "the same files");
    for name in &written {
        assert_eq!(
            s.read(&format!("out/{name}")),
            std::fs::read_to_string(repo().join("schemas").join(name)).expect("repo schema"),
            "schemas/{name} differs from `ctrlmap schema --write`: run `cargo run -- schema --write schemas`"
        );
    }
    let printed = invoke(&repo(), ["schema", "controls"], 60).go();
    printed.assert_code(0);
    assert_eq!(printed.stdout, s.read("out/controls.schema.json"));
}

#[test]
fn the_control_schema_offers_every_built_in_control_with_its_title() {
    let schema = controls_schema();
    let offered: BTreeMap<String, String> = schema["anyOf"]
        .as_array()
        .expect("anyOf")
        .iter()
        .filter_map(|c| Some((c["const"].as_str()?.to_string(), c["description"].as_str()?.to_string())))
        .collect();
    assert_eq!(offered, catalog_controls());
    // Regulation titles, as the CFR and CSF 2.0 print them.
    assert_eq!(offered["hipaa:164.308(a)(7)(ii)(A)"], "Data backup plan (Required)");
    assert_eq!(
        offered["csf-2.0:PR.DS-11"],
        "Backups of data are created, protected, maintained, and tested"
    );
    // The scope and service schemas use it for every control reference.
    for kind in ["scope", "service"] {
        let text = std::fs::read_to_string(repo().join(format!("schemas/{kind}.schema.json"))).expect("schema");
        assert!(text.contains("\"$ref\": \"controls.schema.json\""), "{kind}");
    }
}

#[test]
fn the_control_schema_is_valid_for_draft_07_and_2020_12_and_refuses_ids_the_catalogs_lack() {
    let schema = controls_schema();
    for draft in [jsonschema::Draft::Draft7, jsonschema::Draft::Draft202012] {
        let validator = jsonschema::options()
            .with_draft(draft)
            .build(&schema)
            .unwrap_or_else(|e| panic!("{draft:?}: {e}"));
        for id in catalog_controls().keys() {
            assert!(validator.is_valid(&Value::from(id.as_str())), "{draft:?}: {id}");
        }
        // A workspace's own catalog.
        assert!(validator.is_valid(&Value::from("acme-policy:AC.1")));
        // CSF 1.1's PR.AC-01 is not a CSF 2.0 outcome; 164.308(z) is not in 45 CFR 164.
        for wrong in [
            "csf-2.0:PR.AC-01",
            "hipaa:164.308(z)",
            "nydfs-500:500.99",
            "no-framework",
        ] {
            assert!(!validator.is_valid(&Value::from(wrong)), "{draft:?}: {wrong}");
        }
    }
}

#[test]
fn init_maps_every_file_kind_to_its_schema_by_folder() {
    let s = Scratch::new("init-vscode");
    invoke(s.path(), ["init", "ws", "--client", "hipaa"], 60)
        .go()
        .assert_code(0);
    let settings: Value = serde_json::from_str(&s.read("ws/.vscode/settings.json")).expect("JSON");
    let map = settings["yaml.schemas"].as_object().expect("yaml.schemas");
    for (schema, globs) in map {
        let file = s.ws().join(schema.trim_start_matches("./"));
        assert!(file.is_file(), "{schema} exists");
        assert!(!globs.as_array().expect("globs").is_empty(), "{schema}");
    }
    let globs = |kind: &str| map[&format!("./.ctrlmap/schemas/{kind}.schema.json")].clone();
    assert_eq!(
        globs("scope"),
        serde_json::json!(["scopes/**/*.yaml", "scopes/**/*.yml"])
    );
    assert_eq!(
        globs("service"),
        serde_json::json!(["services/**/*.yaml", "services/**/*.yml"])
    );
    assert_eq!(globs("config"), serde_json::json!(["ctrlmap.yaml", "ctrlmap.yml"]));
    assert_eq!(
        globs("package"),
        serde_json::json!(["packages/**/*.yaml", "packages/**/*.yml"])
    );
    assert_eq!(
        globs("party"),
        serde_json::json!(["parties/**/*.yaml", "parties/**/*.yml"])
    );
    assert_eq!(map.len(), 8, "every kind a workspace holds: {map:?}");

    // With --allow-non-empty, a settings file that is there is kept, and nothing else fails.
    let t = Scratch::new("init-vscode-kept");
    t.write("repo/.vscode/settings.json", "{ \"editor.tabSize\": 2 }\n");
    let run = invoke(t.path(), ["init", "repo", "--allow-non-empty"], 60).go();
    run.assert_code(0);
    assert_eq!(t.read("repo/.vscode/settings.json"), "{ \"editor.tabSize\": 2 }\n");
    assert!(
        run.stdout.contains("\"yaml.schemas\""),
        "what to add is printed:\n{}",
        run.stdout
    );
}

#[test]
fn validate_warns_about_a_schema_line_that_does_not_lead_to_a_file() {
    let s = Scratch::new("schema-line");
    invoke(s.path(), ["init", "ws", "--client", "glba"], 60)
        .go()
        .assert_code(0);
    let quiet = invoke(s.path(), ["validate", "ws"], 60).go();
    quiet.assert_code(0);
    assert!(!quiet.stderr.contains("warning"), "{}", quiet.stderr);

    // The scope moved into scopes/nj/ keeps its `../` line.
    std::fs::create_dir_all(s.ws().join("scopes/nj")).expect("mkdir");
    std::fs::rename(
        s.ws().join("scopes/glba-client.yaml"),
        s.ws().join("scopes/nj/glba-client.yaml"),
    )
    .expect("move");
    let run = invoke(s.path(), ["validate", "ws"], 60).go();
    run.assert_code(0); // a warning, not an input problem
    assert!(
        run.stderr.starts_with(
            "warning: the `$schema` path `../.ctrlmap/schemas/scope.schema.json` does not lead to a file from here"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(" --> ws/scopes/nj/glba-client.yaml:1:33\n"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("write `$schema=../../.ctrlmap/schemas/scope.schema.json`"),
        "{}",
        run.stderr
    );
    let json = invoke(s.path(), ["validate", "ws", "--format", "json"], 60).go();
    json.assert_code(0);
    let doc: Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(doc["warnings"][0]["file"], "ws/scopes/nj/glba-client.yaml");
    assert_eq!(doc["warnings"][0]["line"], 1);

    // The suggested line resolves, and the warning goes.
    s.edit("ws/scopes/nj/glba-client.yaml", |text| {
        text.replacen("$schema=../.ctrlmap/", "$schema=../../.ctrlmap/", 1)
    });
    let run = invoke(s.path(), ["validate", "ws"], 60).go();
    run.assert_code(0);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);

    // The example's lines all resolve to the repository's schemas.
    let example = invoke(&repo(), ["validate", "examples/northwind-msp"], 60).go();
    example.assert_code(0);
    assert!(!example.stderr.contains("warning"), "{}", example.stderr);
}
