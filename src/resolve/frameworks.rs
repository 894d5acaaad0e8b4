//! Which frameworks apply to a scope, and why (or why not): the catalogs' `applies_to` tested
//! on the client's declared profile, worded for the matrix and the documents. Uses `model`.

use super::FrameworkExclusion;
use super::applicability;
use super::applicability::holds;
use crate::model::catalog::Framework;
use crate::model::*;

/// Frameworks that apply to a scope: as listed, or derived from the client profile.
pub fn applicable_frameworks(ws: &Workspace, scope: &Scope) -> Vec<String> {
    framework_applicability(ws, scope)
        .into_iter()
        .map(|(id, _)| id)
        .collect()
}

/// Frameworks that apply to a scope, each with why: as listed in the scope's `frameworks:`
/// (the explicit override), or derived from what the client profile declares, by each
/// catalog's `applies_to` (the baseline for everyone; the others by the facts their own scope
/// provisions name).
pub fn framework_applicability(ws: &Workspace, scope: &Scope) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = match &scope.frameworks {
        Some(list) => list
            .iter()
            .map(|id| (id.clone(), "listed in the scope's `frameworks:`".to_string()))
            .collect(),
        None => ws
            .frameworks
            .values()
            .filter_map(|fw| {
                Some((
                    fw.id().to_string(),
                    framework_applies_because(fw, &scope.client.profile)?,
                ))
            })
            .collect(),
    };
    found.retain(|(id, _)| ws.frameworks.contains_key(id));
    found.sort_by_key(|(id, _)| framework_order(ws, id));
    found.dedup_by(|a, b| a.0 == b.0);
    found
}

/// Every catalog of the workspace that does not apply to the scope, with why, in the order
/// frameworks are listed. `applicable` is [`framework_applicability`]'s answer.
pub fn framework_exclusions(ws: &Workspace, scope: &Scope, applicable: &[(String, String)]) -> Vec<FrameworkExclusion> {
    let mut out: Vec<FrameworkExclusion> = ws
        .frameworks
        .values()
        .filter(|fw| !applicable.iter().any(|(id, _)| id == fw.id()))
        .map(|fw| FrameworkExclusion {
            id: fw.id().to_string(),
            title: fw.catalog.title.clone(),
            citation: fw.catalog.citation.clone(),
            reason: framework_excluded_because(fw, scope),
        })
        .collect();
    out.sort_by_key(|x| framework_order(ws, &x.id));
    out
}

/// Why a catalog does not apply to a scope: the scope's own list leaves it out, a declared fact
/// excludes it (`glba: false`, another regulator's jurisdiction), or nothing the profile
/// declares makes it apply. Quotes what the scope says, never a default it did not write.
fn framework_excluded_because(fw: &Framework, scope: &Scope) -> String {
    if let Some(list) = &scope.frameworks {
        return format!(
            "the scope lists its frameworks without it (`frameworks: [{}]`)",
            list.join(", ")
        );
    }
    let p = &scope.client.profile;
    let Some(rule) = fw.catalog.applies_to.as_ref() else {
        return "its catalog names no client it binds (no `applies_to`), so it applies only to a scope that lists it in `frameworks:`".into();
    };
    let binds = rule
        .binds
        .as_deref()
        .map(|b| format!("; it binds {b}"))
        .unwrap_or_default();
    if let Some(flag) = &rule.flag
        && applicability::declared_flag(flag, p) == Some(false)
    {
        return format!("`client.profile.{flag}: false`{binds}");
    }
    if let Some(e) = rule.except.iter().find(|e| holds(&e.when, p)) {
        return format!("{}{binds}", e.reason);
    }
    if rule.institution_types.is_some()
        && let Some(kind) = p.institution_type.as_deref()
        && let Some(t) = fw.catalog.institution_types.iter().find(|t| t.id == kind && !t.covered)
    {
        let note = t.note.as_deref().map(|n| format!(": {n}")).unwrap_or_default();
        return format!(
            "`client.profile.institution_type: {kind}`{note} ({}){binds}",
            t.citation
        );
    }
    // Nothing the profile declares makes it apply: say what it declares of the facts the
    // catalog's own rules test.
    let mut facts = Vec::new();
    facts.extend(rule.flag.iter().cloned());
    for r in &rule.profile {
        applicability::facts_tested(&r.when, &mut facts);
    }
    if rule.institution_types.is_some() && !facts.iter().any(|f| f == "institution_type") {
        facts.push("institution_type".into());
    }
    let mut said: Vec<String> = Vec::new();
    let mut silent: Vec<String> = Vec::new();
    for f in &facts {
        match applicability::declared(f, p) {
            Some(v) => said.push(format!("`client.profile.{f}: {v}`")),
            None => silent.push(format!("`{f}`")),
        }
    }
    let silent = match silent.as_slice() {
        [] => None,
        [one] => Some(format!("the profile does not declare {one}")),
        [a, b] => Some(format!("the profile declares neither {a} nor {b}")),
        many => Some(format!("the profile declares none of {}", many.join(", "))),
    };
    let mut what = said.join(", ");
    if let Some(s) = silent {
        if !what.is_empty() {
            what.push_str(", and ");
        }
        what.push_str(&s);
    }
    if what.is_empty() {
        what = "the client profile meets none of its conditions".into();
    }
    format!("{what}{binds}")
}

/// Why a catalog applies to a client with this profile, or `None`.
fn framework_applies_because(fw: &Framework, p: &Profile) -> Option<String> {
    let rule = fw.catalog.applies_to.as_ref()?;
    if let Some(reason) = &rule.baseline {
        return Some(reason.clone());
    }
    if let Some(flag) = &rule.flag {
        match applicability::declared_flag(flag, p) {
            Some(true) => return Some(format!("`client.profile.{flag}: true`")),
            Some(false) => return None,
            None => {}
        }
    }
    // Another regulator's jurisdiction excludes the client although its kind would be covered.
    if rule.except.iter().any(|e| holds(&e.when, p)) {
        return None;
    }
    if let Some(r) = rule.profile.iter().find(|r| applicability::holds(&r.when, p)) {
        return Some(r.reason.clone());
    }
    if let Some(what) = &rule.institution_types {
        let kind = p.institution_type.as_deref()?;
        let t = fw
            .catalog
            .institution_types
            .iter()
            .find(|t| t.id == kind && t.covered)?;
        return Some(format!(
            "`client.profile.institution_type: {kind}`: {what} ({})",
            t.citation
        ));
    }
    None
}

/// By the catalogs' `applies_to.order` (the baseline first), then by id.
fn framework_order(ws: &Workspace, id: &str) -> (u32, String) {
    let order = ws
        .framework(id)
        .and_then(|fw| fw.catalog.applies_to.as_ref())
        .and_then(|a| a.order)
        .unwrap_or(u32::MAX);
    (order, id.to_string())
}
