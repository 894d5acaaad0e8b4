//! A scope's assessment as OSCAL: a minimal assessment plan, the assessment results and a plan
//! of action and milestones.
//!
//! The **assessment plan** names the plan assessed (`import-ssp`), the controls reviewed (every
//! control of the scope's matrix that is a control in its catalog) and the as-of date (a task
//! on that date): what the results' `import-ap` points at.
//!
//! The **results** record a finding for every reviewed control, so "assessed and satisfied"
//! differs from "not assessed": a control without a ctrlmap finding is `satisfied` (reason
//! `pass`; a control marked not applicable says so); each ctrlmap finding is `not-satisfied`,
//! with an observation (the message, where it points, the evidence files of its control, the
//! client's system as its subject), a risk (severity as a facet, likelihood and impact derived
//! from it, status `open` or `deviation-approved` for a waived finding, with the waiver's
//! expiry as the deadline, its compensating control as a mitigating factor, and a risk log
//! naming who logged it) and a link to the plan's implemented requirement.
//!
//! The **POA&M** lists every finding (open, or waived: a waiver is an approved deviation, not a
//! fix) as an item with the same observation, risk and finding; a waived finding's risk has a
//! remediation with a milestone on the waiver's expiry.

use super::evidence::{evidence_resources, evidence_uuid};
use super::ids::{self, NS, control_token, statement_id};
use super::scope_ids::{client_uuid, finding_uuid, requirement_uuid, system_uuid, this_system_uuid};
use super::status::row_status;
use super::system::{provider_uuid, role, role_def};
use super::{ScopeInput, datetime, end_of, finish, input_date, metadata, one_line, prop, prop_with_remarks};
use crate::assess::{Finding, Severity};
use crate::resolve::Row;
use serde_json::{Value, json};
use std::collections::BTreeMap;

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

/// The UUID of the person who prepared the assessment (`assessment.prepared_by`), the same
/// in the plan and the results.
fn preparer_uuid(scope: &crate::model::Scope) -> String {
    ids::uuid(&format!("party/person/{}/prepared-by", scope.id))
}

/// Likelihood and impact, on OSCAL's low/moderate/high scale, derived from a finding's
/// severity (ctrlmap rates the gap, not a threat): critical and high are high, medium is
/// moderate, low and info are low.
pub fn likelihood_and_impact(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "high",
        Severity::Medium => "moderate",
        Severity::Low | Severity::Info => "low",
    }
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

/// Observations, risks and findings of a scope, in report order.
struct Parts {
    observations: Vec<Value>,
    risks: Vec<Value>,
    findings: Vec<Value>,
}

/// The party that logs risks: the person who prepared the assessment, else the MSP.
fn logger(input: &ScopeInput) -> String {
    let prepared = input.scope.assessment.as_ref().and_then(|a| a.prepared_by.as_ref());
    if prepared.is_some() {
        preparer_uuid(input.scope)
    } else {
        provider_uuid(input.ws)
    }
}

/// The rows the assessment reviewed: every row that is a control (not a catalog group), with
/// its implementation verdict.
fn reviewed<'a>(
    input: &'a ScopeInput,
) -> impl Iterator<Item = (&'a Row, &'a crate::assess::implementation::RowStatus)> {
    input
        .matrix
        .rows
        .iter()
        .zip(input.statuses)
        .filter(|(row, _)| !super::catalog::is_group_id(input.ws, &row.framework, &row.id))
}

