//! What the provider's plan and the clients' plans share: the roles they use, the data each
//! regulation protects (OSCAL information types), and the UUIDs that tie the plans together
//! (the MSP as a party, the MSP's subcontractors, each claim's provided and responsibility
//! statements).

use super::ids;
use crate::model::{Claim, Service, Workspace};
use serde_json::{Value, json};

/// Role ids of the plans, with the titles the documents give them.
pub mod role {
    /// The organization that owns the system a plan describes (the MSP in its own plan, the
    /// client in the client's).
    pub const SYSTEM_OWNER: &str = "system-owner";
    /// The organization the plan is prepared for (the client).
    pub const PREPARED_FOR: &str = "prepared-for";
    /// The person who prepared the assessment the plan records (`assessment.prepared_by`).
    pub const PREPARED_BY: &str = "prepared-by";
    /// The person who reviewed it (`assessment.reviewed_by`).
    pub const REVIEWED_BY: &str = "reviewed-by";
    /// The person who authorizes the client's system (`client.authorizing_official`).
    pub const AUTHORIZING_OFFICIAL: &str = "authorizing-official";
    /// The client's point of contact (`client.contact`).
    pub const POC: &str = "system-poc-management";
    /// The managed service provider, as the provider of leveraged services.
    pub const PROVIDER: &str = "provider";
    /// A client of the MSP, who leverages its services (the provider's plan).
    pub const CUSTOMER: &str = "customer";
    /// A provider the client (or the MSP) relies on besides the MSP.
    pub const THIRD_PARTY: &str = "third-party";
}

/// The metadata role with its title.
pub fn role_def(id: &str) -> Value {
    let title = match id {
        role::SYSTEM_OWNER => "System owner",
        role::PREPARED_FOR => "Prepared for",
        role::PREPARED_BY => "Prepared by",
        role::REVIEWED_BY => "Reviewed by",
        role::AUTHORIZING_OFFICIAL => "Authorizing official",
        role::POC => "System point of contact (management)",
        role::PROVIDER => "Provider: the managed service provider (MSP) whose services are leveraged",
        role::CUSTOMER => "Customer: a client that leverages the MSP's services",
        role::THIRD_PARTY => "Third party: a provider relied on besides the MSP",
        other => other,
    };
    json!({ "id": id, "title": title })
}

/// The MSP's name as the workspace gives it (`provider` in ctrlmap.yaml).
pub fn provider_name(ws: &Workspace) -> String {
    ws.config
        .provider
        .clone()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| "The managed service provider".into())
}

/// The UUID of the MSP as a party, the same in every document.
pub fn provider_uuid(ws: &Workspace) -> String {
    ids::uuid(&format!("party/provider/{}", provider_name(ws)))
}

/// The UUID of one of the MSP's own parties (its subcontractors), the same in the provider's
/// plan and in every client's.
pub fn msp_party_uuid(id: &str) -> String {
    ids::uuid(&format!("party/msp-party/{id}"))
}

/// The UUID of an MSP party's component in the provider's plan (the client's plans reuse it
/// for the leveraged component, as OSCAL suggests).
pub fn msp_party_component_uuid(id: &str) -> String {
    ids::uuid(&format!("provider/component/msp-party/{id}"))
}

/// A claim's key among its service's claims: control and option, numbered only if the
/// service repeats them (stable when the file is edited elsewhere).
pub fn claim_key(service: &Service, claim: &Claim) -> String {
    let mut n = 0;
    for c in service.controls.iter().flatten() {
        if c.control == claim.control && c.option == claim.option {
            n += 1;
        }
        if std::ptr::eq(c, claim) {
            break;
        }
    }
    let base = format!("{}/{}", claim.control, claim.option.as_deref().unwrap_or("-"));
    if n > 1 { format!("{base}#{n}") } else { base }
}

/// The UUID of what a claim provides (split `msp` or `shared`) in the provider's plan.
pub fn provided_uuid(service: &str, key: &str) -> String {
    ids::uuid(&format!("provider/service/{service}/claim/{key}/provided"))
}

/// What the provider does for a claim (split `msp` or `shared`), as both the provider's
/// `provided` entry and the client's `inherited` entry state it: the service's own words, or
/// that it does not describe the duty.
pub fn provided_description(service: &crate::model::Service, claim: &crate::model::Claim) -> String {
    match claim.msp.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => text.to_string(),
        None => format!(
            "{} performs this control; the service does not describe the duty.",
            service.name
        ),
    }
}

/// The UUID of what a claim leaves to the customer (split `client` or `shared`).
pub fn responsibility_uuid(service: &str, key: &str) -> String {
    ids::uuid(&format!("provider/service/{service}/claim/{key}/responsibility"))
}

/// The data a regulation protects: its name, where the regulation defines it, and the
/// catalog entry whose text says so (quoted when the catalog has it).
struct Data {
    framework: &'static str,
    title: &'static str,
    defined: &'static str,
    quote: &'static str,
}

const DATA: [Data; 3] = [
    Data {
        framework: "hipaa",
        title: "Electronic protected health information (ePHI)",
        defined: "45 CFR 160.103",
        quote: "164.302",
    },
    Data {
        framework: "glba-safeguards",
        title: "Customer information",
        defined: "16 CFR 314.2(d)",
        quote: "314.2(d)",
    },
    Data {
        framework: "nydfs-500",
        title: "Nonpublic information",
        defined: "23 NYCRR 500.1(k)",
        quote: "500.1(k)",
    },
];

/// The information types of a plan: one per kind of data the applicable regulations protect
/// (ePHI, customer information, nonpublic information), each with the regulation's own words;
/// a plan under none of them (CSF 2.0 alone, a workspace catalog) has one for the information
/// in the systems. `whose` names the holder ("Riverside Dental Group's", "clients'"), `why`
/// gives the reason each framework applies, `base` keeps UUIDs apart per plan.
pub fn information_types(ws: &Workspace, frameworks: &[(&str, Option<&str>)], whose: &str, base: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for data in &DATA {
        let Some((_, why)) = frameworks.iter().find(|(f, _)| *f == data.framework) else {
            continue;
        };
        let fw = ws.framework(data.framework);
        let quoted = fw
            .and_then(|fw| {
                let text = fw.get(data.quote)?.text.as_deref()?;
                Some(format!(" \"{}\" ({})", text.trim(), fw.cite(data.quote)))
            })
            .unwrap_or_default();
        let mut description = format!(
            "{whose} {}, as {} defines it.{quoted}",
            data.title.to_lowercase(),
            data.defined
        );
        if let Some(why) = why {
            description.push_str(&format!(
                "\n\n{} applies: {why}",
                fw.map_or(data.framework, |f| f.short_title())
            ));
        }
        out.push(json!({
            "uuid": ids::uuid(&format!("{base}/information-type/{}", data.framework)),
            "title": data.title,
            "description": description,
            "props": [super::prop("framework", data.framework)],
        }));
    }
    if out.is_empty() {
        let mut description = format!("{whose} information in the systems in scope.");
        for (f, why) in frameworks {
            if let Some(why) = why {
                let title = ws.framework(f).map_or(*f, |fw| fw.short_title());
                description.push_str(&format!("\n\n{title} applies: {why}"));
            }
        }
        out.push(json!({
            "uuid": ids::uuid(&format!("{base}/information-type/information")),
            "title": "Information in the systems in scope",
            "description": description,
        }));
    }
    out
}
