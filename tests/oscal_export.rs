//! `ctrlmap export oscal`: every file validates against NIST's OSCAL schema for its model
//! (tests/fixtures/reference/oscal/), every cross-reference resolves (within a document and
//! from the client plans into the provider's), links resolve from the document that holds
//! them, catalogs have NIST's structure, two exports of the same inputs are byte-identical,
//! and the command writes only regular files inside its folder, only when nothing failed.
//! The plans' content is pinned by tests/oscal_plans.rs, the assessment's by
//! tests/oscal_assessment.rs.

mod support;

use serde_json::Value;
use std::collections::BTreeMap;
use support::oscal::{
    Validators, all_of, broken_references, docs, export, export_with, gaps, json, requirement, schema_problems, tree,
};
use support::{ctrlmap, fixture, repo};

#[test]
fn every_exported_file_of_the_example_validates_against_its_oscal_schema() {
    let files = export("examples/northwind-msp", "validate");
    let mut expected: Vec<String> = [
        "catalogs/csf-2.0.json",
        "catalogs/glba-safeguards.json",
        "catalogs/hipaa.json",
        "catalogs/nydfs-500.json",
        "component-definition.json",
        "mappings/glba-safeguards-to-csf-2.0.json",
        "mappings/hipaa-to-csf-2.0.json",
        "mappings/nydfs-500-to-csf-2.0.json",
        "provider/profile.json",
        "provider/ssp.json",
        "scopes/riverside-dental/poam.json",
    ]
    .map(String::from)
    .to_vec();
    for scope in ["cedar-tax-services", "hudson-valley-insurance", "riverside-dental"] {
        for f in [
            "profile.json",
            "ssp.json",
            "assessment-plan.json",
            "assessment-results.json",
        ] {
            expected.push(format!("scopes/{scope}/{f}"));
        }
    }
    for f in &expected {
        assert!(
            files.contains_key(f),
            "{f} was not written; have {:?}",
            files.keys().collect::<Vec<_>>()
        );
    }
    let problems = schema_problems(&files);
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn a_scope_without_findings_has_no_poam_because_oscal_needs_an_item() {
    let files = export("examples/northwind-msp", "no-poam");
    assert!(!files.contains_key("scopes/cedar-tax-services/poam.json"));
    let schema: Value =
        json(&std::fs::read(support::oscal::schema_dir().join("oscal_poam_schema.json")).expect("schema"));
    let required = &schema["definitions"]["oscal-poam-oscal-poam:plan-of-action-and-milestones"]["required"];
    assert!(required.as_array().expect("required").iter().any(|r| r == "poam-items"));
}

#[test]
fn every_exported_file_of_a_scope_with_gaps_validates_against_its_oscal_schema() {
    let files = export(&gaps(), "validate-gaps");
    assert!(files.contains_key("scopes/clinic/poam.json"));
    let problems = schema_problems(&files);
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn hostile_text_still_gives_valid_oscal_with_every_reference_resolved() {
    // Scopes full of markup, formula prefixes, pipes and quotes (the injection fixtures).
    for (ws, name) in [
        ("tests/fixtures/injection", "hostile-a"),
        ("tests/fixtures/render/northwind", "hostile-b"),
    ] {
        let files = export(ws, name);
        let problems = schema_problems(&files);
        assert!(problems.is_empty(), "{ws}: {}", problems.join("\n"));
        let broken = broken_references(&docs(&files));
        assert!(broken.is_empty(), "{ws}: {}", broken.join("\n"));
    }
}

#[test]
fn every_cross_reference_of_the_exports_resolves() {
    for (ws, name) in [("examples/northwind-msp".to_string(), "refs"), (gaps(), "refs-gaps")] {
        let files = export(&ws, name);
        let broken = broken_references(&docs(&files));
        assert!(
            broken.is_empty(),
            "{ws}: {} broken:\n{}",
            broken.len(),
            broken.join("\n")
        );
    }
}

#[test]
fn the_schema_check_and_the_reference_check_catch_what_they_should() {
    let files = export(&gaps(), "negative");
    let mut all = docs(&files);
    let ssp = all.get_mut("scopes/clinic/ssp.json").expect("ssp");
    let req = &mut ssp["system-security-plan"]["control-implementation"]["implemented-requirements"][0];
    req["control-id"] = Value::String("164.306(a)".into());
    let mut validators = Validators::default();
    let problems = validators.problems(ssp);
    assert!(
        problems.iter().any(|p| p.contains("164.306(a)")),
        "a citation is not an OSCAL token: {problems:?}"
    );
    // Each kind of reference, pointed at nothing, is reported.
    for (file, key, kind) in [
        ("scopes/clinic/ssp.json", "provided-uuid", "provided-uuid"),
        ("scopes/clinic/ssp.json", "responsibility-uuid", "responsibility-uuid"),
        ("scopes/clinic/ssp.json", "component-uuid", "component-uuid"),
        ("scopes/clinic/ssp.json", "party-uuid", "party-uuid"),
        ("scopes/clinic/assessment-results.json", "subject-uuid", "subject-uuid"),
        ("scopes/clinic/ssp.json", "href", "back-matter link"),
        ("scopes/clinic/ssp.json", "control-id", "control-id"),
        ("scopes/clinic/assessment-results.json", "target-id", "target-id"),
        ("scopes/clinic/poam.json", "finding-uuid", "finding-uuid"),
        ("component-definition.json", "statement-id", "statement-id"),
        ("mappings/hipaa-to-csf-2.0.json", "id-ref", "id-ref"),
    ] {
        let mut all = docs(&files);
        let doc = all.get_mut(file).expect("document");
        let (pointer, value) = all_of(doc, key)
            .into_iter()
            .find(|(_, v)| v.as_str().is_some_and(|s| key != "href" || s.starts_with('#')))
            .map(|(p, v)| (p, v.clone()))
            .unwrap_or_else(|| panic!("{file} has a {key}"));
        let broken_value = if key == "href" {
            "#00000000-0000-4000-8000-000000000000".to_string()
        } else if value.as_str().is_some_and(|s| s.len() == 36) {
            "00000000-0000-4000-8000-000000000000".to_string()
        } else {
            "not-a-control".to_string()
        };
        doc.pointer_mut(&pointer).expect("holder")[key] = Value::String(broken_value);
        let broken = broken_references(&all);
        assert!(
            broken.iter().any(|b| b.starts_with(file) && b.contains(kind)),
            "{key} in {file}: {broken:?}"
        );
    }
}

#[test]
fn nists_leveraged_example_validates_against_the_same_ssp_schema() {
    let text = std::fs::read(fixture("oscal/nist-leveraged/oscal_leveraged-example_ssp.json")).expect("fixture");
    let problems = Validators::default().problems(&json(&text));
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn two_exports_of_the_same_inputs_are_byte_identical() {
    let a = export("examples/northwind-msp", "twice-a");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let b = export("examples/northwind-msp", "twice-b");
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(b[path] == *bytes, "{path} differs between two exports");
    }
    // SOURCE_DATE_EPOCH (2026-11-30T12:00:00Z) gives the same documents as --as-of.
    let out_scratch = support::Scratch::new("oscal-epoch");
    let out = out_scratch.join("out");
    let status = support::invoke(
        &repo(),
        [
            "export".as_ref(),
            "oscal".as_ref(),
            "examples/northwind-msp".as_ref(),
            "-o".as_ref(),
            out.as_os_str(),
        ],
        support::DEFAULT_DEADLINE_SECONDS,
    )
    .env("SOURCE_DATE_EPOCH", "1796040000")
    .go();
    assert!(status.code == 0, "{}", status.stderr);
    let c = tree(&out);
    assert!(a == c, "SOURCE_DATE_EPOCH and --as-of of the same day differ");
}

#[test]
fn every_date_carries_its_time_zone_and_comes_from_the_as_of_date_or_the_inputs() {
    let files = export(&gaps(), "dates");
    for (path, doc) in docs(&files) {
        for key in ["last-modified", "collected"] {
            for (at, v) in all_of(&doc, key) {
                assert_eq!(v, "2026-11-30T00:00:00Z", "{path}{at}/{key}");
            }
        }
        fn walk(v: &Value, path: &str, dates: &mut Vec<String>) {
            match v {
                Value::String(s) if s.len() >= 11 && s.as_bytes()[4] == b'-' && s.as_bytes()[10] == b'T' => {
                    assert!(s.ends_with('Z'), "{path}: {s} has no time zone");
                    dates.push(s.clone());
                }
                Value::Array(items) => items.iter().for_each(|i| walk(i, path, dates)),
                Value::Object(map) => map.values().for_each(|i| walk(i, path, dates)),
                _ => {}
            }
        }
        let mut dates = Vec::new();
        walk(&doc, &path, &mut dates);
        for d in dates {
            // The as-of date, or a date the scope declares (the waiver's grant and expiry).
            assert!(
                ["2026-11-30T00:00:00Z", "2026-10-01T00:00:00Z", "2027-01-31T23:59:59Z"].contains(&d.as_str()),
                "{path}: {d}"
            );
        }
    }
}

#[test]
fn regulation_ids_become_tokens_and_keep_their_citation_in_a_label() {
    let files = export(&gaps(), "tokens");
    let hipaa = json(&files["catalogs/hipaa.json"]);
    let control = all_of(&hipaa, "controls")
        .into_iter()
        .flat_map(|(_, list)| list.as_array().expect("controls").iter())
        .find(|c| c["id"] == "hipaa-164.308_a_1_ii_A")
        .expect("the token form of 164.308(a)(1)(ii)(A)");
    assert_eq!(control["title"], "Risk analysis");
    let labels: Vec<(&str, &str)> = control["props"]
        .as_array()
        .expect("props")
        .iter()
        .filter(|p| p["name"] == "label")
        .map(|p| (p["class"].as_str().unwrap_or(""), p["value"].as_str().unwrap_or("")))
        .collect();
    assert!(labels.contains(&("", "164.308(a)(1)(ii)(A)")), "{labels:?}");
    assert!(
        labels.contains(&("citation", "45 CFR 164.308(a)(1)(ii)(A)")),
        "{labels:?}"
    );
    let nydfs = json(&files["catalogs/nydfs-500.json"]);
    assert!(
        all_of(&nydfs, "id").iter().any(|(_, v)| *v == "nydfs-500-500.12_a"),
        "23 NYCRR 500.12(a) as nydfs-500-500.12_a"
    );
}

#[test]
fn the_csf_catalog_keeps_nists_ids_and_text_and_links_to_nists_catalog() {
    let files = export(&gaps(), "csf");
    let csf = json(&files["catalogs/csf-2.0.json"]);
    let controls: BTreeMap<String, &Value> = all_of(&csf, "controls")
        .into_iter()
        .flat_map(|(_, list)| list.as_array().expect("controls").iter())
        .filter_map(|c| Some((c["id"].as_str()?.to_string(), c)))
        .collect();
    // NIST's CSF 2.0 Core (derived from NIST's own OSCAL catalog).
    let core = json(&std::fs::read(fixture("reference/csf-2.0/csf-2.0-core.json")).expect("core"));
    let mut subcategories = 0;
    for (_, list) in all_of(&core, "subcategories") {
        for s in list.as_array().expect("subcategories") {
            let id = s["id"].as_str().expect("id");
            let c = controls
                .get(id)
                .unwrap_or_else(|| panic!("NIST's {id} is a control id"));
            let statement = c["parts"]
                .as_array()
                .expect("parts")
                .iter()
                .find(|p| p["name"] == "statement")
                .expect("statement part");
            assert_eq!(statement["id"], format!("{id}_statement"), "NIST's own part id");
            assert_eq!(statement["prose"], s["statement"], "{id}");
            subcategories += 1;
        }
    }
    assert_eq!(subcategories, 106);
    let meta = &csf["catalog"]["metadata"];
    let canonical = meta["links"]
        .as_array()
        .expect("links")
        .iter()
        .find(|l| l["rel"] == "canonical")
        .and_then(|l| l["href"].as_str())
        .expect("a canonical link");
    let resource = csf["catalog"]["back-matter"]["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .find(|r| format!("#{}", r["uuid"].as_str().unwrap_or("")) == canonical)
        .expect("the linked resource");
    assert!(
        resource["rlinks"].as_array().expect("rlinks").iter().any(|l| l["href"]
            .as_str()
            .is_some_and(|h| h.contains("usnistgov/oscal-content") && h.ends_with("NIST_CSF_v2.0_catalog.json"))),
        "{resource}"
    );
}

#[test]
fn export_refuses_bad_input_and_an_output_that_is_a_file() {
    let run = ctrlmap(["export", "oscal", "no-such-folder", "-o", "/tmp/x"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("no-such-folder"), "{}", run.stderr);
    let file_scratch = support::Scratch::new("oscal-a-file");
    let file = file_scratch.join("file");
    std::fs::write(&file, "x").expect("write");
    let run = ctrlmap([
        "export",
        "oscal",
        "examples/northwind-msp",
        "-o",
        file.to_str().expect("path"),
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("is not a folder"), "{}", run.stderr);
    assert_eq!(std::fs::read(&file).expect("still there"), b"x");
    let _ = std::fs::remove_file(&file);
    let run = ctrlmap([
        "export",
        "oscal",
        "examples/northwind-msp",
        "-o",
        "/tmp/y",
        "--as-of",
        "1800-01-01",
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("1900-2999"), "{}", run.stderr);
}

#[test]
fn subject_uuids_stay_when_a_service_file_is_edited_elsewhere() {
    let copy = support::Scratch::copy_of(&fixture("oscal/gaps"), "stable-uuids");
    let before = export(copy.ws().to_str().expect("path"), "stable-a");
    let file = copy.ws().join("services/backup.yaml");
    let text = std::fs::read_to_string(&file).expect("service");
    std::fs::write(
        &file,
        format!("# A comment that moves every claim down two lines.\n#\n{text}"),
    )
    .expect("write");
    let after = export(copy.ws().to_str().expect("path"), "stable-b");
    let (a, b) = (
        json(&before["scopes/clinic/ssp.json"]),
        json(&after["scopes/clinic/ssp.json"]),
    );
    let ids = |ssp: &Value| -> Vec<String> {
        let req = requirement(ssp, "hipaa:164.308(a)(7)(ii)(D)");
        all_of(req, "uuid")
            .into_iter()
            .filter_map(|(_, v)| v.as_str().map(String::from))
            .collect()
    };
    assert!(ids(&a).len() >= 6);
    assert_eq!(ids(&a), ids(&b), "the same subjects keep their UUIDs");
    // The plan itself changed (its provenance names the new lines), so its own UUID did too.
    assert_ne!(a["system-security-plan"]["uuid"], b["system-security-plan"]["uuid"]);
}

/// NIST's CSF 2.0 catalog has the six functions as groups and the categories as controls
/// holding their subcategories (NIST_CSF_v2.0_catalog.xml: `<group id="GV" class="function">`,
/// `<control id="GV.OC" class="category">`): ctrlmap's has the same structure and ids, so a
/// profile's ids resolve against NIST's catalog. A regulation's section headings are groups.
#[test]
fn catalogs_have_nists_structure_and_profiles_name_only_controls() {
    let files = export("examples/northwind-msp", "structure");
    let csf = json(&files["catalogs/csf-2.0.json"]);
    let core = json(&std::fs::read(fixture("reference/csf-2.0/csf-2.0-core.json")).expect("core"));
    let groups = csf["catalog"]["groups"].as_array().expect("groups");
    let functions: Vec<&str> = core["functions"]
        .as_array()
        .expect("functions")
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    assert_eq!(
        groups.iter().filter_map(|g| g["id"].as_str()).collect::<Vec<_>>(),
        functions
    );
    assert!(csf["catalog"]["controls"].is_null(), "no control outside a function");
    let govern = &groups[0];
    assert_eq!(govern["class"], "function");
    assert_eq!(govern["title"], "GOVERN");
    assert_eq!(govern["parts"][0]["id"], "GV_overview");
    assert_eq!(govern["parts"][0]["name"], "overview");
    let oc = govern["controls"]
        .as_array()
        .expect("categories")
        .iter()
        .find(|c| c["id"] == "GV.OC")
        .expect("GV.OC is a control of GV");
    assert_eq!(oc["class"], "category");
    assert_eq!(oc["parts"][0]["id"], "GV.OC_statement");
    assert_eq!(oc["controls"][0]["id"], "GV.OC-01");
    assert_eq!(oc["controls"][0]["class"], "subcategory");
    // Every id a profile selects from CSF 2.0 is a category or subcategory of NIST's Core.
    let mut nist: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for (_, list) in all_of(&core, "categories") {
        for c in list.as_array().expect("categories") {
            nist.insert(c["id"].as_str().expect("id").to_string());
            for s in c["subcategories"].as_array().into_iter().flatten() {
                nist.insert(s["id"].as_str().expect("id").to_string());
            }
        }
    }
    assert_eq!(nist.len(), 22 + 106);
    for (path, bytes) in &files {
        if !path.ends_with("profile.json") {
            continue;
        }
        let profile = json(bytes);
        for import in profile["profile"]["imports"].as_array().expect("imports") {
            if !import["href"].as_str().expect("href").ends_with("csf-2.0.json") {
                continue;
            }
            for (_, ids) in all_of(import, "with-ids") {
                for id in ids.as_array().expect("ids") {
                    let id = id.as_str().expect("id");
                    assert!(
                        nist.contains(id),
                        "{path}: {id} is not a control of NIST's CSF 2.0 catalog"
                    );
                }
            }
        }
    }
    // HIPAA's section headings are groups of their standards.
    let hipaa = json(&files["catalogs/hipaa.json"]);
    let admin = hipaa["catalog"]["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["id"] == "hipaa-164.308")
        .expect("164.308 is a group");
    assert_eq!(admin["title"], "Administrative safeguards");
    assert_eq!(admin["class"], "section");
    assert!(
        admin["controls"]
            .as_array()
            .expect("controls")
            .iter()
            .any(|c| c["id"] == "hipaa-164.308_a_1")
    );
    // No plan has a requirement for a group.
    let ssp = json(&files["scopes/riverside-dental/ssp.json"]);
    assert!(support::oscal::find_requirement(&ssp, "hipaa:164.308").is_none());
    assert!(support::oscal::find_requirement(&ssp, "csf-2.0:GV").is_none());
    assert!(support::oscal::find_requirement(&ssp, "csf-2.0:GV.OC").is_some());
}

/// The href of every back-matter resource of a document that points at a workspace file,
/// with the SHA-256 it records.
fn file_links(doc: &Value) -> Vec<(String, String)> {
    let root = doc.as_object().and_then(|o| o.values().next()).expect("root");
    root["back-matter"]["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r["rlinks"].as_array().into_iter().flatten())
        .filter_map(|l| {
            Some((
                l["href"].as_str()?.to_string(),
                l["hashes"][0]["value"].as_str()?.to_string(),
            ))
        })
        .collect()
}

/// Resolve a relative href (percent-encoded) against a document's folder on disk.
fn resolve(doc: &std::path::Path, href: &str) -> std::path::PathBuf {
    let mut decoded = Vec::new();
    let bytes = href.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            decoded.push(u8::from_str_radix(&href[i + 1..i + 3], 16).expect("hex"));
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    doc.parent()
        .expect("folder")
        .join(String::from_utf8(decoded).expect("utf-8"))
}

#[test]
fn links_to_evidence_resolve_from_the_document_and_with_evidence_the_export_holds_it() {
    for with_evidence in [false, true] {
        let out_scratch = support::Scratch::new(if with_evidence { "links-copied" } else { "links" });
        let out = out_scratch.join("out");
        let out_s = out.to_str().expect("path");
        let mut args = vec![
            "export",
            "oscal",
            "examples/northwind-msp",
            "-o",
            out_s,
            "--as-of",
            "2026-11-30",
        ];
        if with_evidence {
            args.push("--with-evidence");
        }
        let run = ctrlmap(args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let mut checked = 0;
        for (path, bytes) in tree(&out) {
            if !path.ends_with(".json") {
                continue;
            }
            let doc_path = out.join(&path);
            for (href, sha) in file_links(&json(&bytes)) {
                assert!(!href.contains("://"), "{href}");
                let target = resolve(&doc_path, &href);
                let target = target
                    .canonicalize()
                    .unwrap_or_else(|_| panic!("{path}: {href} resolves to nothing"));
                if with_evidence {
                    assert!(
                        target.starts_with(out.canonicalize().expect("out")),
                        "{path}: {href} leaves the export"
                    );
                }
                let found = std::fs::read(&target).expect("linked file");
                assert_eq!(ctrlmap::model::digest::sha256_hex(&found), sha, "{path}: {href}");
                checked += 1;
            }
        }
        assert!(checked > 8, "{checked} links checked");
        if with_evidence {
            assert!(out.join("files/evidence/riverside-2026-q3-restore-test.md").is_file());
            assert!(
                run.stdout.contains("workspace files linked from them in files/"),
                "{}",
                run.stdout
            );
        } else {
            assert!(!out.join("files").exists());
        }
    }
}

#[test]
fn with_an_href_base_every_link_is_absolute_under_it() {
    let files = export_with(
        &gaps(),
        "href-base",
        &["--href-base", "file:///srv/oscal", "--with-evidence"],
    );
    for (path, doc) in docs(&files) {
        for (at, href) in all_of(&doc, "href") {
            let href = href.as_str().expect("href");
            assert!(
                href.starts_with('#')
                    || href.starts_with("https://")
                    || href.starts_with("http://")
                    || href.starts_with("file:///srv/oscal/"),
                "{path}{at}: {href}"
            );
        }
    }
    let ssp = json(&files["scopes/clinic/ssp.json"]);
    assert_eq!(
        ssp["system-security-plan"]["import-profile"]["href"],
        "file:///srv/oscal/scopes/clinic/profile.json"
    );
    let run = ctrlmap(["export", "oscal", &gaps(), "-o", "/tmp/x", "--href-base", "srv/oscal"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("is not an absolute URI"), "{}", run.stderr);
}

#[test]
fn a_custom_rule_that_fails_at_run_time_stops_the_export_before_anything_is_written() {
    let out_scratch = support::Scratch::new("oscal-rule-failed");
    let out = out_scratch.join("out");
    let run = ctrlmap([
        "export",
        "oscal",
        "tests/fixtures/load/rule-failed",
        "-o",
        out.to_str().expect("path"),
        "--as-of",
        "2026-11-30",
    ]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("E021"), "{}", run.stderr);
    assert!(run.stderr.contains("nothing is reported"), "{}", run.stderr);
    let left: Vec<String> = tree(&out).into_keys().collect();
    assert!(left.is_empty(), "nothing written: {left:?}");
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_inside_the_output_folder_is_never_followed() {
    let base_scratch = support::Scratch::new("oscal-symlink");
    let base = base_scratch.join("base");
    let out = base.join("out");
    let victim = base.join("victim");
    std::fs::create_dir_all(&out).expect("mkdir");
    std::fs::create_dir_all(&victim).expect("mkdir");
    std::fs::write(victim.join("hipaa-to-csf-2.0.json"), "mine").expect("write");
    std::os::unix::fs::symlink("../victim", out.join("mappings")).expect("link");
    let run = ctrlmap([
        "export",
        "oscal",
        "examples/northwind-msp",
        "-o",
        out.to_str().expect("path"),
        "--as-of",
        "2026-11-30",
    ]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("is a symbolic link"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(victim.join("hipaa-to-csf-2.0.json")).expect("kept"),
        "mine"
    );
    assert_eq!(
        std::fs::read_dir(&victim).expect("victim").count(),
        1,
        "nothing added outside"
    );
    // A file of the export that is a link is not written through either.
    std::fs::remove_file(out.join("mappings")).expect("unlink");
    std::fs::create_dir_all(out.join("scopes/clinic")).expect("mkdir");
    std::os::unix::fs::symlink(
        "../../../victim/hipaa-to-csf-2.0.json",
        out.join("scopes/clinic/ssp.json"),
    )
    .expect("link");
    let run = ctrlmap(["export", "oscal", &gaps(), "-o", out.to_str().expect("path")]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert_eq!(
        std::fs::read_to_string(victim.join("hipaa-to-csf-2.0.json")).expect("kept"),
        "mine"
    );
}

#[test]
fn help_names_the_workspace_folder() {
    let run = ctrlmap(["export", "oscal", "--help"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("The workspace folder"), "{}", run.stdout);
    assert!(!run.stdout.contains("Loaded folder"), "{}", run.stdout);
    let run = ctrlmap(["import", "oscal", "--help"]);
    assert!(!run.stdout.contains("Loaded to write"), "{}", run.stdout);
}
