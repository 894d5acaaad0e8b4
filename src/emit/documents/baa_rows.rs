//! The BAA appendix's table rows: one row per HIPAA standard and implementation
//! specification, with the responsible party in the agreement's words (`Roles`), drawn
//! from the resolved matrix row. Used by `baa_appendix.rs`; uses the document context only.

use super::baa::{BaaRow, OtherParty, sentence};
use super::context::{Context, party_name};
use crate::model::catalog::Framework;
use crate::model::{Party, Requirement, Scope};
use crate::resolve::{Row, Summary};

pub(super) struct Roles {
    pub(super) client: &'static str,
    pub(super) provider: &'static str,
    /// Words for the other party: an unassigned safeguard is "to be agreed", not a gap.
    pub(super) counterparty: bool,
}

impl Roles {
    pub(super) fn party(&self, scope: &Scope, id: &str) -> String {
        match id {
            "msp" => self.provider.to_string(),
            "client" => self.client.to_string(),
            other => party_name(scope, other),
        }
    }

    /// The responsible party of a row in the agreement's words.
    pub(super) fn responsible(&self, scope: &Scope, row: &Row) -> String {
        match row.summary {
            Summary::NotApplicable => "Not applicable".into(),
            Summary::Unassigned => self.unassigned(row.conflict),
            _ => {
                let names: Vec<String> = row.responsible.iter().map(|p| self.party(scope, p.as_str())).collect();
                match names.as_slice() {
                    [] => self.unassigned(false),
                    [one] => one.clone(),
                    [init @ .., last] => format!("{} and {}", init.join(", "), lower_role(last)),
                }
            }
        }
    }
}

impl Roles {
    pub(super) fn unassigned(&self, conflict: bool) -> String {
        match (self.counterparty, conflict) {
            (true, _) => "To be agreed".into(),
            (false, true) => "Disputed (open gap)".into(),
            (false, false) => "Unassigned (open gap)".into(),
        }
    }
}

/// `Covered entity` → `covered entity` after the first name in a list; party names stay as written.
fn lower_role(name: &str) -> String {
    match name {
        "Covered entity" | "Business associate" | "Subcontractor" => name.to_lowercase(),
        _ => name.to_string(),
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn baa_row(
    fw: &Framework,
    scope: &Scope,
    roles: &Roles,
    c: &crate::model::Control,
    row: Option<&Row>,
    is_standard: bool,
    has_specifications: bool,
    ctx: &Context,
) -> BaaRow {
    let requirement = match c.requirement {
        Some(Requirement::Required) => Some("Required"),
        Some(Requirement::Addressable) => Some("Addressable"),
        // A standard without implementation specifications is itself required (Appendix A to
        // Subpart C); the specifications of 164.314 and 164.316 are mandatory ("must").
        None if !(is_standard && has_specifications) => Some("Required"),
        None => None,
    };
    let control = format!("hipaa:{}", c.id);
    let Some(row) = row else {
        return BaaRow {
            id: c.id.clone(),
            citation: fw.cite(&c.id),
            title: c.title.clone(),
            level: c.level.clone(),
            is_standard,
            has_specifications,
            requirement,
            summary: "unassigned",
            owner: None,
            responsible: "Not in the matrix".into(),
            ba_duties: Vec::new(),
            ce_duties: Vec::new(),
            other_duties: Vec::new(),
            others: Vec::new(),
            own_duties: false,
            requirement_words: requirement.map(str::to_string),
            evidence: Vec::new(),
            addressable: None,
            reason: None,
            gaps: Vec::new(),
        };
    };
    // Evidence the business associate provides: what its services produce, and the MSP's
    // evidence entries on this safeguard or on the standard that contains it.
    let mut evidence = row.evidence.clone();
    let ancestors: Vec<String> = fw
        .index(&c.id)
        .map(|i| {
            fw.ancestors(i)
                .iter()
                .map(|&a| format!("hipaa:{}", fw.controls[a].id))
                .collect()
        })
        .unwrap_or_default();
    for e in ctx.evidence.iter().filter(|e| e.owner == "msp") {
        if e.controls.iter().any(|x| *x == control || ancestors.contains(x)) {
            // The other party's copy names evidence by title and date only.
            let label = match (&e.title, roles.counterparty) {
                (Some(title), true) => format!("{title} ({})", e.effective),
                (None, true) => format!("Evidence of {} ({})", e.effective, fw.cite(&c.id)),
                (title, false) => format!(
                    "{} ({}, effective {})",
                    title.as_deref().unwrap_or(&e.file),
                    e.file,
                    e.effective
                ),
            };
            if !evidence.contains(&label) {
                evidence.push(label);
            }
        }
    }
    // An addressable decision reads as a decision (45 CFR 164.306(d)(3)).
    let addressable = row.addressable.as_ref().map(|a| match a.decision {
        crate::model::AddressableDecision::Implemented => "Addressable — implemented as specified".to_string(),
        crate::model::AddressableDecision::Alternative => {
            let mut words = format!(
                "Addressable — alternative: {}",
                sentence(a.alternative.as_deref().unwrap_or("not stated"))
            );
            if let Some(r) = &a.rationale {
                words.push_str(&format!(" Why: {}", sentence(r)));
            }
            words
        }
        crate::model::AddressableDecision::NotReasonable => format!(
            "Addressable — not reasonable and appropriate: {}",
            sentence(a.rationale.as_deref().unwrap_or("no rationale stated"))
        ),
    });
    let requirement_words = match (requirement, &addressable) {
        (Some("Addressable"), Some(words)) => Some(words.clone()),
        (Some("Addressable"), None) if row.summary != Summary::NotApplicable => Some(if roles.counterparty {
            "Addressable — decision to be agreed".to_string()
        } else {
            "Addressable — no decision documented".to_string()
        }),
        (r, _) => r.map(str::to_string),
    };
    let others = row
        .duties
        .iter()
        .filter(|(p, d)| p.is_third() && !d.is_empty())
        .map(|(p, d)| {
            let party = scope.parties().find(|x| x.id == p.as_str());
            OtherParty {
                id: p.as_str().to_string(),
                name: party_name(scope, p.as_str()),
                engaged_by: party.and_then(|x| x.engaged_by).map(crate::model::EngagedBy::as_str),
                baa: party.and_then(|x| x.baa),
                duties: d.clone(),
            }
        })
        .collect();
    let own_duties = row.duties.values().any(|d| !d.is_empty());
    let other_duties = row
        .duties
        .iter()
        .filter(|(p, _)| p.is_third())
        .flat_map(|(p, d)| d.iter().map(move |duty| (p, duty)))
        .map(|(p, duty)| format!("{}: {duty}", party_name(scope, p.as_str())))
        .collect();
    BaaRow {
        id: c.id.clone(),
        citation: fw.cite(&c.id),
        title: c.title.clone(),
        level: c.level.clone(),
        is_standard,
        has_specifications,
        requirement,
        summary: row.summary.as_str(),
        owner: Some(row.summary),
        responsible: roles.responsible(scope, row),
        ba_duties: row.duties.get(&Party::Msp).cloned().unwrap_or_default(),
        ce_duties: row.duties.get(&Party::Client).cloned().unwrap_or_default(),
        other_duties,
        others,
        own_duties,
        requirement_words,
        evidence,
        addressable,
        reason: row.reason.clone(),
        gaps: if roles.counterparty {
            Vec::new()
        } else {
            ctx.rows
                .iter()
                .find(|r| r.control == control)
                .map(|r| r.findings.clone())
                .unwrap_or_default()
        },
    }
}
