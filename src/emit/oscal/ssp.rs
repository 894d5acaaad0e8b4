//! A scope as an OSCAL system security plan: the client's system (`this-system`), one component
//! per subscribed service, and per matrix row an implemented requirement that says who does
//! what.
//!
//! Each row's by-components come from the sources the engine recorded in its provenance:
//!
//! - a service claim → that service's component, with the MSP's duty in `export.provided` and
//!   the client's part in `export.responsibilities` (pointing at what it completes);
//! - a scope assignment → the MSP's duty on the engagement component (exported the same way),
//!   a third party's on that party's component;
//! - a crosswalk projection → the sources of the CSF 2.0 outcome it was projected from;
//! - the client's own part → `this-system`, which `inherited` what the MSP provides and
//!   `satisfied` each responsibility left to the client, by UUID.
//!
//! `implementation-status` comes from the row's summary and coverage: not applicable →
//! `not-applicable` (the row's reason as remarks); a documented HIPAA alternative →
//! `alternative`; full coverage → `implemented`; partial → `partial`; an unassigned row has
//! none, is marked `responsibility: unassigned` and links to its findings in the assessment
//! results. RACI, coverage, provenance and candidates are properties in ctrlmap's namespace;
//! the scope's evidence files are back-matter resources with their SHA-256.

use super::component::{CUSTOMER, PROVIDER, THIRD_PARTY, duties_text, provider_uuid, roles, service_uuid};
use super::ids::{self, control_token};
use super::{ScopeInput, finish, metadata, one_line, oscal_prop, prop, prop_with_remarks};
use crate::assess::Finding;
use crate::model::Workspace;
use crate::model::{AddressableDecision, Claim, Crosswalk, Mapping, Party, Scope, Service, Split};
use crate::resolve::{Coverage, Matrix, Row, SourceKind, Summary};
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};

pub fn client_uuid(scope: &Scope) -> String {
    ids::uuid(&format!("party/client/{}", scope.id))
}

pub fn third_party_uuid(scope: &Scope, party: &str) -> String {
    ids::uuid(&format!("party/third-party/{}/{party}", scope.id))
}

pub fn this_system_uuid(scope: &Scope) -> String {
    ids::uuid(&format!("ssp/{}/component/this-system", scope.id))
}

fn engagement_uuid(scope: &Scope) -> String {
    ids::uuid(&format!("ssp/{}/component/engagement", scope.id))
}

fn party_component_uuid(scope: &Scope, party: &str) -> String {
    ids::uuid(&format!("ssp/{}/component/third-party/{party}", scope.id))
}

/// The UUID of a control's implemented requirement in a scope's plan.
pub fn requirement_uuid(scope: &Scope, control: &str) -> String {
    ids::uuid(&format!("ssp/{}/requirement/{control}", scope.id))
}

/// The UUID of an evidence entry's back-matter resource (the same in the plan and the results).
pub fn evidence_uuid(scope: &Scope, file: &str) -> String {
    ids::uuid(&format!("evidence/{}/{file}", scope.id))
}

/// The UUID of the plan's and the results' system (`system-ids`, the POA&M's `system-id`).
pub fn system_uuid(scope: &Scope) -> String {
    ids::uuid(&format!("system/{}", scope.id))
}

/// The OSCAL implementation status of a row, with its remarks: `None` for an unassigned row
/// (nobody implements it) and for an owner without coverage.
pub fn implementation_status(row: &Row) -> Option<Value> {
    let (state, remarks) = match row.summary {
        Summary::NotApplicable => ("not-applicable", row.reason.clone()),
        Summary::Unassigned => return None,
        _ => match (&row.addressable, row.coverage) {
            (Some(a), _) if a.decision == AddressableDecision::Alternative => (
                "alternative",
                Some(
                    [a.alternative.as_deref(), a.rationale.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join("\n\n"),
                )
                .filter(|s| !s.is_empty()),
            ),
            (_, Coverage::Full) => ("implemented", None),
            (_, Coverage::Partial) => ("partial", None),
            (_, Coverage::None) => return None,
        },
    };
    Some(json!({ "state": state, "remarks": remarks }))
}

/// What decided a row, found from its provenance: service claims, and whether the scope's own
/// entries (assignments, client-owned, not applicable) did.
struct Attribution<'a> {
    claims: Vec<(&'a Service, &'a Claim)>,
    scope: bool,
    /// The CSF 2.0 outcomes a projected row came from, with the relationship.
    projected: Vec<String>,
}

