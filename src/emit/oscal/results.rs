//! A scope's findings as OSCAL assessment results and a plan of action and milestones.
//!
//! Each finding becomes an observation (the message, where it points, the evidence files of
//! its control), a risk (severity as a characterization facet, status `open`, or
//! `deviation-approved` for a waived finding, with the waiver's expiry as the deadline, its
//! compensating control as a mitigating factor and the approval in the risk log) and an OSCAL
//! finding aimed at the control's statement, linked to the plan's implemented requirement.
//! The POA&M lists every finding of the scope (open, or waived: a waiver is an approved
//! deviation, not a fix) as an item with the same observation, risk and finding.

use super::ids::{self, NS, control_token, statement_id};
use super::ssp::{evidence_resources, implementation_status, requirement_uuid, system_uuid};
use super::{ScopeInput, datetime, end_of, finish, input_date, metadata, prop, prop_with_remarks};
use crate::assess::Finding;
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub fn finding_uuid(scope: &crate::model::Scope, fingerprint: &str) -> String {
    ids::uuid(&format!("finding/{}/{fingerprint}", scope.id))
}

fn observation_uuid(scope: &crate::model::Scope, fingerprint: &str) -> String {
    ids::uuid(&format!("observation/{}/{fingerprint}", scope.id))
}

fn risk_uuid(scope: &crate::model::Scope, fingerprint: &str) -> String {
    ids::uuid(&format!("risk/{}/{fingerprint}", scope.id))
}

fn tool_uuid() -> String {
    ids::uuid("tool/ctrlmap")
}

fn input_uuid(scope: &crate::model::Scope, path: &str) -> String {
    ids::uuid(&format!("input/{}/{path}", scope.id))
}

/// ctrlmap as the tool that made the observations.
fn assessment_assets() -> Value {
    json!({
        "components": [{
            "uuid": tool_uuid(),
            "type": "software",
            "title": "ctrlmap",
            "description": format!("ctrlmap {}, the compliance control mapping engine that computed the matrix and the findings.", env!("CARGO_PKG_VERSION")),
            "props": [prop("version", env!("CARGO_PKG_VERSION"))],
            "status": { "state": "operational" },
        }],
        "assessment-platforms": [{
            "uuid": ids::uuid("tool/ctrlmap/platform"),
            "title": "ctrlmap",
            "uses-components": [{ "component-uuid": tool_uuid() }],
        }],
    })
}

fn origins() -> Value {
    json!([{ "actors": [{ "type": "tool", "actor-uuid": tool_uuid() }] }])
}

/// Observations, risks and findings of a scope's findings, in report order.
struct Parts {
    observations: Vec<Value>,
    risks: Vec<Value>,
    findings: Vec<Value>,
}

