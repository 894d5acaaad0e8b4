//! `ctrlmap export oscal`: every file validates against NIST's OSCAL schema for its model
//! (tests/fixtures/reference/oscal/), every cross-reference resolves, the documents say what
//! the scope declares in OSCAL's terms, and two exports of the same inputs are byte-identical.

mod common;
mod oscal_support;

use common::{ctrlmap, fixture, root};
use oscal_support::{Validators, all_of, broken_references, json, tree};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ctrlmap-oscal-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Export a workspace as of 2026-11-30; the files by path.
fn export(workspace: &str, name: &str) -> BTreeMap<String, Vec<u8>> {
    let out = temp(name);
    let run = ctrlmap([
        "export",
        "oscal",
        workspace,
        "-o",
        out.to_str().expect("utf-8 path"),
        "--as-of",
        "2026-11-30",
    ]);
    assert_eq!(run.code, 0, "export failed: {}{}", run.stdout, run.stderr);
    let files = tree(&out);
    let _ = std::fs::remove_dir_all(&out);
    files
}

fn docs(files: &BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Value> {
    files.iter().map(|(p, b)| (p.clone(), json(b))).collect()
}

fn schema_problems(files: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut validators = Validators::default();
    let mut problems = Vec::new();
    for (path, bytes) in files {
        for p in validators.problems(&json(bytes)) {
            problems.push(format!("{path}: {p}"));
        }
    }
    problems
}

fn gaps() -> String {
    fixture("oscal/gaps").to_string_lossy().into_owned()
}

/// The value of a property (any namespace) of an object.
fn prop<'a>(v: &'a Value, name: &str) -> Vec<&'a str> {
    v["props"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["name"] == name)
        .filter_map(|p| p["value"].as_str())
        .collect()
}

/// The implemented requirement of a control (by ctrlmap reference) in a plan.
fn requirement<'a>(ssp: &'a Value, control: &str) -> &'a Value {
    ssp["system-security-plan"]["control-implementation"]["implemented-requirements"]
        .as_array()
        .expect("requirements")
        .iter()
        .find(|r| prop(r, "control") == [control])
        .unwrap_or_else(|| panic!("no implemented requirement for {control}"))
}

fn component_uuid<'a>(ssp: &'a Value, title: &str) -> &'a str {
    ssp["system-security-plan"]["system-implementation"]["components"]
        .as_array()
        .expect("components")
        .iter()
        .find(|c| c["title"] == title)
        .and_then(|c| c["uuid"].as_str())
        .unwrap_or_else(|| panic!("no component titled {title}"))
}