/// Service claims and crosswalk rows by the file and line the engine's provenance names.
struct Index<'a> {
    claims: HashMap<(&'a str, usize), (&'a Service, &'a Claim)>,
    mappings: HashMap<(&'a str, usize), (&'a Crosswalk, &'a Mapping)>,
}

impl<'a> Index<'a> {
    fn new(ws: &'a Workspace) -> Index<'a> {
        let mut claims = HashMap::new();
        for s in ws.services.values() {
            for c in s.controls.iter().flatten() {
                claims.insert((&*c.origin.file, c.origin.line), (s, c));
            }
        }
        let mut mappings = HashMap::new();
        for cw in &ws.crosswalks {
            for m in cw.mappings.iter().flatten() {
                mappings.insert((&*m.origin.file, m.origin.line), (cw, m));
            }
        }
        Index { claims, mappings }
    }

    fn attribute(&self, matrix: &Matrix, row: &Row, depth: usize) -> Attribution<'a> {
        let mut out = Attribution {
            claims: Vec::new(),
            scope: false,
            projected: Vec::new(),
        };
        for p in &row.provenance {
            match p.kind {
                SourceKind::Service => match self.claims.get(&(&*p.file, p.line)) {
                    Some(found) => out.claims.push(*found),
                    None => out.scope = true,
                },
                SourceKind::Crosswalk => {
                    let Some((cw, m)) = self.mappings.get(&(&*p.file, p.line)) else {
                        out.scope = true;
                        continue;
                    };
                    let outcome = format!("{}:{}", cw.to, m.to);
                    out.projected
                        .push(format!("{outcome} ({})", super::mapping::relationship(m.relationship)));
                    match matrix.row(&outcome).filter(|_| depth == 0) {
                        Some(csf) => {
                            let inner = self.attribute(matrix, csf, depth + 1);
                            out.claims.extend(inner.claims);
                            out.scope |= inner.scope;
                        }
                        None => out.scope = true,
                    }
                }
                SourceKind::Assignment | SourceKind::ClientOwned | SourceKind::NotApplicable => out.scope = true,
                SourceKind::Applicability | SourceKind::Rollup | SourceKind::Default => {}
            }
        }
        let mut seen: Vec<*const Claim> = Vec::new();
        out.claims.retain(|(_, c)| {
            let p: *const Claim = *c;
            let first = !seen.contains(&p);
            seen.push(p);
            first
        });
        out
    }
}

/// The responsible roles of a row's responsible parties, one role per kind of party.
fn responsible_roles(scope: &Scope, provider: &str, parties: &[crate::model::Party]) -> Vec<Value> {
    let mut customer = false;
    let mut msp = false;
    let mut third: Vec<String> = Vec::new();
    for p in parties {
        match p.as_str() {
            "client" => customer = true,
            "msp" => msp = true,
            other => third.push(third_party_uuid(scope, other)),
        }
    }
    let mut out = Vec::new();
    if msp {
        out.push(json!({ "role-id": PROVIDER, "party-uuids": [provider] }));
    }
    if customer {
        out.push(json!({ "role-id": CUSTOMER, "party-uuids": [client_uuid(scope)] }));
    }
    if !third.is_empty() {
        out.push(json!({ "role-id": THIRD_PARTY, "party-uuids": third }));
    }
    out
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

/// Components a plan used, to list only those (plus this-system and the subscribed services).
#[derive(Default)]
struct Used {
    engagement: bool,
}

/// One row as an implemented requirement.
#[allow(clippy::too_many_arguments)]
fn requirement(
    input: &ScopeInput,
    index: &Index,
    provider: &str,
    row: &Row,
    findings: &[&Finding],
    ar_resource: &str,
    used: &mut Used,
) -> Value {
    let scope = input.scope;
    let base = format!("ssp/{}/requirement/{}", scope.id, row.control);
    let status = implementation_status(row);
    let attribution = index.attribute(input.matrix, row, 0);
    let client = client_uuid(scope);
    let mut by_components: Vec<Value> = Vec::new();
    let mut inherited: Vec<Value> = Vec::new();
    let mut satisfied: Vec<Value> = Vec::new();
    let responsible = |p: &str| row.responsible.iter().any(|r| r == p);
    let owned = !matches!(row.summary, Summary::Unassigned | Summary::NotApplicable);

    // Export what the MSP provides and what it leaves to the client, on the component that
    // provides it; the client's system inherits the one and satisfies the other.
    let mut export = |component: &str,
                      title: &str,
                      key: &str,
                      msp: Option<String>,
                      client_part: Option<String>,
                      split: Split| {
        let by = format!("{base}/by/{key}");
        let provided = matches!(split, Split::Msp | Split::Shared).then(|| {
            json!({
                "uuid": ids::uuid(&format!("{by}/provided")),
                "description": msp.clone().unwrap_or_else(|| format!("{title} performs this control; it does not describe the duty.")),
                "responsible-roles": [{ "role-id": PROVIDER, "party-uuids": [provider] }],
            })
        });
        let provided_uuid = provided.as_ref().map(|p| p["uuid"].clone());
        let responsibility = matches!(split, Split::Client | Split::Shared).then(|| {
            json!({
                "uuid": ids::uuid(&format!("{by}/responsibility")),
                "provided-uuid": provided_uuid,
                "description": client_part.clone().unwrap_or_else(|| format!("The client's part of this control with {title}; it is not described.")),
                "responsible-roles": [{ "role-id": CUSTOMER, "party-uuids": [client] }],
            })
        });
        if let Some(p) = &provided {
            inherited.push(json!({
                "uuid": ids::uuid(&format!("{base}/by/this-system/inherited/{key}")),
                "provided-uuid": p["uuid"],
                "description": format!("Inherited from {title}: {}", p["description"].as_str().unwrap_or_default()),
                "responsible-roles": [{ "role-id": CUSTOMER, "party-uuids": [client] }],
            }));
        }
        if let Some(r) = &responsibility {
            satisfied.push(json!({
                "uuid": ids::uuid(&format!("{base}/by/this-system/satisfied/{key}")),
                "responsibility-uuid": r["uuid"],
                "description": r["description"],
                "responsible-roles": [{ "role-id": CUSTOMER, "party-uuids": [client] }],
            }));
        }
        by_components.push(json!({
            "component-uuid": component,
            "uuid": ids::uuid(&by),
            "description": duties_text(msp.as_deref(), client_part.as_deref(), split),
            "implementation-status": status,
            "export": {
                "description": format!("What {title} provides for this control, and what it leaves to the client."),
                "provided": provided.into_iter().collect::<Vec<_>>(),
                "responsibilities": responsibility.into_iter().collect::<Vec<_>>(),
            },
            "responsible-roles": [{ "role-id": PROVIDER, "party-uuids": [provider] }],
        }));
    };

    if owned {
        // Keys name the claim by service, control and option (stable when the file is edited
        // elsewhere), numbered only if one service repeats a claim.
        let mut keys: BTreeSet<String> = BTreeSet::new();
        for (service, claim) in &attribution.claims {
            let base_key = format!(
                "service/{}/{}/{}",
                service.id,
                claim.control,
                claim.option.as_deref().unwrap_or("-")
            );
            let mut key = base_key.clone();
            let mut n = 1;
            while !keys.insert(key.clone()) {
                n += 1;
                key = format!("{base_key}#{n}");
            }
            export(
                &service_uuid(&service.id),
                &format!("service `{}` ({})", service.id, service.name),
                &key,
                claim.msp.clone().filter(|t| !t.trim().is_empty()),
                claim.client.clone().filter(|t| !t.trim().is_empty()),
                claim.split,
            );
        }
        // Duties agreed in the scope itself (or projected from an outcome the scope decided).
        if attribution.scope && responsible("msp") {
            used.engagement = true;
            let split = if responsible("client") {
                Split::Shared
            } else {
                Split::Msp
            };
            export(
                &engagement_uuid(scope),
                &format!("{} (the engagement)", scope.provider.name),
                "engagement",
                joined(row.duties.get(&Party::Msp)),
                joined(row.duties.get(&Party::Client)),
                split,
            );
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
            let by = format!("{base}/by/third-party/{}", party.id);
            by_components.push(json!({
                "component-uuid": party_component_uuid(scope, &party.id),
                "uuid": ids::uuid(&by),
                "description": duty,
                "implementation-status": status,
                "inherited": [{
                    "uuid": ids::uuid(&format!("{by}/inherited")),
                    "description": format!("Inherited from {} (a leveraged provider; its own plan is not part of this one): {duty}", party.name),
                    "responsible-roles": [{ "role-id": THIRD_PARTY, "party-uuids": [third_party_uuid(scope, &party.id)] }],
                }],
                "responsible-roles": [{ "role-id": THIRD_PARTY, "party-uuids": [third_party_uuid(scope, &party.id)] }],
            }));
        }
    }

    // The client's own system: its part, what it inherits, what it satisfies.
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
    by_components.insert(
        0,
        json!({
            "component-uuid": this_system_uuid(scope),
            "uuid": ids::uuid(&format!("{base}/by/this-system")),
            "description": description,
            "implementation-status": status,
            "inherited": inherited,
            "satisfied": satisfied,
            "responsible-roles": (owned && responsible("client")).then(|| vec![json!({ "role-id": CUSTOMER, "party-uuids": [client] })]),
        }),
    );

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

    let mut links: Vec<Value> = Vec::new();
    for e in input.scope.evidence.iter().flatten() {
        if e.controls.iter().any(|c| **c == *row.control) {
            links.push(json!({
                "href": format!("#{}", evidence_uuid(scope, &e.file)),
                "rel": "reference",
                "text": format!("Evidence: {}", e.title.as_deref().unwrap_or(&e.file)),
            }));
        }
    }
    for f in findings.iter().filter(|f| f.control == *row.control) {
        links.push(json!({
            "href": format!("#{ar_resource}"),
            "rel": "related",
            "resource-fragment": super::results::finding_uuid(scope, &f.fingerprint),
            "text": format!(
                "Finding {} {} ({}{})",
                f.code,
                f.rule,
                f.severity.as_str(),
                if f.waived.is_some() { ", waived" } else { "" }
            ),
        }));
    }

    json!({
        "uuid": requirement_uuid(scope, &row.control),
        "control-id": control_token(&row.framework, &row.id),
        "props": props,
        "links": links,
        "responsible-roles": responsible_roles(scope, provider, &row.responsible),
        "by-components": by_components,
    })
}

/// The plan of one scope.
pub fn ssp(input: &ScopeInput) -> Vec<u8> {
    let ws = input.ws;
    let scope = input.scope;
    let matrix = input.matrix;
    let index = Index::new(ws);
    let provider = provider_uuid(&scope.provider.name);
    let client = client_uuid(scope);
    let ar_resource = ids::uuid(&format!("ssp/{}/resource/assessment-results", scope.id));
    let findings: Vec<&Finding> = input.findings.iter().collect();
    let mut used = Used::default();
    let requirements: Vec<Value> = matrix
        .rows
        .iter()
        .map(|row| requirement(input, &index, &provider, row, &findings, &ar_resource, &mut used))
        .collect();

    // Parties and roles.
    let mut parties = vec![
        json!({ "uuid": client, "type": "organization", "name": one_line(&scope.client.name).unwrap_or_else(|| scope.id.clone()), "props": [prop("party-id", "client")], "remarks": scope.client.contact.as_ref().map(|c| format!("Contact: {c}")) }),
        json!({ "uuid": provider, "type": "organization", "name": one_line(&scope.provider.name).unwrap_or_else(|| "msp".into()), "props": [prop("party-id", "msp"), scope.provider.contract.as_deref().and_then(|c| prop("contract", c)), scope.provider.baa_signed.as_deref().and_then(|d| prop("baa-signed", d)), scope.provider.effective.as_deref().and_then(|d| prop("effective", d))] }),
    ];
    let mut third_parties: Vec<&crate::model::ThirdParty> = scope.parties().collect();
    third_parties.sort_by(|a, b| a.id.cmp(&b.id));
    for p in &third_parties {
        parties.push(json!({
            "uuid": third_party_uuid(scope, &p.id),
            "type": "organization",
            "name": one_line(&p.name).unwrap_or_else(|| p.id.clone()),
            "props": [prop("party-id", &p.id), prop("kind", &p.kind), p.baa.and_then(|b| prop("baa", if b { "true" } else { "false" }))],
            "remarks": p.note,
        }));
    }
    let mut responsible_parties = vec![
        json!({ "role-id": PROVIDER, "party-uuids": [provider] }),
        json!({ "role-id": CUSTOMER, "party-uuids": [client] }),
    ];
    if !third_parties.is_empty() {
        responsible_parties.push(json!({
            "role-id": THIRD_PARTY,
            "party-uuids": third_parties.iter().map(|p| third_party_uuid(scope, &p.id)).collect::<Vec<_>>(),
        }));
    }

    // Components: the client's system, the engagement (when scope entries give the MSP
    // duties), every subscribed service, every third party.
    let mut components = vec![json!({
        "uuid": this_system_uuid(scope),
        "type": "this-system",
        "title": format!("{}: information systems", scope.client.name),
        "description": format!(
            "The information systems of {} in scope of its {} engagement with {}. The client's own duties are stated on this component; it inherits what the MSP provides and satisfies what the MSP leaves to it.",
            scope.client.name, scope.model, scope.provider.name
        ),
        "status": { "state": "operational" },
        "responsible-roles": [{ "role-id": CUSTOMER, "party-uuids": [client] }],
    })];
    if used.engagement {
        components.push(json!({
            "uuid": engagement_uuid(scope),
            "type": "service",
            "title": format!("{}: duties agreed in the engagement", scope.provider.name),
            "description": format!(
                "Duties of {} that the scope assigns directly (scope assignments), or that come to a regulation's control from a CSF 2.0 outcome the scope assigns, rather than through a service's claim.",
                scope.provider.name
            ),
            "props": [prop("engagement-model", &scope.model)],
            "status": { "state": "operational" },
            "responsible-roles": [{ "role-id": PROVIDER, "party-uuids": [provider] }],
        }));
    }
    let mut subscriptions: Vec<&crate::model::Subscription> = scope.services.iter().flatten().collect();
    subscriptions.sort_by(|a, b| a.service.cmp(&b.service));
    subscriptions.dedup_by(|a, b| a.service == b.service);
    for sub in &subscriptions {
        let Some(s) = ws.services.get(&sub.service) else {
            continue;
        };
        let mut props = vec![prop("service-id", &s.id), prop("tower", &s.tower)];
        props.extend(sub.options.iter().map(|o| prop("option", o)));
        components.push(json!({
            "uuid": service_uuid(&s.id),
            "type": "service",
            "title": s.name,
            "description": s.description,
            "props": props,
            "status": { "state": "operational", "remarks": sub.note },
            "responsible-roles": [{ "role-id": PROVIDER, "party-uuids": [provider] }],
        }));
    }
    let mut leveraged = Vec::new();
    for p in &third_parties {
        let authorization = ids::uuid(&format!("ssp/{}/leveraged-authorization/{}", scope.id, p.id));
        leveraged.push(json!({
            "uuid": authorization,
            "title": p.name,
            "props": [prop("party-id", &p.id), prop("kind", &p.kind), p.baa.and_then(|b| prop("baa", if b { "true" } else { "false" }))],
            "party-uuid": third_party_uuid(scope, &p.id),
            "date-authorized": input.as_of.to_string(),
            "remarks": format!(
                "ctrlmap records no authorization date for third parties: `date-authorized` is the date of this plan.{}",
                p.note.as_deref().map(|n| format!("\n\n{n}")).unwrap_or_default()
            ),
        }));
        components.push(json!({
            "uuid": party_component_uuid(scope, &p.id),
            "type": "service",
            "title": p.name,
            "description": format!("{} ({}), a third party {} relies on.", p.name, p.kind, scope.client.name),
            "props": [
                oscal_prop("implementation-point", "external"),
                oscal_prop("leveraged-authorization-uuid", &authorization),
                prop("party-id", &p.id),
            ],
            "status": { "state": "operational" },
            "responsible-roles": [{ "role-id": THIRD_PARTY, "party-uuids": [third_party_uuid(scope, &p.id)] }],
        }));
    }

    // Information types: what each applicable framework protects, and why it applies.
    let information_types: Vec<Value> = matrix
        .frameworks
        .iter()
        .map(|f| {
            json!({
                "uuid": ids::uuid(&format!("ssp/{}/information-type/{}", scope.id, f.id)),
                "title": format!("Information protected under {}", f.title),
                "description": format!("{} applies: {}", f.citation, f.reason),
            })
        })
        .collect();

    // Evidence files and the assessment results, as back-matter resources.
    let mut resources = evidence_resources(input);
    resources.push(json!({
        "uuid": ar_resource,
        "title": format!("Assessment results of {} as of {}", scope.id, input.as_of),
        "description": "ctrlmap's findings for this scope; links from implemented requirements point at a finding by its UUID (`resource-fragment`).",
        "rlinks": [{ "href": "assessment-results.json", "media-type": "application/oscal.ar+json" }],
    }));

    let mut meta = metadata(
        &format!("System security plan: {} ({})", scope.client.name, scope.id),
        &input.as_of.to_string(),
        super::OSCAL_VERSION,
        input.as_of,
    );
    meta["roles"] = roles();
    meta["parties"] = json!(parties);
    meta["responsible-parties"] = json!(responsible_parties);
    if let Some(props) = meta["props"].as_array_mut() {
        props.extend(
            [
                prop("scope", &scope.id),
                prop("scope-file", &scope.origin.file),
                prop("scope-sha256", &scope.sha256),
            ]
            .into_iter()
            .flatten(),
        );
    }
    meta["remarks"] = json!(
        "Written by ctrlmap from the scope's responsibility matrix: each implemented requirement is a matrix row. The MSP's `export.provided` and `export.responsibilities` are the customer responsibility matrix; the client's system (`this-system`) inherits the one and satisfies the other by UUID. Properties in ctrlmap's namespace carry RACI, coverage, provenance and candidates (see the README's OSCAL section)."
    );

    let doc = json!({
        "system-security-plan": {
            "uuid": "",
            "metadata": meta,
            "import-profile": { "href": "profile.json" },
            "system-characteristics": {
                "system-ids": [{ "identifier-type": "http://ietf.org/rfc/rfc4122", "id": system_uuid(scope) }],
                "system-name": one_line(&scope.client.name).unwrap_or_else(|| scope.id.clone()),
                "system-name-short": scope.id,
                "description": scope.notes.clone().unwrap_or_else(|| format!("The information systems of {} under a {} engagement with {}.", scope.client.name, scope.model, scope.provider.name)),
                "system-information": { "information-types": information_types },
                "status": { "state": "operational", "remarks": "ctrlmap describes engagements in effect; it records no system lifecycle state." },
                "authorization-boundary": {
                    "description": format!(
                        "The information systems of {} and the managed services {} provides to them: {}.",
                        scope.client.name,
                        scope.provider.name,
                        if subscriptions.is_empty() { "none".to_string() } else { subscriptions.iter().map(|s| format!("`{}`", s.service)).collect::<Vec<_>>().join(", ") }
                    ),
                },
                "props": [prop("engagement-model", &scope.model)],
            },
            "system-implementation": {
                "leveraged-authorizations": leveraged,
                "users": [
                    { "uuid": ids::uuid(&format!("ssp/{}/user/client", scope.id)), "title": format!("{} workforce", scope.client.name), "role-ids": [CUSTOMER] },
                    { "uuid": ids::uuid(&format!("ssp/{}/user/provider", scope.id)), "title": format!("{} staff", scope.provider.name), "role-ids": [PROVIDER] },
                ],
                "components": components,
            },
            "control-implementation": {
                "description": format!(
                    "Who does what for every control that applies to {}: {}. Each requirement's by-components say what the MSP provides, what it leaves to the client and what the client does.",
                    scope.client.name,
                    matrix.frameworks.iter().map(|f| f.title.as_str()).collect::<Vec<_>>().join("; ")
                ),
                "implemented-requirements": requirements,
            },
            "back-matter": { "resources": resources },
        }
    });
    finish(doc, "system-security-plan", &format!("ssp/{}", scope.id))
}

/// The scope's evidence entries as back-matter resources: title, owner, date, controls, the
/// SHA-256 of the file as found (and the pinned one, when the scope pins it) and the engine's
/// verdict on the entry (integrity, freshness, age). Entries naming the same file are one
/// resource, with the controls of all of them.
pub fn evidence_resources(input: &ScopeInput) -> Vec<Value> {
    let scope = input.scope;
    let mut by_file: std::collections::BTreeMap<&str, Vec<(usize, &crate::model::Evidence)>> = Default::default();
    for (i, e) in scope.evidence.iter().enumerate() {
        if let Some(e) = e {
            by_file.entry(e.file.as_str()).or_default().push((i, e));
        }
    }
    let mut out = Vec::new();
    for (file, entries) in by_file {
        let Some(&(index, e)) = entries.first() else { continue };
        let status = input.evidence.iter().find(|s| s.index == index);
        let hashes: Vec<Value> = e
            .found_sha256
            .iter()
            .map(|h| json!({ "algorithm": "SHA-256", "value": h }))
            .collect();
        let mut props = vec![
            prop("path", file),
            prop("owner", &e.owner),
            prop("effective", &e.effective),
        ];
        if let Some(s) = status {
            props.push(prop("integrity", s.integrity.as_str()));
            props.push(prop("freshness", s.freshness.as_str()));
            props.extend(s.age_days.map(|d| prop("age-days", &d.to_string())));
            props.extend(s.max_age_days.map(|d| prop("max-age-days", &d.to_string())));
        }
        if let Some(p) = &e.sha256 {
            props.push(prop("pinned-sha256", p));
        }
        let mut controls: Vec<&String> = entries.iter().flat_map(|(_, e)| e.controls.iter()).collect();
        controls.sort();
        controls.dedup();
        props.extend(controls.into_iter().map(|c| prop("control", c)));
        out.push(json!({
            "uuid": evidence_uuid(scope, file),
            "title": e.title.clone().unwrap_or_else(|| file.to_string()),
            "description": format!("Evidence file `{file}` (path relative to the workspace), owner {}, effective {}.", e.owner, e.effective),
            "props": props,
            "rlinks": input.layout.file_href(file).map(|href| vec![json!({ "href": href, "hashes": hashes })]),
        }));
    }
    out
}
