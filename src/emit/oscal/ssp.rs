//! A scope as the client's OSCAL system security plan, which leverages the MSP's plan
//! ([`super::provider`]): the client's system (`this-system`), each subscribed service as the
//! leveraged component it is (`implementation-point: external`, `inherited-uuid`), and per
//! matrix row an implemented requirement with one statement whose by-components say who does
//! what.
//!
//! Each row's by-components come from the sources the engine recorded in its provenance:
//!
//! - a service claim → that service's component: the MSP's duty as its description, what the
//!   client relies on as `inherited` (`provided-uuid` into the provider's plan) and how the
//!   client meets what the service leaves to it as `satisfied` (`responsibility-uuid`);
//! - a scope assignment → the MSP's duty on the engagement component (agreed for this client
//!   alone, so not in the provider's plan), a third party's on that party's component;
//! - a crosswalk projection → the claims of the CSF 2.0 outcome it was projected from;
//! - the client's own part → `this-system`.
//!
//! `implementation-status` is the engine's verdict on each party's part
//! ([`crate::assess::implementation`]), with remarks that say what it rests on. RACI,
//! coverage, provenance and candidates are properties in ctrlmap's namespace; the scope's
//! evidence files are back-matter resources with their SHA-256. No client plan exports
//! anything: what the MSP provides is exported once, in the provider's plan.

use super::attribution::{Attribution, Index};
use super::component::service_uuid;
pub use super::evidence::{evidence_resources, evidence_uuid};
use super::ids::{self, control_token, statement_id};
use super::provider::{self, party_component, third_party};
use super::scope_ids::{client_uuid, finding_uuid, requirement_uuid, system_uuid, this_system_uuid};
use super::status::{part_status, row_status};
use super::system::{claim_key, provided_uuid, responsibility_uuid};
use super::system::{information_types, msp_party_component_uuid, msp_party_uuid, provider_uuid, role, role_def};
use super::{ScopeInput, finish, metadata, one_line, oscal_prop, prop, prop_with_remarks};
use crate::assess::Finding;
use crate::assess::implementation::RowStatus;
use crate::model::Signatory;
use crate::model::{AddressableDecision, Claim, EngagedBy, Party, Scope, Service, Split, ThirdParty};
use crate::resolve::{Coverage, Row, SourceKind, Summary};
use serde_json::{Value, json};

/// The UUID of a third party of the scope: the MSP's own parties (`engaged_by: msp`) keep the
/// UUID they have in the provider's plan.
pub fn third_party_uuid(scope: &Scope, party: &ThirdParty) -> String {
    if party.engaged_by == Some(EngagedBy::Msp) {
        msp_party_uuid(&party.id)
    } else {
        ids::uuid(&format!("party/third-party/{}/{}", scope.id, party.id))
    }
}

fn engagement_uuid(scope: &Scope) -> String {
    ids::uuid(&format!("ssp/{}/component/engagement", scope.id))
}

/// The component of a third party in a client's plan: an MSP party is the component of the
/// provider's plan, leveraged.
fn party_component_uuid(scope: &Scope, party: &ThirdParty) -> String {
    if party.engaged_by == Some(EngagedBy::Msp) {
        msp_party_component_uuid(&party.id)
    } else {
        ids::uuid(&format!("ssp/{}/component/third-party/{}", scope.id, party.id))
    }
}

/// The UUID of the back-matter resource that points at the provider's plan.
fn provider_resource_uuid(scope: &Scope) -> String {
    ids::uuid(&format!("ssp/{}/resource/provider-ssp", scope.id))
}