fn parts(input: &ScopeInput) -> Parts {
    let scope = input.scope;
    let collected = datetime(input.as_of);
    let logged_by = logger(input);
    let mut findings: Vec<&Finding> = input.findings.iter().collect();
    findings.sort_by(|a, b| Finding::report_order(a, b));
    let mut out = Parts {
        observations: Vec::new(),
        risks: Vec::new(),
        findings: Vec::new(),
    };
    let statuses: BTreeMap<&str, &crate::assess::implementation::RowStatus> =
        reviewed(input).map(|(row, s)| (&*row.control, s)).collect();
    for f in &findings {
        let (fw, id) = f.control.split_once(':').unwrap_or(("", &*f.control));
        let token = control_token(fw, id);
        let title = format!("{} {} on {}", f.code, f.rule, f.control);
        let mut evidence = vec![json!({
            "href": format!("#{}", input_uuid(scope, &f.file)),
            "description": format!("Where the finding points: {}:{}:{}", f.file, f.line, f.column),
        })];
        for e in scope.evidence.iter().flatten() {
            if e.controls.iter().any(|c| **c == *f.control) {
                evidence.push(json!({
                    "href": format!("#{}", evidence_uuid(scope, &e.file)),
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
            "subjects": [{
                "subject-uuid": this_system_uuid(scope),
                "type": "component",
                "title": format!("{}: information systems", scope.client.name),
            }],
            "relevant-evidence": evidence,
            "collected": collected,
        }));
        let level = likelihood_and_impact(f.severity);
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
                "facets": [
                    { "name": "severity", "system": NS, "value": f.severity.as_str() },
                    { "name": "likelihood", "system": "http://csrc.nist.gov/ns/oscal", "value": level, "remarks": "Derived from ctrlmap's severity of the finding." },
                    { "name": "impact", "system": "http://csrc.nist.gov/ns/oscal", "value": level, "remarks": "Derived from ctrlmap's severity of the finding." },
                ],
            }],
            "related-observations": [{ "observation-uuid": observation_uuid(scope, &f.fingerprint) }],
        });
        let identified = json!({
            "uuid": ids::uuid(&format!("risk-log/{}/{}/identified", scope.id, f.fingerprint)),
            "title": "Identified by ctrlmap",
            "description": format!("{} found it as of {}.", f.code, input.as_of),
            "start": collected,
            "logged-by": [{ "party-uuid": logged_by }],
            "status-change": "open",
        });
        match &f.waived {
            Some(w) => {
                let granted = scope
                    .waivers
                    .iter()
                    .flatten()
                    .find(|x| *x.finding == *f.code && *x.control == *f.control)
                    .and_then(|x| x.granted.as_deref())
                    .and_then(input_date);
                let deadline = end_of(&w.expires);
                risk["deadline"] = json!(deadline);
                risk["mitigating-factors"] = json!([{
                    "uuid": ids::uuid(&format!("waiver/{}/{}/mitigation", scope.id, f.fingerprint)),
                    "description": w.compensating,
                }]);
                risk["remediations"] = json!([{
                    "uuid": ids::uuid(&format!("remediation/{}/{}", scope.id, f.fingerprint)),
                    "lifecycle": "planned",
                    "title": format!("Resolve {} before the waiver expires", f.code),
                    "description": f.message,
                    "origins": origins(),
                    "tasks": deadline.as_ref().map(|d| vec![json!({
                        "uuid": ids::uuid(&format!("remediation/{}/{}/milestone", scope.id, f.fingerprint)),
                        "type": "milestone",
                        "title": format!("The waiver expires ({})", w.expires),
                        "description": format!("Waiver {} approved by {}: the finding must be resolved by then.", w.ticket, w.approver),
                        "timing": { "on-date": { "date": d } },
                    })]),
                }]);
                risk["risk-log"] = json!({
                    "entries": [identified, {
                        "uuid": ids::uuid(&format!("waiver/{}/{}", scope.id, f.fingerprint)),
                        "title": "Waiver approved: accepted risk until it expires",
                        "description": format!(
                            "Waived by {} (ticket {}) until {}: {}\n\nWaiver: {}:{}",
                            w.approver, w.ticket, w.expires, w.justification, w.file, w.line
                        ),
                        "start": datetime(granted.unwrap_or(input.as_of)),
                        "logged-by": [{ "party-uuid": logged_by }],
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
                    "remarks": "The scope declares no target date for it (a waiver's expiry is the only date ctrlmap records).",
                }]);
                risk["risk-log"] = json!({ "entries": [identified] });
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
                "implementation-status": statuses.get(&*f.control).and_then(|s| row_status(s)),
            },
            "implementation-statement-uuid": statuses.contains_key(&*f.control).then(|| requirement_uuid(scope, &f.control)),
            "related-observations": [{ "observation-uuid": observation_uuid(scope, &f.fingerprint) }],
            "related-risks": [{ "risk-uuid": risk_uuid(scope, &f.fingerprint) }],
        }));
    }
    out
}