fn by_component<'a>(req: &'a Value, component: &str) -> &'a Value {
    req["by-components"]
        .as_array()
        .expect("by-components")
        .iter()
        .find(|b| b["component-uuid"] == component)
        .unwrap_or_else(|| panic!("no by-component for {component} in {req}"))
}

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
        "scopes/riverside-dental/poam.json",
    ]
    .map(String::from)
    .to_vec();
    for scope in ["cedar-tax-services", "hudson-valley-insurance", "riverside-dental"] {
        for f in ["profile.json", "ssp.json", "assessment-results.json"] {
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
        json(&std::fs::read(oscal_support::schema_dir().join("oscal_poam_schema.json")).expect("schema"));
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
    let out = temp("epoch");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_ctrlmap"))
        .args(["export", "oscal", "examples/northwind-msp", "-o"])
        .arg(&out)
        .current_dir(root())
        .env("SOURCE_DATE_EPOCH", "1796040000")
        .output()
        .expect("run");
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let c = tree(&out);
    let _ = std::fs::remove_dir_all(&out);
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
fn a_shared_claim_exports_what_the_msp_provides_and_leaves_and_the_client_inherits_and_satisfies_it() {
    let files = export(&gaps(), "shared");
    let ssp = json(&files["scopes/clinic/ssp.json"]);
    // services/backup.yaml: 164.308(a)(7)(ii)(D), split shared.
    let req = requirement(&ssp, "hipaa:164.308(a)(7)(ii)(D)");
    let backup = by_component(req, component_uuid(&ssp, "Backup \"and\" Restore"));
    let provided = &backup["export"]["provided"][0];
    let responsibility = &backup["export"]["responsibilities"][0];
    assert_eq!(provided["description"], "Test a restore every quarter.");
    assert_eq!(responsibility["description"], "Review the restore report.");
    assert_eq!(responsibility["provided-uuid"], provided["uuid"]);
    assert_eq!(provided["responsible-roles"][0]["role-id"], "provider");
    assert_eq!(responsibility["responsible-roles"][0]["role-id"], "customer");
    let this = by_component(req, component_uuid(&ssp, "Example Clinic: information systems"));
    assert_eq!(this["inherited"][0]["provided-uuid"], provided["uuid"]);
    assert_eq!(this["satisfied"][0]["responsibility-uuid"], responsibility["uuid"]);
    assert_eq!(this["description"], "Review the restore report.");
    assert_eq!(backup["implementation-status"]["state"], "implemented");
    // An msp claim: provided only; a client claim: a responsibility only.
    let msp = by_component(
        requirement(&ssp, "hipaa:164.308(a)(7)(ii)(A)"),
        component_uuid(&ssp, "Backup \"and\" Restore"),
    );
    assert!(msp["export"]["provided"].is_array() && msp["export"]["responsibilities"].is_null());
    assert_eq!(
        prop(requirement(&ssp, "hipaa:164.308(a)(7)(ii)(A)"), "evidence"),
        ["Daily backup report"]
    );
}

#[test]
fn a_scope_assignment_exports_the_msps_duty_from_the_engagement_with_raci_in_properties() {
    let files = export(&gaps(), "engagement");
    let ssp = json(&files["scopes/clinic/ssp.json"]);
    let req = requirement(&ssp, "hipaa:164.312(b)");
    let engagement = by_component(
        req,
        component_uuid(&ssp, "Example MSP: duties agreed in the engagement"),
    );
    assert_eq!(
        engagement["export"]["provided"][0]["description"],
        "Collect the audit logs of the servers."
    );
    assert_eq!(
        engagement["export"]["responsibilities"][0]["description"],
        "Review the monthly audit log report."
    );
    assert_eq!(prop(req, "raci-responsible"), ["client", "msp"]);
    assert_eq!(prop(req, "raci-accountable"), ["client"]);
    assert_eq!(prop(req, "responsibility"), ["shared"]);
    let roles: Vec<&str> = req["responsible-roles"]
        .as_array()
        .expect("roles")
        .iter()
        .filter_map(|r| r["role-id"].as_str())
        .collect();
    assert_eq!(roles, ["provider", "customer"]);
}

#[test]
fn a_third_party_is_a_leveraged_authorization_with_its_party_and_component() {
    let files = export(&gaps(), "third-party");
    let ssp = json(&files["scopes/clinic/ssp.json"]);
    let plan = &ssp["system-security-plan"];
    let party = plan["metadata"]["parties"]
        .as_array()
        .expect("parties")
        .iter()
        .find(|p| p["name"] == "Cloud EHR vendor")
        .expect("the third party as a party");
    let authorization = &plan["system-implementation"]["leveraged-authorizations"][0];
    assert_eq!(authorization["title"], "Cloud EHR vendor");
    assert_eq!(authorization["party-uuid"], party["uuid"]);
    let component = component_uuid(&ssp, "Cloud EHR vendor");
    let comp = plan["system-implementation"]["components"]
        .as_array()
        .expect("components")
        .iter()
        .find(|c| c["uuid"] == component)
        .expect("component");
    assert_eq!(
        prop(comp, "leveraged-authorization-uuid"),
        [authorization["uuid"].as_str().expect("uuid")]
    );
    let req = requirement(&ssp, "hipaa:164.312(c)(2)");
    let by = by_component(req, component);
    assert_eq!(by["description"], "The EHR vendor checks the integrity of chart data.");
    assert!(by["inherited"].is_array());
    assert_eq!(prop(req, "responsibility"), ["third-party"]);
}

#[test]
fn a_control_marked_not_applicable_carries_its_reason() {
    let files = export(&gaps(), "na");
    let ssp = json(&files["scopes/clinic/ssp.json"]);
    let req = requirement(&ssp, "hipaa:164.308(a)(4)(ii)(A)");
    let status = &req["by-components"][0]["implementation-status"];
    assert_eq!(status["state"], "not-applicable");
    assert_eq!(status["remarks"], "The clinic is not a health care clearinghouse.");
}

#[test]
fn an_unassigned_control_is_marked_and_linked_to_its_finding() {
    let files = export(&gaps(), "unassigned");
    let ssp = json(&files["scopes/clinic/ssp.json"]);
    let ar = json(&files["scopes/clinic/assessment-results.json"]);
    let req = requirement(&ssp, "hipaa:164.308(a)(1)(ii)(A)");
    assert_eq!(prop(req, "responsibility"), ["unassigned"]);
    assert!(
        req["by-components"]
            .as_array()
            .expect("by")
            .iter()
            .all(|b| b["implementation-status"].is_null()),
        "nobody implements an unassigned control"
    );
    let link = req["links"]
        .as_array()
        .expect("links")
        .iter()
        .find(|l| l["resource-fragment"].is_string())
        .expect("a link to the finding");
    let finding = ar["assessment-results"]["results"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["uuid"] == link["resource-fragment"])
        .expect("the linked finding");
    assert_eq!(prop(finding, "code"), ["CM001"]);
    assert_eq!(finding["target"]["target-id"], "hipaa-164.308_a_1_ii_A_smt");
    assert_eq!(finding["target"]["status"]["state"], "not-satisfied");
    assert_eq!(finding["implementation-statement-uuid"], req["uuid"]);
    // The conflict (two services disagree) is unassigned too, and says why.
    let conflict = requirement(&ssp, "hipaa:164.308(a)(5)(ii)(D)");
    assert_eq!(prop(conflict, "conflict"), ["true"]);
    assert!(
        conflict["by-components"][0]["description"]
            .as_str()
            .expect("text")
            .contains("disagree")
    );
}

#[test]
fn evidence_files_are_back_matter_resources_with_their_sha256() {
    let files = export(&gaps(), "evidence");
    let ssp = json(&files["scopes/clinic/ssp.json"]);
    let bytes = std::fs::read(fixture("oscal/gaps/evidence/restore-test.md")).expect("evidence");
    let sha = ctrlmap::model::digest::sha256_hex(&bytes);
    let resource = ssp["system-security-plan"]["back-matter"]["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .find(|r| r["title"] == "Restore test 2026 Q3")
        .expect("the evidence resource");
    assert_eq!(resource["rlinks"][0]["hashes"][0]["algorithm"], "SHA-256");
    assert_eq!(resource["rlinks"][0]["hashes"][0]["value"], sha.as_str());
    assert_eq!(resource["rlinks"][0]["href"], "evidence/restore-test.md");
    let req = requirement(&ssp, "hipaa:164.308(a)(7)(ii)(D)");
    let href = format!("#{}", resource["uuid"].as_str().expect("uuid"));
    assert!(
        req["links"]
            .as_array()
            .expect("links")
            .iter()
            .any(|l| l["href"] == href.as_str())
    );
}

#[test]
fn a_waived_finding_is_an_approved_deviation_until_the_waiver_expires() {
    let files = export(&gaps(), "waiver");
    let ar = json(&files["scopes/clinic/assessment-results.json"]);
    let result = &ar["assessment-results"]["results"][0];
    let finding = result["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["target"]["title"] == "hipaa:164.308(a)(6)(ii)")
        .expect("the waived finding");
    let risk_uuid = &finding["related-risks"][0]["risk-uuid"];
    let risk = result["risks"]
        .as_array()
        .expect("risks")
        .iter()
        .find(|r| r["uuid"] == *risk_uuid)
        .expect("its risk");
    assert_eq!(risk["status"], "deviation-approved");
    assert_eq!(risk["deadline"], "2027-01-31T23:59:59Z");
    assert_eq!(
        risk["mitigating-factors"][0]["description"],
        "The MSP SOC reports every alert to the office manager by phone."
    );
    let entry = &risk["risk-log"]["entries"][0];
    assert_eq!(entry["status-change"], "deviation-approved");
    assert_eq!(entry["start"], "2026-10-01T00:00:00Z");
    assert!(entry["description"].as_str().expect("text").contains("EX-1"));
    // An open finding's risk is open, with the finding's advice as a recommended remediation.
    let open = result["risks"]
        .as_array()
        .expect("risks")
        .iter()
        .find(|r| r["status"] == "open")
        .expect("an open risk");
    assert_eq!(open["remediations"][0]["lifecycle"], "recommendation");
    assert_eq!(open["characterizations"][0]["facets"][0]["name"], "severity");
}

#[test]
fn the_poam_has_an_item_for_every_finding_of_the_assessment() {
    let files = export(&gaps(), "poam");
    let ar = json(&files["scopes/clinic/assessment-results.json"]);
    let poam = json(&files["scopes/clinic/poam.json"]);
    let findings = ar["assessment-results"]["results"][0]["findings"]
        .as_array()
        .expect("findings");
    let items = poam["plan-of-action-and-milestones"]["poam-items"]
        .as_array()
        .expect("items");
    assert_eq!(items.len(), findings.len());
    for (item, finding) in items.iter().zip(findings) {
        assert_eq!(item["related-findings"][0]["finding-uuid"], finding["uuid"]);
    }
    assert_eq!(poam["plan-of-action-and-milestones"]["import-ssp"]["href"], "ssp.json");
}

#[test]
fn export_refuses_bad_input_and_an_output_that_is_a_file() {
    let run = ctrlmap(["export", "oscal", "no-such-folder", "-o", "/tmp/x"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("no-such-folder"), "{}", run.stderr);
    let file = temp("a-file");
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
    let copy = common::Scratch::copy_of(&fixture("oscal/gaps"), "stable-uuids");
    let before = export(copy.0.to_str().expect("path"), "stable-a");
    let file = copy.0.join("services/backup.yaml");
    let text = std::fs::read_to_string(&file).expect("service");
    std::fs::write(
        &file,
        format!("# A comment that moves every claim down two lines.\n#\n{text}"),
    )
    .expect("write");
    let after = export(copy.0.to_str().expect("path"), "stable-b");
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