/// The UUID of the MSP's leveraged authorization in a client's plan.
fn msp_authorization_uuid(scope: &Scope) -> String {
    ids::uuid(&format!("ssp/{}/leveraged-authorization/msp", scope.id))
}

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
fn requirement(
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
                    let text = declared(claim.msp.as_deref()).map_or_else(
                        || {
                            format!(
                                "{} performs this control; the service does not describe the duty.",
                                service.name
                            )
                        },
                        str::to_string,
                    );
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
    for f in findings.iter().filter(|f| f.control == *row.control) {
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

/// A declared person as a party (a member of `organization`).
fn person(uuid: String, who: &Signatory, organization: Option<&str>) -> Value {
    json!({
        "uuid": uuid,
        "type": "person",
        "name": one_line(&who.name).unwrap_or_else(|| "unnamed".into()),
        "props": [who.role.as_deref().and_then(|r| prop("role", r)), who.date.as_deref().and_then(|d| prop("date", d))],
        "member-of-organizations": organization.map(|o| vec![o]),
    })
}

/// The plan of one scope.
pub fn ssp(input: &ScopeInput) -> Vec<u8> {
    let ws = input.ws;
    let scope = input.scope;
    let matrix = input.matrix;
    let layout = &input.layout;
    let doc_path = layout.scope_doc(scope, "ssp.json");
    let index = Index::new(ws, matrix);
    let msp = provider_uuid(ws);
    let client = client_uuid(scope);
    let ar_resource = ids::uuid(&format!("ssp/{}/resource/assessment-results", scope.id));
    let findings: Vec<&Finding> = input.findings.iter().collect();
    let mut used_engagement = false;
    let requirements: Vec<Value> = matrix
        .rows
        .iter()
        .zip(input.statuses)
        .filter(|(row, _)| !super::catalog::is_group_id(ws, &row.framework, &row.id))
        .map(|(row, status)| {
            requirement(
                input,
                &index,
                row,
                status,
                &findings,
                &ar_resource,
                &mut used_engagement,
            )
        })
        .collect();

    // Parties and roles: the client (owner of the system), the MSP, third parties, and the
    // people the scope names.
    let mut third_parties: Vec<&ThirdParty> = scope.parties().collect();
    third_parties.sort_by(|a, b| a.id.cmp(&b.id));
    let mut parties = vec![
        json!({ "uuid": client, "type": "organization", "name": one_line(&scope.client.name).unwrap_or_else(|| scope.id.clone()), "props": [prop("party-id", "client")] }),
        json!({ "uuid": msp, "type": "organization", "name": one_line(&scope.provider.name).unwrap_or_else(|| "msp".into()), "props": [prop("party-id", "msp"), scope.provider.contract.as_deref().and_then(|c| prop("contract", c)), scope.provider.baa_signed.as_deref().and_then(|d| prop("baa-signed", d)), scope.provider.effective.as_deref().and_then(|d| prop("effective", d))] }),
    ];
    parties.extend(
        third_parties
            .iter()
            .map(|p| third_party(p, &third_party_uuid(scope, p))),
    );
    let mut responsible_parties = vec![
        json!({ "role-id": role::SYSTEM_OWNER, "party-uuids": [client] }),
        json!({ "role-id": role::PREPARED_FOR, "party-uuids": [client] }),
        json!({ "role-id": role::PROVIDER, "party-uuids": [msp] }),
    ];
    let mut people = |key: &str, role_id: &str, who: &Signatory, org: &str| {
        let uuid = ids::uuid(&format!("party/person/{}/{key}", scope.id));
        parties.push(person(uuid.clone(), who, Some(org)));
        responsible_parties.push(json!({ "role-id": role_id, "party-uuids": [uuid] }));
    };
    if let Some(contact) = scope.client.contact.as_deref().filter(|c| !c.trim().is_empty()) {
        let who = Signatory {
            name: contact.to_string(),
            role: None,
            date: None,
        };
        people("contact", role::POC, &who, &client);
    }
    if let Some(who) = &scope.client.authorizing_official {
        people("authorizing-official", role::AUTHORIZING_OFFICIAL, who, &client);
    }
    let assessment = scope.assessment.as_ref();
    if let Some(who) = assessment.and_then(|a| a.prepared_by.as_ref()) {
        people("prepared-by", role::PREPARED_BY, who, &msp);
    }
    if let Some(who) = assessment.and_then(|a| a.reviewed_by.as_ref()) {
        people("reviewed-by", role::REVIEWED_BY, who, &client);
    }
    if !third_parties.is_empty() {
        responsible_parties.push(json!({
            "role-id": role::THIRD_PARTY,
            "party-uuids": third_parties.iter().map(|p| third_party_uuid(scope, p)).collect::<Vec<_>>(),
        }));
    }

    // The MSP's plan, leveraged (when its services claim anything): an authorization when the
    // scope dates the engagement.
    let leverages = provider::has_plan(ws);
    let provider_resource = provider_resource_uuid(scope);
    let provider_link = |rel: &str, text: &str| -> Vec<Value> {
        if leverages {
            vec![json!({ "href": format!("#{provider_resource}"), "rel": rel, "text": text })]
        } else {
            Vec::new()
        }
    };
    let msp_authorization = scope
        .provider
        .effective
        .as_deref()
        .and_then(super::input_date)
        .map(|date| (msp_authorization_uuid(scope), date));
    let mut leveraged = Vec::new();
    if let Some((uuid, date)) = &msp_authorization {
        leveraged.push(json!({
            "uuid": uuid,
            "title": format!("{}: managed services", scope.provider.name),
            "props": [prop("party-id", "msp"), scope.provider.contract.as_deref().and_then(|c| prop("contract", c))],
            "links": provider_link("system-security-plan", "The MSP's system security plan (leveraged)"),
            "party-uuid": msp,
            "date-authorized": date.to_string(),
            "remarks": "`date-authorized` is the day the engagement started (`provider.effective`): from then on the client relies on the MSP's services.",
        }));
    }
    let leveraged_props = |inherited: Option<&str>| -> Vec<Option<Value>> {
        vec![
            oscal_prop("implementation-point", "external"),
            msp_authorization
                .as_ref()
                .and_then(|(u, _)| oscal_prop("leveraged-authorization-uuid", u)),
            inherited.and_then(|i| oscal_prop("inherited-uuid", i)),
        ]
    };

    // Components: the client's system, every subscribed service (leveraged), the engagement
    // (when scope entries give the MSP duties), every third party.
    let mut components = vec![json!({
        "uuid": this_system_uuid(scope),
        "type": "this-system",
        "title": format!("{}: information systems", scope.client.name),
        "description": format!(
            "The information systems of {} in scope of its {} engagement with {}. The client's own duties are stated on this component; what it relies on the MSP for is inherited from the MSP's services, and what they leave to the client is stated as satisfied on them.",
            scope.client.name, scope.model, scope.provider.name
        ),
        "status": { "state": "operational" },
        "responsible-roles": [{ "role-id": role::SYSTEM_OWNER, "party-uuids": [client] }],
    })];
    let mut subscriptions: Vec<&crate::model::Subscription> = scope.services.iter().flatten().collect();
    subscriptions.sort_by(|a, b| a.service.cmp(&b.service));
    subscriptions.dedup_by(|a, b| a.service == b.service);
    for sub in &subscriptions {
        let Some(s) = ws.services.get(&sub.service) else {
            continue;
        };
        let uuid = service_uuid(&s.id);
        let mut props = leveraged_props(Some(&uuid));
        props.extend([prop("service-id", &s.id), prop("tower", &s.tower)]);
        props.extend(sub.options.iter().map(|o| prop("option", o)));
        components.push(json!({
            "uuid": uuid,
            "type": "service",
            "title": s.name,
            "description": s.description,
            "props": props,
            "links": provider_link("provided-by", "The MSP's system security plan (leveraged)"),
            "status": { "state": "operational", "remarks": sub.note },
            "responsible-roles": [{ "role-id": role::PROVIDER, "party-uuids": [msp] }],
        }));
    }
    if used_engagement {
        let mut props = leveraged_props(None);
        props.push(prop("engagement-model", &scope.model));
        components.push(json!({
            "uuid": engagement_uuid(scope),
            "type": "service",
            "title": format!("{}: duties agreed in the engagement", scope.provider.name),
            "description": format!(
                "Duties of {} that the scope assigns directly (scope assignments), or that come to a regulation's control from a CSF 2.0 outcome the scope assigns, rather than through a service's claim. They are agreed for this client alone, so the MSP's plan does not export them.",
                scope.provider.name
            ),
            "props": props,
            "status": { "state": "operational" },
            "responsible-roles": [{ "role-id": role::PROVIDER, "party-uuids": [msp] }],
        }));
    }
    for p in &third_parties {
        let uuid = party_component_uuid(scope, p);
        let party = third_party_uuid(scope, p);
        if p.engaged_by == Some(EngagedBy::Msp) {
            // The MSP's subcontractor: a component of the provider's plan, leveraged.
            let mut c = party_component(
                p,
                &uuid,
                &party,
                None,
                &format!(
                    "{} ({}), a provider {} engages for its services to {}.",
                    p.name, p.kind, scope.provider.name, scope.client.name
                ),
            );
            c["props"] = json!(
                leveraged_props(Some(&uuid))
                    .into_iter()
                    .chain([prop("party-id", &p.id), prop("engaged-by", "msp")])
                    .collect::<Vec<_>>()
            );
            components.push(c);
            continue;
        }
        let authorization = p.authorization.as_ref().and_then(|a| {
            let date = super::input_date(&a.date)?;
            let id = ids::uuid(&format!("ssp/{}/leveraged-authorization/{}", scope.id, p.id));
            leveraged.push(json!({
                "uuid": id,
                "title": a.title.clone().unwrap_or_else(|| p.name.clone()),
                "props": [prop("party-id", &p.id)],
                "party-uuid": party,
                "date-authorized": date.to_string(),
            }));
            Some(id)
        });
        let engaged = match p.engaged_by {
            Some(EngagedBy::Client) => format!("engaged by {}", scope.client.name),
            _ => "who engaged it is not declared".to_string(),
        };
        components.push(party_component(
            p,
            &uuid,
            &party,
            authorization.as_deref(),
            &format!(
                "{} ({}), a provider {} relies on ({engaged}).",
                p.name, p.kind, scope.client.name
            ),
        ));
    }

    // Information types: the data the applicable regulations protect.
    let frameworks: Vec<(&str, Option<&str>)> = matrix
        .frameworks
        .iter()
        .map(|f| (f.id.as_str(), Some(f.reason.as_str())))
        .collect();
    let information = information_types(
        ws,
        &frameworks,
        &format!("{}'s", scope.client.name),
        &format!("ssp/{}", scope.id),
    );

    // Evidence files, the assessment results and the provider's plan, as back-matter resources.
    let mut resources = evidence_resources(input, &doc_path);
    resources.push(json!({
        "uuid": ar_resource,
        "title": format!("Assessment results of {} as of {}", scope.id, input.as_of),
        "description": "ctrlmap's findings for this scope; links from implemented requirements point at a finding by its UUID (`resource-fragment`).",
        "rlinks": [{ "href": layout.href(&doc_path, &layout.scope_doc(scope, "assessment-results.json")), "media-type": "application/oscal.ar+json" }],
    }));
    resources.extend(leverages.then(|| json!({
        "uuid": provider_resource,
        "title": format!("System security plan of {}: managed services (leveraged)", scope.provider.name),
        "description": "The MSP's own plan: what each of its services provides and leaves to customers (`export`). This plan's `inherited` and `satisfied` statements point into it by UUID.",
        "rlinks": [{ "href": layout.href(&doc_path, provider::SSP_PATH), "media-type": "application/oscal.ssp+json" }],
    })));

    let mut meta = metadata(
        &format!("System security plan: {} ({})", scope.client.name, scope.id),
        &input.as_of.to_string(),
        super::OSCAL_VERSION,
        input.as_of,
    );
    meta["roles"] = json!(
        [
            role::SYSTEM_OWNER,
            role::AUTHORIZING_OFFICIAL,
            role::POC,
            role::PREPARED_BY,
            role::PREPARED_FOR,
            role::REVIEWED_BY,
            role::PROVIDER,
            role::THIRD_PARTY
        ]
        .map(role_def)
        .to_vec()
    );
    meta["parties"] = json!(parties);
    meta["responsible-parties"] = json!(responsible_parties);
    meta["links"] = json!(provider_link(
        "related",
        "The MSP's system security plan, which this plan leverages"
    ));
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
        "Written by ctrlmap from the scope's responsibility matrix: each implemented requirement is a matrix row. This plan leverages the MSP's plan: each subscribed service is an external component whose by-components point at what the MSP's plan exports, `inherited` (provided-uuid) and `satisfied` (responsibility-uuid). Implementation statuses claim only what the scope shows (see ctrlmap's docs/oscal.md); properties in ctrlmap's namespace carry RACI, coverage, provenance and candidates."
    );

    let doc = json!({
        "system-security-plan": {
            "uuid": "",
            "metadata": meta,
            "import-profile": { "href": layout.href(&doc_path, &layout.scope_doc(scope, "profile.json")) },
            "system-characteristics": {
                "system-ids": [{ "identifier-type": "http://ietf.org/rfc/rfc4122", "id": system_uuid(scope) }],
                "system-name": one_line(&scope.client.name).unwrap_or_else(|| scope.id.clone()),
                "system-name-short": scope.id,
                "description": scope.notes.clone().unwrap_or_else(|| format!("The information systems of {} under a {} engagement with {}.", scope.client.name, scope.model, scope.provider.name)),
                "system-information": { "information-types": information },
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
                    { "uuid": ids::uuid(&format!("ssp/{}/user/client", scope.id)), "title": format!("{} workforce", scope.client.name), "role-ids": [role::SYSTEM_OWNER] },
                    { "uuid": ids::uuid(&format!("ssp/{}/user/provider", scope.id)), "title": format!("{} staff", scope.provider.name), "role-ids": [role::PROVIDER] },
                ],
                "components": components,
            },
            "control-implementation": {
                "description": format!(
                    "Who does what for every control that applies to {}: {}. Each requirement's statement says, per component, what the client does, what it inherits from the MSP's services and how it satisfies what they leave to it.",
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
