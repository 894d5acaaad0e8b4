//! No owner from nowhere: every party a matrix row names as responsible must have been put
//! there by a scope assignment, a subscribed service's claim, a `client_owned` entry or an
//! `equal` / `subset-of` crosswalk row (on the control or a control that contains it), or be
//! rolled up from the row's parts. A scope's package (and the packages it builds on) declares
//! for the scope too. Checked for every scope of the example and of every fixture workspace,
//! against the YAML files read here, not against the engine's own data.

mod support;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use support::*;

const WORKSPACES: &[&str] = &[
    "examples/northwind-msp",
    "tests/fixtures/findings",
    "tests/fixtures/rules",
    "tests/fixtures/ci",
    "tests/fixtures/semantics",
    "tests/fixtures/render/northwind",
    "tests/fixtures/injection",
];

fn yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(yaml_files(&p));
        } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// Parent of every control, per framework, from the catalog files (built-in, then the
/// workspace's own, which replace a built-in one with the same id).
fn parents(ws: &Path) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut files: Vec<PathBuf> = yaml_files(&repo().join("frameworks"));
    files.extend(yaml_files(&ws.join("frameworks")));
    for f in files {
        let doc = yaml(&f);
        if doc["kind"] != "catalog" {
            continue;
        }
        let id = doc["id"].as_str().expect("catalog id").to_string();
        let mut map = BTreeMap::new();
        for c in doc["controls"].as_array().into_iter().flatten() {
            if let (Some(cid), Some(p)) = (c["id"].as_str(), c["parent"].as_str()) {
                map.insert(cid.to_string(), p.to_string());
            }
        }
        out.insert(id, map);
    }
    out
}

/// `framework:id` of the control and every control that contains it.
fn chain(parents: &BTreeMap<String, BTreeMap<String, String>>, control: &str) -> Vec<String> {
    let (fw, id) = control.split_once(':').expect("framework:id");
    let mut out = vec![control.to_string()];
    let mut cur = id.to_string();
    while let Some(p) = parents.get(fw).and_then(|m| m.get(&cur)) {
        out.push(format!("{fw}:{p}"));
        cur = p.clone();
    }
    out
}

/// Crosswalk rows that give full coverage: (framework, from id) → CSF ids.
fn full_links(ws: &Path) -> BTreeMap<(String, String), BTreeSet<String>> {
    let mut by_id: BTreeMap<String, Value> = BTreeMap::new();
    for dir in [repo().join("frameworks/crosswalks"), ws.join("frameworks/crosswalks")] {
        for f in yaml_files(&dir) {
            let doc = yaml(&f);
            if doc["kind"] == "crosswalk" {
                by_id.insert(doc["id"].as_str().expect("id").to_string(), doc);
            }
        }
    }
    let mut out: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for doc in by_id.values() {
        let from = doc["from"].as_str().unwrap_or_default().to_string();
        for m in doc["mappings"].as_array().into_iter().flatten() {
            if matches!(m["relationship"].as_str(), Some("equal" | "subset-of")) {
                out.entry((from.clone(), m["from"].as_str().unwrap_or_default().to_string()))
                    .or_default()
                    .insert(format!("csf-2.0:{}", m["to"].as_str().unwrap_or_default()));
            }
        }
    }
    out
}