/// A finding for each reviewed control without a ctrlmap finding: assessed, and satisfied.
fn satisfied_findings(input: &ScopeInput) -> Vec<Value> {
    let scope = input.scope;
    let with_findings: std::collections::BTreeSet<&str> = input.findings.iter().map(|f| &*f.control).collect();
    reviewed(input)
        .filter(|(row, _)| !with_findings.contains(&*row.control))
        .map(|(row, status)| {
            let token = control_token(&row.framework, &row.id);
            let na = matches!(status, crate::assess::implementation::RowStatus::NotApplicable { .. });
            json!({
                "uuid": ids::uuid(&format!("finding/{}/satisfied/{}", scope.id, row.control)),
                "title": format!("{}: no finding", row.control),
                "description": if na {
                    format!("Not applicable to this client: {}", row.reason.as_deref().unwrap_or("the scope gives no reason"))
                } else {
                    format!("ctrlmap's rules found nothing to report on {} as of {}.", row.control, input.as_of)
                },
                "props": [prop("control", &row.control)],
                "origins": origins(),
                "target": {
                    "type": "statement-id",
                    "target-id": statement_id(&row.framework, &token),
                    "title": row.control,
                    "status": { "state": "satisfied", "reason": if na { "other" } else { "pass" } },
                    "implementation-status": row_status(status),
                },
                "implementation-statement-uuid": requirement_uuid(scope, &row.control),
            })
        })
        .collect()
}

/// Back-matter resources of the document at `doc_path` for the files the findings point at
/// (workspace files link to the file; built-in ones have no file) and the scope's evidence.
fn resources(input: &ScopeInput, doc_path: &str) -> Vec<Value> {
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
                "rlinks": input.layout.file_href(doc_path, path).map(|href| vec![json!({
                    "href": href,
                    "hashes": sha.map(|h| vec![json!({ "algorithm": "SHA-256", "value": h })]),
                })]),
            })
        })
        .collect();
    out.extend(evidence_resources(input, doc_path));
    out
}

/// The controls the assessment covered: every control of the matrix.
fn reviewed_controls(input: &ScopeInput) -> Value {
    let controls: Vec<Value> = reviewed(input)
        .map(|(r, _)| json!({ "control-id": control_token(&r.framework, &r.id) }))
        .collect();
    json!({
        "description": "Every control of the scope's responsibility matrix, in each applicable framework (catalog groups, which are headings, are not controls).",
        "control-selections": [{ "include-controls": controls }],
    })
}

/// Metadata of the plan, the results and the POA&M: the scope, the as-of date, the MSP and
/// the client as parties, and who prepared the assessment when the scope says.
fn scope_metadata(input: &ScopeInput, title: String) -> Value {
    let scope = input.scope;
    let mut meta = metadata(&title, &input.as_of.to_string(), super::OSCAL_VERSION, input.as_of);
    if let Some(props) = meta["props"].as_array_mut() {
        props.extend(
            [prop("scope", &scope.id), prop("as-of", &input.as_of.to_string())]
                .into_iter()
                .flatten(),
        );
    }
    let msp = provider_uuid(input.ws);
    let client = client_uuid(scope);
    let mut parties = vec![
        json!({ "uuid": msp, "type": "organization", "name": one_line(&scope.provider.name).unwrap_or_else(|| "msp".into()), "props": [prop("party-id", "msp")] }),
        json!({ "uuid": client, "type": "organization", "name": one_line(&scope.client.name).unwrap_or_else(|| scope.id.clone()), "props": [prop("party-id", "client")] }),
    ];
    let mut responsible = vec![json!({ "role-id": role::PREPARED_FOR, "party-uuids": [client] })];
    match scope.assessment.as_ref().and_then(|a| a.prepared_by.as_ref()) {
        Some(who) => {
            parties.push(json!({
                "uuid": preparer_uuid(scope),
                "type": "person",
                "name": one_line(&who.name).unwrap_or_else(|| "unnamed".into()),
                "props": [who.role.as_deref().and_then(|r| prop("role", r))],
                "member-of-organizations": [msp],
            }));
            responsible.push(json!({ "role-id": role::PREPARED_BY, "party-uuids": [preparer_uuid(scope)] }));
        }
        None => responsible.push(json!({ "role-id": role::PREPARED_BY, "party-uuids": [msp] })),
    }
    meta["roles"] = json!([role_def(role::PREPARED_BY), role_def(role::PREPARED_FOR)]);
    meta["parties"] = json!(parties);
    meta["responsible-parties"] = json!(responsible);
    meta
}

