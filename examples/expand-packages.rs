//! For the benchmark: write a workspace's scopes out without packages, every scope stating
//! every decision itself, as scopes were written before packages existed.
//! `cargo run --release --example expand-packages -- DIR`
//!
//! Each scope file under `DIR/scopes/` that names a `package:` is rewritten in place with what
//! it inherits from the package and the packages that package extends, following the rules of
//! `src/load/package.rs`: the nearest package's entry for a control or a service wins over the
//! one it extends; the scope's own subscription to a service keeps its place among the package's
//! and takes the package's note and retention when it states neither; the model and each SLA
//! term come from the scope, else from the nearest package that sets them; client-owned and
//! addressable entries the scope writes itself win; the packages' parties are named by id.
//! The scope's own assignments and not-applicable entries outrank its package's, so a package
//! entry for a control the scope decides itself is left out. `packages/` is then emptied: the
//! result is the floor's literal case (the scope files hold everything `check` decides from),
//! and `scripts/bench.sh` compares `check`'s per-client counts on it with the packaged original.
//! Comments are not kept.

use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: expand-packages DIR");
        std::process::exit(2);
    };
    let dir = Path::new(&dir);
    let mut packages: BTreeMap<String, Value> = BTreeMap::new();
    for entry in std::fs::read_dir(dir.join("packages"))? {
        let path = entry?.path();
        let doc: Value = serde_saphyr::from_str(&std::fs::read_to_string(&path)?)?;
        if let Some(id) = doc.get("id").and_then(Value::as_str) {
            packages.insert(id.to_string(), doc);
        }
    }
    let mut scopes: Vec<_> = std::fs::read_dir(dir.join("scopes"))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    scopes.sort();
    let mut expanded = 0;
    for path in scopes {
        let text = std::fs::read_to_string(&path)?;
        let Value::Object(mut scope) = serde_saphyr::from_str::<Value>(&text)? else {
            continue;
        };
        let Some(Value::String(package)) = scope.remove("package") else {
            continue;
        };
        let inherited = flatten(&packages, &package);
        inherit(&mut scope, &inherited);
        let mut out = String::new();
        write_map(&mut out, 0, &scope);
        std::fs::write(&path, out)?;
        expanded += 1;
    }
    // The scopes now state everything: the package files go (whatever their names).
    for entry in std::fs::read_dir(dir.join("packages"))? {
        std::fs::remove_file(entry?.path())?;
    }
    println!("{expanded} scopes expanded");
    Ok(())
}

/// What a scope naming `id` inherits: one package's fields merged with those it extends.
#[derive(Default)]
struct Inherited {
    model: Option<Value>,
    sla: Map<String, Value>,
    services: Vec<Value>,
    parties: Vec<String>,
    assignments: Vec<Value>,
    not_applicable: Vec<Value>,
    client_owned: Vec<Value>,
    addressable: Vec<Value>,
    evidence: Vec<Value>,
}

fn list<'a>(doc: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    doc.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|v| !v.is_null())
}

fn key_of<'a>(entry: &'a Value, key: &str) -> &'a str {
    entry.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn flatten(packages: &BTreeMap<String, Value>, id: &str) -> Inherited {
    let mut out = Inherited::default();
    let mut next = Some(id.to_string());
    let mut seen = BTreeSet::new();
    while let Some(pid) = next.take() {
        let Some(p) = packages.get(&pid).filter(|_| seen.insert(pid.clone())) else {
            break;
        };
        if out.model.is_none() {
            out.model = p.get("model").cloned();
        }
        for (k, v) in p.get("sla").and_then(Value::as_object).into_iter().flatten() {
            out.sla.entry(k.clone()).or_insert_with(|| v.clone());
        }
        for s in list(p, "services") {
            if !out.services.iter().any(|x| key_of(x, "ref") == key_of(s, "ref")) {
                out.services.push(s.clone());
            }
        }
        for party in list(p, "parties").filter_map(Value::as_str) {
            if !out.parties.iter().any(|x| x == party) {
                out.parties.push(party.to_string());
            }
        }
        let decided: BTreeSet<String> = out
            .assignments
            .iter()
            .chain(&out.not_applicable)
            .map(|e| key_of(e, "control").to_string())
            .collect();
        out.assignments.extend(
            list(p, "assignments")
                .filter(|e| !decided.contains(key_of(e, "control")))
                .cloned(),
        );
        out.not_applicable.extend(
            list(p, "not_applicable")
                .filter(|e| !decided.contains(key_of(e, "control")))
                .cloned(),
        );
        for (field, into) in [
            ("client_owned", &mut out.client_owned),
            ("addressable", &mut out.addressable),
        ] {
            let have: BTreeSet<String> = into.iter().map(|e| key_of(e, "control").to_string()).collect();
            into.extend(list(p, field).filter(|e| !have.contains(key_of(e, "control"))).cloned());
        }
        out.evidence.extend(list(p, "evidence").cloned());
        next = p.get("extends").and_then(Value::as_str).map(str::to_string);
    }
    out
}

