//! Shared by the OSCAL tests: NIST's schemas (copied into tests/fixtures/reference/oscal/, see
//! its README), validation, and a check that every cross-reference in a set of OSCAL
//! documents resolves.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub fn schema_dir() -> PathBuf {
    super::fixture("reference/oscal")
}

/// The schema file for an OSCAL document, by its root key.
pub fn schema_file(doc: &Value) -> &'static str {
    let root = doc.as_object().and_then(|o| o.keys().next()).map(String::as_str);
    match root {
        Some("catalog") => "oscal_catalog_schema.json",
        Some("profile") => "oscal_profile_schema.json",
        Some("component-definition") => "oscal_component_schema.json",
        Some("system-security-plan") => "oscal_ssp_schema.json",
        Some("assessment-plan") => "oscal_assessment-plan_schema.json",
        Some("assessment-results") => "oscal_assessment-results_schema.json",
        Some("plan-of-action-and-milestones") => "oscal_poam_schema.json",
        Some("mapping-collection") => "v1.2.1/oscal_mapping_schema.json",
        other => panic!("not an OSCAL document: root {other:?}"),
    }
}

/// Compiled validators, one per schema file.
#[derive(Default)]
pub struct Validators(BTreeMap<&'static str, jsonschema::Validator>);

impl Validators {
    /// The problems of a document against NIST's schema for its model (empty: valid).
    pub fn problems(&mut self, doc: &Value) -> Vec<String> {
        let file = schema_file(doc);
        let validator = self.0.entry(file).or_insert_with(|| {
            let text = std::fs::read_to_string(schema_dir().join(file)).expect("schema file");
            let schema: Value = serde_json::from_str(&text).expect("schema JSON");
            jsonschema::options()
                .with_draft(jsonschema::Draft::Draft7)
                .should_validate_formats(true)
                .build(&schema)
                .expect("NIST's OSCAL schema compiles")
        });
        validator
            .iter_errors(doc)
            .take(20)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect()
    }
}

/// Every file under a folder, by path relative to it (`/` separators).
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).expect("read dir").flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p
                    .strip_prefix(root)
                    .expect("inside")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&p).expect("read"));
            }
        }
    }
    walk(dir, dir, &mut out);
    out
}

pub fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("JSON")
}

/// Every value of a key anywhere in a document, with the JSON pointer of the object holding it.
pub fn all_of<'a>(v: &'a Value, key: &str) -> Vec<(String, &'a Value)> {
    let mut out = Vec::new();
    fn walk<'a>(v: &'a Value, key: &str, at: String, out: &mut Vec<(String, &'a Value)>) {
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    if k == key {
                        out.push((at.clone(), child));
                    }
                    walk(child, key, format!("{at}/{k}"), out);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    walk(child, key, format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }
    walk(v, key, String::new(), &mut out);
    out
}

fn strings<'a>(v: &'a Value, key: &str) -> Vec<(String, &'a str)> {
    all_of(v, key)
        .into_iter()
        .filter_map(|(at, v)| v.as_str().map(|s| (at, s)))
        .collect()
}