fn parts(input: &ScopeInput) -> Parts {
    let scope = input.scope;
    let collected = datetime(input.as_of);
    let mut findings: Vec<&Finding> = input.findings.iter().collect();
    findings.sort_by(|a, b| Finding::report_order(a, b));
    let mut out = Parts {
        observations: Vec::new(),
        risks: Vec::new(),
        findings: Vec::new(),
    };
    for f in findings {
        let row = input.matrix.row(&f.control);
        let (fw, id) = f.control.split_once(':').unwrap_or(("", f.control.as_str()));
        let token = control_token(fw, id);
        let title = format!("{} {} on {}", f.code, f.rule, f.control);
        let mut evidence = vec![json!({
            "href": format!("#{}", input_uuid(scope, &f.file)),
            "description": format!("Where the finding points: {}:{}:{}", f.file, f.line, f.column),
        })];
        for e in scope.evidence.iter().flatten() {
            if e.controls.contains(&f.control) {
                evidence.push(json!({
                    "href": format!("#{}", super::ssp::evidence_uuid(scope, &e.file)),
                    "description": format!("Evidence on file for {}: {}", f.control, e.title.as_deref().unwrap_or(&e.file)),
                }));
            }
        }
        let props = vec![
            prop("code", &f.code),
            prop("rule", &f.rule),
            prop("severity", f.severity.as_str()),
            prop("control", &f.control),
            prop("fingerprint", &f.fingerprint),
            prop("location", &format!("{}:{}:{}", f.file, f.line, f.column)),
            f.waived.as_ref().and_then(|_| prop("waived", "true")),
        ];
        out.observations.push(json!({
            "uuid": observation_uuid(scope, &f.fingerprint),
            "title": title,
            "description": f.message,
            "props": props,
            "methods": ["EXAMINE"],
            "types": ["finding"],
            "origins": origins(),
            "relevant-evidence": evidence,
            "collected": collected,
        }));
        let mut risk = json!({
            "uuid": risk_uuid(scope, &f.fingerprint),
            "title": title,
            "description": f.message,
            "statement": crate::assess::rule(&f.code).map_or_else(|| format!("Policy rule {} ({}).", f.code, f.rule), |r| r.description.to_string()),
            "props": [prop("code", &f.code), prop("severity", f.severity.as_str())],
            "status": if f.waived.is_some() { "deviation-approved" } else { "open" },
            "origins": origins(),
            "characterizations": [{
                "origin": { "actors": [{ "type": "tool", "actor-uuid": tool_uuid() }] },
                "facets": [{ "name": "severity", "system": NS, "value": f.severity.as_str() }],
            }],
            "related-observations": [{ "observation-uuid": observation_uuid(scope, &f.fingerprint) }],
        });
        match &f.waived {
            Some(w) => {
                let granted = scope
                    .waivers
                    .iter()
                    .flatten()
                    .find(|x| x.finding == f.code && x.control == f.control)
                    .and_then(|x| x.granted.as_deref())
                    .and_then(input_date);
                risk["deadline"] = json!(end_of(&w.expires));
                risk["mitigating-factors"] = json!([{
                    "uuid": ids::uuid(&format!("waiver/{}/{}/mitigation", scope.id, f.fingerprint)),
                    "description": w.compensating,
                }]);
                risk["risk-log"] = json!({
                    "entries": [{
                        "uuid": ids::uuid(&format!("waiver/{}/{}", scope.id, f.fingerprint)),
                        "title": "Waiver approved: accepted risk until it expires",
                        "description": format!(
                            "Waived by {} (ticket {}) until {}: {}\n\nWaiver: {}:{}",
                            w.approver, w.ticket, w.expires, w.justification, w.file, w.line
                        ),
                        "start": datetime(granted.unwrap_or(input.as_of)),
                        "status-change": "deviation-approved",
                    }],
                });
            }
            None => {
                risk["remediations"] = json!([{
                    "uuid": ids::uuid(&format!("remediation/{}/{}", scope.id, f.fingerprint)),
                    "lifecycle": "recommendation",
                    "title": format!("Resolve {}", f.code),
                    "description": f.message,
                    "origins": origins(),
                }]);
            }
        }
        out.risks.push(risk);
        out.findings.push(json!({
            "uuid": finding_uuid(scope, &f.fingerprint),
            "title": title,
            "description": f.message,
            "props": [prop("code", &f.code), prop("severity", f.severity.as_str()), f.waived.as_ref().and_then(|_| prop("waived", "true"))],
            "origins": origins(),
            "target": {
                "type": "statement-id",
                "target-id": statement_id(fw, &token),
                "title": f.control,
                "status": { "state": "not-satisfied", "reason": "fail" },
                "implementation-status": row.and_then(implementation_status),
            },
            "implementation-statement-uuid": row.map(|_| requirement_uuid(scope, &f.control)),
            "related-observations": [{ "observation-uuid": observation_uuid(scope, &f.fingerprint) }],
            "related-risks": [{ "risk-uuid": risk_uuid(scope, &f.fingerprint) }],
        }));
    }
    out
}

/// Back-matter resources for the files the findings point at (workspace files link to the
/// file; built-in ones have no file) and the scope's evidence files.
fn resources(input: &ScopeInput) -> Vec<Value> {
    let scope = input.scope;
    let mut files: BTreeMap<&str, ()> = BTreeMap::new();
    for f in input.findings {
        files.insert(&f.file, ());
    }
    let mut out: Vec<Value> = files
        .keys()
        .map(|path| {
            let sha = input
                .ws
                .inputs
                .get(*path)
                .or_else(|| (*path == &*scope.origin.file).then_some(&scope.sha256));
            json!({
                "uuid": input_uuid(scope, path),
                "title": path,
                "props": [prop("path", path)],
                "rlinks": input.layout.file_href(path).map(|href| vec![json!({
                    "href": href,
                    "hashes": sha.map(|h| vec![json!({ "algorithm": "SHA-256", "value": h })]),
                })]),
            })
        })
        .collect();
    out.extend(evidence_resources(input));
    out
}

/// The controls the assessment covered: every row of the matrix.
fn reviewed_controls(input: &ScopeInput) -> Value {
    let controls: Vec<Value> = input
        .matrix
        .rows
        .iter()
        .map(|r| json!({ "control-id": control_token(&r.framework, &r.id) }))
        .collect();
    json!({
        "description": "Every control of the scope's responsibility matrix, in each applicable framework.",
        "control-selections": [{ "include-controls": controls }],
    })
}