fn inherit(scope: &mut Map<String, Value>, found: &Inherited) {
    if !scope.contains_key("model")
        && let Some(model) = &found.model
    {
        scope.insert("model".into(), model.clone());
    }
    if !found.sla.is_empty() {
        let sla = scope.entry("sla").or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(sla) = sla {
            for (k, v) in &found.sla {
                sla.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
    }
    let take = |scope: &mut Map<String, Value>, key: &str| -> Vec<Value> {
        match scope.remove(key) {
            Some(Value::Array(items)) => items.into_iter().filter(|v| !v.is_null()).collect(),
            _ => Vec::new(),
        }
    };
    let mut own = take(scope, "services");
    let mut services = Vec::new();
    for sub in &found.services {
        match own.iter().position(|s| key_of(s, "ref") == key_of(sub, "ref")) {
            Some(k) => {
                let mut mine = own.remove(k);
                if let (Value::Object(m), Value::Object(p)) = (&mut mine, sub) {
                    for field in ["note", "retains"] {
                        if let (false, Some(v)) = (m.contains_key(field), p.get(field)) {
                            m.insert(field.into(), v.clone());
                        }
                    }
                }
                services.push(mine);
            }
            None => services.push(sub.clone()),
        }
    }
    services.extend(own);
    let mut parties = take(scope, "parties");
    let declared: BTreeSet<String> = parties
        .iter()
        .map(|p| p.as_str().unwrap_or_else(|| key_of(p, "id")).to_string())
        .collect();
    parties.extend(
        found
            .parties
            .iter()
            .filter(|id| !declared.contains(*id))
            .map(|id| Value::String(id.clone())),
    );
    let mut assignments = take(scope, "assignments");
    let mut not_applicable = take(scope, "not_applicable");
    let decided: BTreeSet<String> = assignments
        .iter()
        .chain(&not_applicable)
        .map(|e| key_of(e, "control").to_string())
        .collect();
    assignments.extend(
        found
            .assignments
            .iter()
            .filter(|e| !decided.contains(key_of(e, "control")))
            .cloned(),
    );
    not_applicable.extend(
        found
            .not_applicable
            .iter()
            .filter(|e| !decided.contains(key_of(e, "control")))
            .cloned(),
    );
    let mut by_control = |key: &str, from: &[Value]| {
        let mut mine = take(scope, key);
        let have: BTreeSet<String> = mine.iter().map(|e| key_of(e, "control").to_string()).collect();
        mine.extend(from.iter().filter(|e| !have.contains(key_of(e, "control"))).cloned());
        mine
    };
    let client_owned = by_control("client_owned", &found.client_owned);
    let addressable = by_control("addressable", &found.addressable);
    let mut evidence = take(scope, "evidence");
    evidence.extend(found.evidence.iter().cloned());
    for (key, items) in [
        ("services", services),
        ("parties", parties),
        ("assignments", assignments),
        ("client_owned", client_owned),
        ("not_applicable", not_applicable),
        ("addressable", addressable),
        ("evidence", evidence),
    ] {
        if !items.is_empty() {
            scope.insert(key.into(), Value::Array(items));
        }
    }
}

/// Block-style YAML of a mapping at `indent` spaces.
fn write_map(out: &mut String, indent: usize, map: &Map<String, Value>) {
    for (k, v) in map {
        let _ = write!(out, "{:indent$}{}:", "", scalar_text(k));
        write_value(out, indent, v);
    }
}

/// The value after `key:` (or after `- `), then its lines.
fn write_value(out: &mut String, indent: usize, v: &Value) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            write_map(out, indent + 2, m);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            for item in items {
                let _ = write!(out, "{:w$}-", "", w = indent + 2);
                match item {
                    Value::Object(m) if !m.is_empty() => {
                        // The first key on the dash's line, the others under it.
                        let mut first = true;
                        for (k, v) in m {
                            if first {
                                let _ = write!(out, " {}:", scalar_text(k));
                                first = false;
                            } else {
                                let _ = write!(out, "{:w$}{}:", "", scalar_text(k), w = indent + 4);
                            }
                            write_value(out, indent + 4, v);
                        }
                    }
                    other => write_value(out, indent + 2, other),
                }
            }
        }
        Value::Object(_) => out.push_str(" {}\n"),
        Value::Array(_) => out.push_str(" []\n"),
        Value::String(s) => {
            let _ = writeln!(out, " {}", scalar_text(s));
        }
        other => {
            let _ = writeln!(out, " {other}");
        }
    }
}

/// A string as a YAML scalar: plain when it cannot be read as anything else, else quoted
/// (a JSON string is a valid YAML double-quoted scalar).
fn scalar_text(s: &str) -> String {
    let plain = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || " ,.()/_'-".contains(c))
        && !s.ends_with(' ')
        && !["true", "false", "null", "yes", "no", "on", "off", "y", "n"].contains(&s.to_ascii_lowercase().as_str());
    if plain {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_default()
    }
}