/// Resolve a relative href against a document path (`scopes/a/ssp.json` + `../../x` → `x`).
pub fn join(doc: &str, href: &str) -> String {
    let mut parts: Vec<&str> = doc.split('/').collect();
    parts.pop();
    for seg in href.split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// Check OSCAL's cross-references across a set of documents (paths relative to one root):
/// every `provided-uuid`, `responsibility-uuid`, `component-uuid`, `party-uuid(s)`,
/// `role-id`, back-matter `#uuid` link, related observation/risk/finding, actor, control id
/// and statement id resolves. Returns every reference that does not.
pub fn broken_references(docs: &BTreeMap<String, Value>) -> Vec<String> {
    let mut broken = Vec::new();
    // Controls and parts of every catalog.
    let mut controls: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut parts: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, doc) in docs {
        if doc.get("catalog").is_some() {
            let c: BTreeSet<String> = all_of(&doc["catalog"], "controls")
                .into_iter()
                .flat_map(|(_, list)| list.as_array().into_iter().flatten())
                .filter_map(|c| c["id"].as_str().map(str::to_string))
                .collect();
            let p: BTreeSet<String> = all_of(&doc["catalog"], "parts")
                .into_iter()
                .flat_map(|(_, list)| list.as_array().into_iter().flatten())
                .filter_map(|p| p["id"].as_str().map(str::to_string))
                .collect();
            controls.insert(path.clone(), c);
            parts.insert(path.clone(), p);
        }
    }
    let all_controls: BTreeSet<&String> = controls.values().flatten().collect();
    let all_parts: BTreeSet<&String> = parts.values().flatten().collect();
    // The UUIDs each document defines, computed once.
    let defined: BTreeMap<&String, BTreeSet<String>> = docs
        .iter()
        .map(|(p, d)| {
            let set = all_of(d, "uuid")
                .into_iter()
                .filter_map(|(_, v)| v.as_str().map(str::to_string))
                .collect();
            (p, set)
        })
        .collect();
    let uuids_in = |path: &str| -> Option<&BTreeSet<String>> { defined.get(&path.to_string()) };
    for (path, doc) in docs {
        let root = doc.as_object().and_then(|o| o.values().next()).expect("root");
        // UUIDs defined in this document must be unique where they name subjects.
        let mut seen = BTreeMap::<String, String>::new();
        for (at, u) in strings(root, "uuid") {
            if let Some(first) = seen.insert(u.to_string(), at.clone())
                && !at.contains("/related-")
            {
                broken.push(format!("{path}: uuid {u} defined twice ({first} and {at})"));
            }
        }
        let meta = &root["metadata"];
        let parties: BTreeSet<&str> = meta["parties"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["uuid"].as_str())
            .collect();
        let roles: BTreeSet<&str> = meta["roles"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["id"].as_str())
            .collect();
        let components: BTreeSet<&str> = all_of(root, "components")
            .into_iter()
            .flat_map(|(_, list)| list.as_array().into_iter().flatten())
            .filter_map(|c| c["uuid"].as_str())
            .collect();
        let resources: BTreeSet<&str> = root["back-matter"]["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["uuid"].as_str())
            .collect();
        let provided: BTreeSet<&str> = all_of(root, "provided")
            .into_iter()
            .flat_map(|(_, l)| l.as_array().into_iter().flatten())
            .filter_map(|p| p["uuid"].as_str())
            .collect();
        let responsibilities: BTreeSet<&str> = all_of(root, "responsibilities")
            .into_iter()
            .flat_map(|(_, l)| l.as_array().into_iter().flatten())
            .filter_map(|p| p["uuid"].as_str())
            .collect();
        let list_uuids = |key: &str| -> BTreeSet<&str> {
            root[key]
                .as_array()
                .into_iter()
                .flatten()
                .chain(
                    root["results"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .flat_map(|r| r[key].as_array().into_iter().flatten()),
                )
                .filter_map(|x| x["uuid"].as_str())
                .collect()
        };
        let observations = list_uuids("observations");
        let risks = list_uuids("risks");
        let findings = list_uuids("findings");
        let mut check = |kind: &str, at: &str, value: &str, ok: bool| {
            if !ok {
                broken.push(format!("{path}{at}: {kind} `{value}` does not resolve"));
            }
        };
        // What a leveraging plan inherits and satisfies is exported by the plans its
        // back-matter links to (the provider's); an export's own responsibilities point at
        // its own provided statements.
        let leveraged: Vec<&Value> = root["back-matter"]["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|r| r["rlinks"].as_array().into_iter().flatten())
            .filter(|l| l["media-type"] == "application/oscal.ssp+json")
            .filter_map(|l| docs.get(&join(path, l["href"].as_str().unwrap_or_default())))
            .collect();
        let exported = |key: &str| -> BTreeSet<&str> {
            leveraged
                .iter()
                .flat_map(|d| all_of(d, key))
                .flat_map(|(_, l)| l.as_array().into_iter().flatten())
                .filter_map(|p| p["uuid"].as_str())
                .collect()
        };
        let (leveraged_provided, leveraged_responsibilities) = (exported("provided"), exported("responsibilities"));
        for (at, v) in strings(root, "provided-uuid") {
            if at.contains("/inherited/") {
                check("inherited provided-uuid", &at, v, leveraged_provided.contains(v));
            } else {
                check("provided-uuid", &at, v, provided.contains(v));
            }
        }
        for (at, v) in strings(root, "responsibility-uuid") {
            check(
                "satisfied responsibility-uuid",
                &at,
                v,
                leveraged_responsibilities.contains(v),
            );
        }
        let _ = &responsibilities;
        // A leveraged component names the component of the leveraged plan it is.
        let leveraged_components: BTreeSet<&str> = leveraged
            .iter()
            .flat_map(|d| all_of(d, "components"))
            .flat_map(|(_, l)| l.as_array().into_iter().flatten())
            .filter_map(|c| c["uuid"].as_str())
            .collect();
        for (at, props) in all_of(root, "props") {
            for p in props.as_array().into_iter().flatten() {
                if p["name"] == "inherited-uuid" {
                    let v = p["value"].as_str().unwrap_or_default();
                    check("inherited-uuid", &at, v, leveraged_components.contains(v));
                }
            }
        }
        // An assessment's subjects are components of the plan assessed (in the same folder).
        for (at, v) in strings(root, "subject-uuid") {
            let ok = docs.get(&join(path, "ssp.json")).is_some_and(|ssp| {
                all_of(ssp, "components")
                    .iter()
                    .any(|(_, l)| l.as_array().into_iter().flatten().any(|c| c["uuid"] == v))
            });
            check("subject-uuid", &at, v, ok);
        }
        for (at, v) in strings(root, "component-uuid") {
            check("component-uuid", &at, v, components.contains(v));
        }
        for (at, v) in strings(root, "party-uuid") {
            check("party-uuid", &at, v, parties.contains(v));
        }
        for (at, list) in all_of(root, "party-uuids") {
            for v in list.as_array().into_iter().flatten().filter_map(Value::as_str) {
                check("party-uuid", &at, v, parties.contains(v));
            }
        }
        for (at, v) in strings(root, "role-id") {
            check("role-id", &at, v, roles.contains(v));
        }
        for (at, list) in all_of(root, "role-ids") {
            for v in list.as_array().into_iter().flatten().filter_map(Value::as_str) {
                check("role-id", &at, v, roles.contains(v));
            }
        }
        for (at, v) in strings(root, "observation-uuid") {
            check("observation-uuid", &at, v, observations.contains(v));
        }
        for (at, v) in strings(root, "risk-uuid") {
            check("risk-uuid", &at, v, risks.contains(v));
        }
        for (at, v) in strings(root, "finding-uuid") {
            check("finding-uuid", &at, v, findings.contains(v));
        }
        for (at, v) in strings(root, "actor-uuid") {
            check("actor-uuid", &at, v, components.contains(v) || parties.contains(v));
        }
        for (at, v) in strings(root, "href") {
            if let Some(id) = v.strip_prefix('#') {
                check("back-matter link", &at, v, resources.contains(id));
            } else if !v.contains("://") && v.ends_with(".json") {
                let target = join(path, v);
                check("document link", &at, v, docs.contains_key(&target));
            }
        }
        // A link into another document by fragment: the UUID exists in the document the
        // linked back-matter resource points at.
        for (at, link) in all_of(root, "links") {
            for l in link.as_array().into_iter().flatten() {
                let (Some(href), Some(fragment)) = (l["href"].as_str(), l["resource-fragment"].as_str()) else {
                    continue;
                };
                let target = href.strip_prefix('#').and_then(|id| {
                    root["back-matter"]["resources"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .find(|r| r["uuid"].as_str() == Some(id))
                        .and_then(|r| r["rlinks"][0]["href"].as_str())
                });
                let ok = target
                    .and_then(|t| uuids_in(&join(path, t)))
                    .is_some_and(|set| set.contains(fragment));
                check("resource-fragment", &at, fragment, ok);
            }
        }
        // A component's leveraged authorization.
        let authorizations: BTreeSet<&str> = root["system-implementation"]["leveraged-authorizations"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a["uuid"].as_str())
            .collect();
        for (at, props) in all_of(root, "props") {
            for p in props.as_array().into_iter().flatten() {
                if p["name"] == "leveraged-authorization-uuid" {
                    let v = p["value"].as_str().unwrap_or_default();
                    check("leveraged-authorization-uuid", &at, v, authorizations.contains(v));
                }
            }
        }
        // Control and statement ids, each against the catalog its context names.
        let in_catalog = |catalog: &str, id: &str| controls.get(catalog).is_some_and(|c| c.contains(id));
        let part_in = |catalog: &str, id: &str| parts.get(catalog).is_some_and(|c| c.contains(id));
        if let Some(list) = root["components"].as_array() {
            for (k, comp) in list.iter().enumerate() {
                for (j, ci) in comp["control-implementations"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    let at = format!("/components/{k}/control-implementations/{j}");
                    let catalog = join(path, ci["source"].as_str().unwrap_or_default());
                    check("source", &at, &catalog, controls.contains_key(&catalog));
                    for ir in ci["implemented-requirements"].as_array().into_iter().flatten() {
                        let id = ir["control-id"].as_str().unwrap_or_default();
                        check("control-id", &at, id, in_catalog(&catalog, id));
                        for st in ir["statements"].as_array().into_iter().flatten() {
                            let sid = st["statement-id"].as_str().unwrap_or_default();
                            check("statement-id", &at, sid, part_in(&catalog, sid));
                        }
                    }
                }
            }
        }
        let imported = |profile_path: &str| -> Vec<String> {
            docs.get(profile_path)
                .map(|p| {
                    p["profile"]["imports"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|i| i["href"].as_str())
                        .map(|h| join(profile_path, h))
                        .collect()
                })
                .unwrap_or_default()
        };
        if let Some(imports) = root["imports"].as_array() {
            for (k, i) in imports.iter().enumerate() {
                let catalog = join(path, i["href"].as_str().unwrap_or_default());
                for (at, list) in all_of(i, "with-ids") {
                    for v in list.as_array().into_iter().flatten().filter_map(Value::as_str) {
                        check("with-ids", &format!("/imports/{k}{at}"), v, in_catalog(&catalog, v));
                    }
                }
            }
        }
        if let Some(href) = root["import-profile"]["href"].as_str() {
            let catalogs = imported(&join(path, href));
            check("import-profile", "/import-profile", href, !catalogs.is_empty());
            for (at, v) in strings(&root["control-implementation"], "control-id") {
                check("control-id", &at, v, catalogs.iter().any(|c| in_catalog(c, v)));
            }
        }
        for (k, m) in root["mappings"].as_array().into_iter().flatten().enumerate() {
            let source = join(path, m["source-resource"]["href"].as_str().unwrap_or_default());
            let target = join(path, m["target-resource"]["href"].as_str().unwrap_or_default());
            for (j, map) in m["maps"].as_array().into_iter().flatten().enumerate() {
                let at = format!("/mappings/{k}/maps/{j}");
                for s in map["sources"].as_array().into_iter().flatten() {
                    let v = s["id-ref"].as_str().unwrap_or_default();
                    check("source id-ref", &at, v, in_catalog(&source, v));
                }
                for t in map["targets"].as_array().into_iter().flatten() {
                    let v = t["id-ref"].as_str().unwrap_or_default();
                    check("target id-ref", &at, v, in_catalog(&target, v));
                }
            }
            for (at, list) in all_of(&m["source-gap-summary"], "with-ids") {
                for v in list.as_array().into_iter().flatten().filter_map(Value::as_str) {
                    check("unmapped control", &at, v, in_catalog(&source, v));
                }
            }
        }
        for (at, v) in strings(root, "control-id") {
            check("control-id", &at, v, all_controls.contains(&v.to_string()));
        }
        for (at, v) in strings(root, "target-id") {
            check("target-id", &at, v, all_parts.contains(&v.to_string()));
        }
        // An implemented requirement a finding refers to exists in a plan of the same folder.
        for (at, v) in strings(root, "implementation-statement-uuid") {
            let plan = join(path, "ssp.json");
            let ok = uuids_in(&plan).is_some_and(|set| set.contains(v));
            check("implementation-statement-uuid", &at, v, ok);
        }
    }
    broken
}

/// Export a workspace (a path from the repository root) as of 2026-11-30 with `extra`
/// arguments; the files by path.
pub fn export_with(workspace: &str, name: &str, extra: &[&str]) -> BTreeMap<String, Vec<u8>> {
    let scratch = super::Scratch::new(name);
    let out = scratch.join("out");
    let out_s = out.to_str().expect("utf-8 path").to_string();
    let mut args = vec!["export", "oscal", workspace, "-o", &out_s, "--as-of", "2026-11-30"];
    args.extend_from_slice(extra);
    let run = super::ctrlmap(&args);
    assert!(run.code == 0, "export failed: {}{}", run.stdout, run.stderr);
    tree(&out)
}

pub fn export(workspace: &str, name: &str) -> BTreeMap<String, Vec<u8>> {
    export_with(workspace, name, &[])
}

/// Every file that is JSON, parsed, by path.
pub fn docs(files: &BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Value> {
    files
        .iter()
        .filter(|(p, _)| p.ends_with(".json"))
        .map(|(p, b)| (p.clone(), json(b)))
        .collect()
}

/// Every schema problem of every JSON file.
pub fn schema_problems(files: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut validators = Validators::default();
    let mut problems = Vec::new();
    for (path, doc) in docs(files) {
        for p in validators.problems(&doc) {
            problems.push(format!("{path}: {p}"));
        }
    }
    problems
}

/// The fixture workspace with every kind of row (tests/fixtures/oscal/gaps).
pub fn gaps() -> String {
    super::fixture("oscal/gaps").to_string_lossy().into_owned()
}

/// The values of a property (any namespace) of an object.
pub fn prop<'a>(v: &'a Value, name: &str) -> Vec<&'a str> {
    v["props"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["name"] == name)
        .filter_map(|p| p["value"].as_str())
        .collect()
}

/// The implemented requirement of a control (by ctrlmap reference) in a plan.
pub fn requirement<'a>(ssp: &'a Value, control: &str) -> &'a Value {
    find_requirement(ssp, control).unwrap_or_else(|| panic!("no implemented requirement for {control}"))
}

pub fn find_requirement<'a>(ssp: &'a Value, control: &str) -> Option<&'a Value> {
    ssp["system-security-plan"]["control-implementation"]["implemented-requirements"]
        .as_array()
        .expect("requirements")
        .iter()
        .find(|r| prop(r, "control") == [control])
}

/// The by-components of a requirement's statements.
pub fn by_components(req: &Value) -> Vec<&Value> {
    req["statements"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["by-components"].as_array().into_iter().flatten())
        .collect()
}

pub fn by_component<'a>(req: &'a Value, component: &str) -> &'a Value {
    by_components(req)
        .into_iter()
        .find(|b| b["component-uuid"] == component)
        .unwrap_or_else(|| panic!("no by-component for {component} in {req}"))
}

/// A component of a plan by title.
pub fn component<'a>(ssp: &'a Value, title: &str) -> &'a Value {
    ssp["system-security-plan"]["system-implementation"]["components"]
        .as_array()
        .expect("components")
        .iter()
        .find(|c| c["title"] == title)
        .unwrap_or_else(|| panic!("no component titled {title}"))
}

pub fn component_uuid<'a>(ssp: &'a Value, title: &str) -> &'a str {
    component(ssp, title)["uuid"].as_str().expect("uuid")
}
