//! One matrix row of a scope as an implemented requirement of the client's OSCAL plan: the
//! statement's by-components (who does what, from the provenance the engine recorded), each
//! party's implementation status, ctrlmap's properties of the row (RACI, coverage, flags,
//! provenance) and its links to evidence and findings. `ssp.rs` makes the plan around them.

use super::attribution::{Attribution, Index};
use super::component::service_uuid;
use super::evidence::evidence_uuid;
use super::ids::{self, control_token, statement_id};
use super::scope_ids::{
    client_uuid, engagement_uuid, finding_uuid, party_component_uuid, requirement_uuid, third_party_uuid,
    this_system_uuid,
};
use super::status::{part_status, row_status};
use super::system::{claim_key, provided_description, provided_uuid, provider_uuid, responsibility_uuid, role};
use super::{ScopeInput, oscal_prop, prop, prop_with_remarks};
use crate::assess::Finding;
use crate::assess::implementation::RowStatus;
use crate::model::{AddressableDecision, Claim, Party, Service, Split};
use crate::resolve::{Coverage, Row, SourceKind, Summary};
use serde_json::{Value, json};

/// The role of a kind of party in a client's plan.
fn role_of(party: &str) -> &'static str {
    match party {
        "msp" => role::PROVIDER,
        "client" => role::SYSTEM_OWNER,
        _ => role::THIRD_PARTY,
    }
}

/// The responsible roles of a row's responsible parties, one role per kind of party.
fn responsible_roles(input: &ScopeInput, parties: &[Party]) -> Vec<Value> {
    let scope = input.scope;
    let mut by_role: Vec<(&str, Vec<String>)> = Vec::new();
    for p in parties {
        let uuid = match p.as_str() {
            "msp" => provider_uuid(input.ws),
            "client" => client_uuid(scope),
            other => match scope.parties().find(|t| t.id == other) {
                Some(t) => third_party_uuid(scope, t),
                None => continue,
            },
        };
        let r = role_of(p);
        match by_role.iter_mut().find(|(id, _)| *id == r) {
            Some((_, list)) => list.push(uuid),
            None => by_role.push((r, vec![uuid])),
        }
    }
    by_role
        .into_iter()
        .map(|(r, uuids)| json!({ "role-id": r, "party-uuids": uuids }))
        .collect()
}

fn joined(duties: Option<&Vec<String>>) -> Option<String> {
    duties
        .map(|d| {
            d.iter()
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join("\n\n")
        })
        .filter(|s| !s.is_empty())
}