fn scope_metadata(input: &ScopeInput, title: String) -> Value {
    let mut meta = metadata(&title, &input.as_of.to_string(), super::OSCAL_VERSION, input.as_of);
    if let Some(props) = meta["props"].as_array_mut() {
        props.extend(
            [prop("scope", &input.scope.id), prop("as-of", &input.as_of.to_string())]
                .into_iter()
                .flatten(),
        );
    }
    meta
}

pub fn assessment_results(input: &ScopeInput) -> Vec<u8> {
    let scope = input.scope;
    let plan = ids::uuid(&format!("ar/{}/plan", scope.id));
    let ssp = ids::uuid(&format!("ar/{}/ssp", scope.id));
    let Parts {
        observations,
        risks,
        findings,
    } = parts(input);
    let open = input.findings.iter().filter(|f| f.waived.is_none()).count();
    let mut back = resources(input);
    back.push(json!({
        "uuid": plan,
        "title": "Assessment plan: ctrlmap's rules and policy packs",
        "description": "There is no separate OSCAL assessment plan: ctrlmap assessed the scope's responsibility matrix with its built-in rules (CM001-CM005, CM015-CM017) and the policy packs enabled for the scope's frameworks, on the as-of date. The README lists every rule.",
    }));
    back.push(json!({
        "uuid": ssp,
        "title": format!("System security plan of {}", scope.id),
        "rlinks": [{ "href": "ssp.json", "media-type": "application/oscal.ssp+json" }],
    }));
    let mut meta = scope_metadata(
        input,
        format!(
            "Assessment results: {} ({}) as of {}",
            scope.client.name, scope.id, input.as_of
        ),
    );
    meta["links"] =
        json!([{ "href": format!("#{ssp}"), "rel": "reference", "text": "The system security plan assessed" }]);
    let doc = json!({
        "assessment-results": {
            "uuid": "",
            "metadata": meta,
            "import-ap": { "href": format!("#{plan}") },
            "results": [{
                "uuid": ids::uuid(&format!("ar/{}/result", scope.id)),
                "title": format!("ctrlmap check of {} as of {}", scope.id, input.as_of),
                "description": format!(
                    "{}: {open} open, {} waived.",
                    crate::emit::count(input.findings.len(), "finding"),
                    input.findings.len() - open
                ),
                "start": datetime(input.as_of),
                "props": [prop("system-uuid", &system_uuid(scope))],
                "local-definitions": { "assessment-assets": assessment_assets() },
                "reviewed-controls": reviewed_controls(input),
                "observations": observations,
                "risks": risks,
                "findings": findings,
            }],
            "back-matter": { "resources": back },
        }
    });
    finish(doc, "assessment-results", &format!("ar/{}", scope.id))
}

/// The POA&M of a scope (only when it has findings: OSCAL requires at least one item).
pub fn poam(input: &ScopeInput) -> Vec<u8> {
    let scope = input.scope;
    let Parts {
        observations,
        risks,
        findings,
    } = parts(input);
    let mut ordered: Vec<&Finding> = input.findings.iter().collect();
    ordered.sort_by(|a, b| Finding::report_order(a, b));
    let items: Vec<Value> = ordered
        .iter()
        .map(|f| {
            json!({
                "uuid": ids::uuid(&format!("poam-item/{}/{}", scope.id, f.fingerprint)),
                "title": format!("{} {} on {}", f.code, f.rule, f.control),
                "description": f.message,
                "props": [
                    prop("code", &f.code),
                    prop("severity", f.severity.as_str()),
                    prop("control", &f.control),
                    f.waived.as_ref().and_then(|w| prop_with_remarks("waived-until", &w.expires, Some(&w.justification))),
                ],
                "origins": origins(),
                "related-findings": [{ "finding-uuid": finding_uuid(scope, &f.fingerprint) }],
                "related-observations": [{ "observation-uuid": observation_uuid(scope, &f.fingerprint) }],
                "related-risks": [{ "risk-uuid": risk_uuid(scope, &f.fingerprint) }],
            })
        })
        .collect();
    let doc = json!({
        "plan-of-action-and-milestones": {
            "uuid": "",
            "metadata": scope_metadata(input, format!("Plan of action and milestones: {} ({}) as of {}", scope.client.name, scope.id, input.as_of)),
            "import-ssp": { "href": "ssp.json" },
            "system-id": { "identifier-type": "http://ietf.org/rfc/rfc4122", "id": system_uuid(scope) },
            "local-definitions": { "assessment-assets": assessment_assets() },
            "observations": observations,
            "risks": risks,
            "findings": findings,
            "poam-items": items,
            "back-matter": { "resources": resources(input) },
        }
    });
    finish(doc, "plan-of-action-and-milestones", &format!("poam/{}", scope.id))
}