fn list(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

/// The scope file, then its package and the packages that one builds on (`packages/*.yaml`).
fn layers(ws: &Path, scope: &Value) -> Vec<Value> {
    let mut packages: BTreeMap<String, Value> = BTreeMap::new();
    for f in yaml_files(&ws.join("packages")) {
        let doc = yaml(&f);
        packages.insert(doc["id"].as_str().unwrap_or_default().to_string(), doc);
    }
    let mut out = vec![scope.clone()];
    let mut next = scope["package"].as_str().map(str::to_string);
    while let Some(id) = next {
        let Some(p) = packages.get(&id) else { break };
        if out.len() > packages.len() {
            break;
        }
        next = p["extends"].as_str().map(str::to_string);
        out.push(p.clone());
    }
    out
}

/// What the scope file, its packages and its subscribed services say, per control: parties put
/// there.
fn declared(ws: &Path, scope: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let layers = layers(ws, scope);
    for layer in &layers {
        for a in layer["assignments"].as_array().into_iter().flatten() {
            let c = a["control"].as_str().unwrap_or_default().to_string();
            out.entry(c).or_default().extend(list(&a["responsible"]));
        }
        for c in layer["client_owned"].as_array().into_iter().flatten() {
            let id = c["control"].as_str().unwrap_or_default().to_string();
            out.entry(id).or_default().insert("client".into());
        }
    }
    let mut services: BTreeMap<String, Value> = BTreeMap::new();
    for f in yaml_files(&ws.join("services")) {
        let doc = yaml(&f);
        services.insert(doc["id"].as_str().unwrap_or_default().to_string(), doc);
    }
    // A service subscribed in several layers counts with the nearest layer's options.
    let mut seen = BTreeSet::new();
    let subscriptions: Vec<&Value> = layers
        .iter()
        .flat_map(|l| l["services"].as_array().into_iter().flatten())
        .filter(|sub| seen.insert(sub["ref"].as_str().unwrap_or_default().to_string()))
        .collect();
    for sub in subscriptions {
        let Some(service) = services.get(sub["ref"].as_str().unwrap_or_default()) else {
            continue;
        };
        let chosen = list(&sub["options"]);
        for claim in service["controls"].as_array().into_iter().flatten() {
            if let Some(option) = claim["option"].as_str()
                && !chosen.iter().any(|o| o == option)
            {
                continue;
            }
            let parties: &[&str] = match claim["split"].as_str() {
                Some("msp") => &["msp"],
                Some("client") => &["client"],
                Some("shared") => &["msp", "client"],
                _ => &[],
            };
            let entry = out
                .entry(claim["control"].as_str().unwrap_or_default().to_string())
                .or_default();
            entry.extend(parties.iter().map(|p| p.to_string()));
        }
    }
    out
}

fn matrix(scope_file: &Path) -> Value {
    let run = ctrlmap([
        "matrix".as_ref(),
        scope_file.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}: {}", scope_file.display(), run.stderr);
    serde_json::from_str(&run.stdout).expect("matrix JSON")
}

#[test]
fn every_owner_in_every_matrix_was_put_there_by_a_declared_source() {
    let mut rows_checked = 0usize;
    let mut owned_checked = 0usize;
    for rel in WORKSPACES {
        let ws = repo().join(rel);
        let parents = parents(&ws);
        let links = full_links(&ws);
        let files: Vec<PathBuf> = yaml_files(&ws.join("scopes"))
            .into_iter()
            .filter(|f| yaml(f)["kind"] == "scope")
            .collect();
        // The matrices, computed by the binary in parallel.
        let docs: Vec<Value> = std::thread::scope(|s| {
            let handles: Vec<_> = files.iter().map(|f| s.spawn(move || matrix(f))).collect();
            handles.into_iter().map(|h| h.join().expect("matrix thread")).collect()
        });
        for (scope_file, doc) in files.iter().zip(docs) {
            let scope = yaml(scope_file);
            let declared = declared(&ws, &scope);
            let rows: BTreeMap<String, &Value> = doc["rows"]
                .as_array()
                .expect("rows")
                .iter()
                .map(|r| (r["control"].as_str().unwrap_or_default().to_string(), r))
                .collect();
            // Parts of each row, from the catalog's parent links.
            let mut parts: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
            for (control, r) in &rows {
                let c = chain(&parents, control);
                if let Some(parent) = c.get(1) {
                    parts.entry(parent.clone()).or_default().push(r);
                }
            }
            for (control, r) in &rows {
                rows_checked += 1;
                let responsible: BTreeSet<String> = list(&r["responsible"]).into_iter().collect();
                if responsible.is_empty() {
                    continue;
                }
                owned_checked += 1;
                let mut justified: BTreeSet<String> = BTreeSet::new();
                for c in chain(&parents, control) {
                    if let Some(p) = declared.get(&c) {
                        justified.extend(p.iter().cloned());
                    }
                    let (fw, id) = c.split_once(':').expect("framework:id");
                    for csf in links.get(&(fw.to_string(), id.to_string())).into_iter().flatten() {
                        match rows.get(csf) {
                            Some(csf_row) => justified.extend(list(&csf_row["responsible"])),
                            // CSF is not in this scope's matrix (an explicit `frameworks:` list):
                            // the outcome's owners are what the scope and services declare for it.
                            None => {
                                for cc in chain(&parents, csf) {
                                    justified.extend(declared.get(&cc).into_iter().flatten().cloned());
                                }
                            }
                        }
                    }
                }
                for part in parts.get(control).into_iter().flatten() {
                    justified.extend(list(&part["responsible"]));
                }
                let unexplained: Vec<&String> = responsible.difference(&justified).collect();
                assert!(
                    unexplained.is_empty(),
                    "{}: {control} names {unexplained:?} as responsible, but no assignment, service claim, client_owned entry, equal/subset-of crosswalk row or part puts them there",
                    scope_file.display()
                );
            }
        }
    }
    assert!(
        rows_checked > 3000 && owned_checked > 1000,
        "{rows_checked} rows, {owned_checked} owned"
    );
}