fn declared(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

/// One row as an implemented requirement.
pub(super) fn requirement(
    input: &ScopeInput,
    index: &Index,
    row: &Row,
    status: &RowStatus,
    findings: &[&Finding],
    ar_href: &str,
    used_engagement: &mut bool,
) -> Value {
    let scope = input.scope;
    let ws = input.ws;
    let base = format!("ssp/{}/requirement/{}", scope.id, row.control);
    let attribution = index.attribute(row, 0);
    let client = client_uuid(scope);
    let msp = provider_uuid(ws);
    let responsible = |p: &str| row.responsible.iter().any(|r| r == p);
    let owned = !matches!(row.summary, Summary::Unassigned | Summary::NotApplicable);
    let status_of = |party: &str| status.part(party).map(|p| part_status(scope, p));
    let mut by_components: Vec<Value> = Vec::new();

    if owned {
        // One by-component per service (a service may claim a control more than once, under
        // different options): what it provides and what the client does about what it leaves.
        let mut services: Vec<(&Service, Vec<&Claim>)> = Vec::new();
        for (service, claim) in &attribution.claims {
            match services.iter_mut().find(|(s, _)| std::ptr::eq(*s, *service)) {
                Some((_, list)) => list.push(claim),
                None => services.push((service, vec![claim])),
            }
        }
        services.sort_by(|a, b| a.0.id.cmp(&b.0.id));
        for (service, claims) in services {
            let by = format!("{base}/by/service/{}", service.id);
            let mut inherited = Vec::new();
            let mut satisfied = Vec::new();
            let mut duties = Vec::new();
            let mut msp_side = false;
            for claim in &claims {
                let key = claim_key(service, claim);
                if matches!(claim.split, Split::Msp | Split::Shared) {
                    msp_side = true;
                    let text = provided_description(service, claim);
                    duties.push(text.clone());
                    inherited.push(json!({
                        "uuid": ids::uuid(&format!("{by}/inherited/{key}")),
                        "provided-uuid": provided_uuid(&service.id, &key),
                        "description": text,
                        "responsible-roles": [{ "role-id": role::PROVIDER, "party-uuids": [msp] }],
                    }));
                }
                if matches!(claim.split, Split::Client | Split::Shared) {
                    let text = declared(claim.client.as_deref()).map_or_else(
                        || {
                            format!(
                                "The client's part of this control with {}; the service does not describe it.",
                                service.name
                            )
                        },
                        str::to_string,
                    );
                    satisfied.push(json!({
                        "uuid": ids::uuid(&format!("{by}/satisfied/{key}")),
                        "responsibility-uuid": responsibility_uuid(&service.id, &key),
                        "description": text,
                        "responsible-roles": [{ "role-id": role::SYSTEM_OWNER, "party-uuids": [client] }],
                    }));
                }
            }
            let description = if duties.is_empty() {
                format!(
                    "{} leaves this control to the client; the client's part is stated as satisfied.",
                    service.name
                )
            } else {
                duties.join("\n\n")
            };
            let state = if msp_side {
                status_of("msp")
            } else {
                status_of("client")
            };
            by_components.push(json!({
                "component-uuid": service_uuid(&service.id),
                "uuid": ids::uuid(&by),
                "description": description,
                "implementation-status": state,
                "inherited": inherited,
                "satisfied": satisfied,
                "responsible-roles": [{ "role-id": role::PROVIDER, "party-uuids": [msp] }],
            }));
        }
        // Duties agreed in the scope itself (or projected from an outcome the scope decided).
        if attribution.scope && responsible("msp") {
            *used_engagement = true;
            let duty = joined(row.duties.get(&Party::Msp)).unwrap_or_else(|| {
                format!(
                    "{} performs this control for the client; the scope does not describe the duty.",
                    scope.provider.name
                )
            });
            by_components.push(json!({
                "component-uuid": engagement_uuid(scope),
                "uuid": ids::uuid(&format!("{base}/by/engagement")),
                "description": duty,
                "implementation-status": status_of("msp"),
                "responsible-roles": [{ "role-id": role::PROVIDER, "party-uuids": [msp] }],
            }));
        }
        for party in scope.parties() {
            if !responsible(&party.id) {
                continue;
            }
            let duty = joined(row.duties.get(party.id.as_str())).unwrap_or_else(|| {
                format!(
                    "{} performs this control; the scope does not describe the duty.",
                    party.name
                )
            });
            by_components.push(json!({
                "component-uuid": party_component_uuid(scope, party),
                "uuid": ids::uuid(&format!("{base}/by/third-party/{}", party.id)),
                "description": duty,
                "implementation-status": status_of(&party.id),
                "responsible-roles": [{ "role-id": role::THIRD_PARTY, "party-uuids": [third_party_uuid(scope, party)] }],
            }));
        }
    }

    // The client's own system: its part.
    let client_duty = joined(row.duties.get(&Party::Client));
    let description = match row.summary {
        Summary::NotApplicable => format!(
            "Not applicable: {}",
            row.reason.as_deref().unwrap_or("the scope gives no reason")
        ),
        Summary::Unassigned => {
            let mut text = if row.conflict {
                String::from(
                    "Unassigned: the sources disagree about who owns this control, so nobody does until one scope assignment decides it.",
                )
            } else {
                String::from("Unassigned: nobody owns this control.")
            };
            if !row.candidates.is_empty() {
                text.push_str(" CSF 2.0 outcomes that only intersect it (candidates, never owners): ");
                text.push_str(
                    &row.candidates
                        .iter()
                        .map(|c| c.describe())
                        .collect::<Vec<_>>()
                        .join("; "),
                );
                text.push('.');
            }
            text
        }
        _ if !row.assignable && row.provenance.iter().any(|p| p.kind == SourceKind::Rollup) => format!(
            "{}: {}",
            row.summary.label(),
            row.provenance
                .iter()
                .map(|p| p.detail.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        ),
        _ => match (&client_duty, responsible("client")) {
            (Some(d), _) => d.clone(),
            (None, true) => "The client performs this control; the scope does not describe the duty.".to_string(),
            (None, false) => format!(
                "{} for this client; {}.",
                match row.summary {
                    Summary::ThirdParty => "Performed by a third party",
                    _ => "Provided by the MSP",
                },
                if row.accountable == Party::Client {
                    "the client stays accountable".to_string()
                } else {
                    format!("accountable: {}", row.accountable)
                }
            ),
        },
    };
    let this_status = match status {
        RowStatus::NotApplicable { .. } => row_status(status),
        _ => status_of("client"),
    };
    by_components.insert(
        0,
        json!({
            "component-uuid": this_system_uuid(scope),
            "uuid": ids::uuid(&format!("{base}/by/this-system")),
            "description": description,
            "implementation-status": this_status,
            "responsible-roles": (owned && responsible("client")).then(|| vec![json!({ "role-id": role::SYSTEM_OWNER, "party-uuids": [client] })]),
        }),
    );

    let token = control_token(&row.framework, &row.id);
    json!({
        "uuid": requirement_uuid(scope, &row.control),
        "control-id": token,
        "props": row_props(row, &attribution),
        "links": row_links(input, row, findings, ar_href),
        "responsible-roles": responsible_roles(input, &row.responsible),
        "statements": [{
            "statement-id": statement_id(&row.framework, &token),
            "uuid": ids::uuid(&format!("{base}/statement")),
            "by-components": by_components,
        }],
    })
}

/// ctrlmap's properties of a row: its reference, summary, coverage, RACI, HIPAA flags,
/// evidence the services name, applicability, projection, candidates and provenance.
fn row_props(row: &Row, attribution: &Attribution) -> Vec<Option<Value>> {
    let mut props = vec![
        prop("control", &row.control),
        oscal_prop("label", &row.id),
        prop("responsibility", row.summary.as_str()),
        prop(
            "coverage",
            match row.coverage {
                Coverage::Full => "full",
                Coverage::Partial => "partial",
                Coverage::None => "none",
            },
        ),
        prop("assignable", if row.assignable { "true" } else { "false" }),
    ];
    for p in &row.responsible {
        props.push(prop("raci-responsible", p));
    }
    props.push(prop("raci-accountable", &row.accountable));
    for p in &row.consulted {
        props.push(prop("raci-consulted", p));
    }
    for p in &row.informed {
        props.push(prop("raci-informed", p));
    }
    if let Some(r) = row.requirement {
        props.push(prop(
            "requirement",
            match r {
                crate::model::Requirement::Required => "required",
                crate::model::Requirement::Addressable => "addressable",
            },
        ));
    }
    if let Some(a) = &row.addressable {
        let decision = match a.decision {
            AddressableDecision::Implemented => "implemented",
            AddressableDecision::Alternative => "alternative",
            AddressableDecision::NotReasonable => "not-reasonable",
        };
        let remarks = [a.rationale.as_deref(), a.alternative.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("\n\n");
        props.push(prop_with_remarks("addressable-decision", decision, Some(&remarks)));
    }
    if row.conflict {
        props.push(prop("conflict", "true"));
    }
    for e in &row.evidence {
        props.push(prop("evidence", e));
    }
    if let Some(a) = &row.applicability {
        props.push(prop_with_remarks(
            "applicability",
            "conditional-fact-undeclared",
            Some(a),
        ));
    }
    for p in &attribution.projected {
        props.push(prop("projected-from", p));
    }
    for c in &row.candidates {
        let mut p = prop_with_remarks("candidate", &c.control, Some(&c.describe()));
        if let Some(p) = p.as_mut() {
            p["class"] = json!(c.relationship.as_str());
        }
        props.push(p);
    }
    for p in &row.provenance {
        let mut v = prop_with_remarks("provenance", &format!("{}:{}", p.file, p.line), Some(&p.detail));
        if let Some(v) = v.as_mut()
            && let Ok(Value::String(kind)) = serde_json::to_value(p.kind)
        {
            v["class"] = json!(kind);
        }
        props.push(v);
    }
    props
}

/// Links from a row to its evidence (back-matter) and its findings (in the results).
fn row_links(input: &ScopeInput, row: &Row, findings: &[&Finding], ar_href: &str) -> Vec<Value> {
    let scope = input.scope;
    let mut links: Vec<Value> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for e in input.scope.evidence.iter().flatten() {
        if e.controls.iter().any(|c| **c == *row.control) && !seen.contains(&e.file.as_str()) {
            seen.push(&e.file);
            links.push(json!({
                "href": format!("#{}", evidence_uuid(scope, &e.file)),
                "rel": "reference",
                "text": format!("Evidence: {}", e.title.as_deref().unwrap_or(&e.file)),
            }));
        }
    }
    for f in findings.iter().filter(|f| *f.control == *row.control) {
        links.push(json!({
            "href": format!("#{ar_href}"),
            "rel": "related",
            "resource-fragment": finding_uuid(scope, &f.fingerprint),
            "text": format!(
                "Finding {} {} ({}{})",
                f.code,
                f.rule,
                f.severity.as_str(),
                if f.waived.is_some() { ", waived" } else { "" }
            ),
        }));
    }
    links
}