/// The minimal assessment plan the results import.
pub fn assessment_plan(input: &ScopeInput) -> Vec<u8> {
    let scope = input.scope;
    let layout = &input.layout;
    let doc_path = layout.scope_doc(scope, "assessment-plan.json");
    let meta = scope_metadata(
        input,
        format!(
            "Assessment plan: {} ({}) as of {}",
            scope.client.name, scope.id, input.as_of
        ),
    );
    let doc = json!({
        "assessment-plan": {
            "uuid": "",
            "metadata": meta,
            "import-ssp": { "href": layout.href(&doc_path, &layout.scope_doc(scope, "ssp.json")) },
            "local-definitions": {
                "remarks": "ctrlmap assesses the scope's declared responsibility matrix with its built-in rules and the policy packs enabled for the scope's frameworks; ctrlmap's docs/findings.md lists every rule.",
            },
            "reviewed-controls": reviewed_controls(input),
            "assessment-subjects": [{
                "type": "component",
                "include-subjects": [{ "subject-uuid": this_system_uuid(scope), "type": "component" }],
            }],
            "assessment-assets": assessment_assets(),
            "tasks": [{
                "uuid": ids::uuid(&format!("ap/{}/task/check", scope.id)),
                "type": "action",
                "title": format!("ctrlmap check of {} as of {}", scope.id, input.as_of),
                "timing": { "on-date": { "date": datetime(input.as_of) } },
            }],
        }
    });
    finish(doc, "assessment-plan", &format!("ap/{}", scope.id))
}

pub fn assessment_results(input: &ScopeInput) -> Vec<u8> {
    let scope = input.scope;
    let layout = &input.layout;
    let doc_path = layout.scope_doc(scope, "assessment-results.json");
    let ssp = ids::uuid(&format!("ar/{}/ssp", scope.id));
    let Parts {
        observations,
        risks,
        mut findings,
    } = parts(input);
    findings.extend(satisfied_findings(input));
    let open = input.findings.iter().filter(|f| f.waived.is_none()).count();
    let reviewed_count = reviewed(input).count();
    let mut back = resources(input, &doc_path);
    back.push(json!({
        "uuid": ssp,
        "title": format!("System security plan of {}", scope.id),
        "rlinks": [{ "href": layout.href(&doc_path, &layout.scope_doc(scope, "ssp.json")), "media-type": "application/oscal.ssp+json" }],
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
            "import-ap": { "href": layout.href(&doc_path, &layout.scope_doc(scope, "assessment-plan.json")) },
            "results": [{
                "uuid": ids::uuid(&format!("ar/{}/result", scope.id)),
                "title": format!("ctrlmap check of {} as of {}", scope.id, input.as_of),
                "description": format!(
                    "{} reviewed; {}: {open} open, {} waived.",
                    crate::emit::count(reviewed_count, "control"),
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
    let layout = &input.layout;
    let doc_path = layout.scope_doc(scope, "poam.json");
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
            "import-ssp": { "href": layout.href(&doc_path, &layout.scope_doc(scope, "ssp.json")) },
            "system-id": { "identifier-type": "http://ietf.org/rfc/rfc4122", "id": system_uuid(scope) },
            "local-definitions": { "assessment-assets": assessment_assets() },
            "observations": observations,
            "risks": risks,
            "findings": findings,
            "poam-items": items,
            "back-matter": { "resources": resources(input, &doc_path) },
        }
    });
    finish(doc, "plan-of-action-and-milestones", &format!("poam/{}", scope.id))
}
