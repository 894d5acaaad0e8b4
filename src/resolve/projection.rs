//! Crosswalk projection: what the CSF 2.0 crosswalks say about a regulation control. Only
//! `equal` and `subset-of` rows give an owner; `intersects-with` and `superset-of` links give
//! candidates. Uses `model`'s crosswalks and the scope's CSF 2.0 rows.

use super::{Candidate, CsfRows, Decision, Provenance, SourceKind, Summary, decided_by};
use crate::model::catalog::Framework;
use crate::model::*;
use rustc_hash::FxHashMap;

/// What the crosswalks say about a regulation control: an owner only through `equal` /
/// `subset-of` rows, and the outcomes that merely intersect it as candidates.
#[derive(Default)]
pub(super) struct Projection<'a> {
    pub(super) full: Option<Decision<'a>>,
    pub(super) candidates: Vec<Candidate>,
    /// The first `equal`/`subset-of` crosswalk row whose CSF 2.0 outcome a subscribed service
    /// gives to someone other than the client alone.
    pub(super) by_subscription: Option<Provenance>,
}

/// Project CSF 2.0 outcomes onto a regulation control through the crosswalk (its own rows
/// and those of the controls that contain it).
pub(super) fn project<'a>(
    fw: &Framework,
    i: usize,
    mappings: &FxHashMap<&str, Vec<&Mapping>>,
    csf_rows: &CsfRows<'a>,
) -> Projection<'a> {
    let mut full = Decision::empty();
    let mut candidates = Vec::new();
    let mut by_subscription = None;
    let chain = std::iter::once(i).chain(fw.ancestors(i).iter().copied());
    let relevant = chain.filter_map(|c| mappings.get(fw.controls[c].id.as_str())).flatten();
    for m in relevant {
        let Some(csf) = csf_rows.get(&m.to) else { continue };
        if matches!(csf.summary, Summary::Unassigned | Summary::NotApplicable) {
            continue;
        }
        let deciding = csf
            .provenance
            .first()
            .map(|p| (p.detail.clone(), format!("{}:{}", p.file, p.line)));
        if !m.relationship.gives_full_coverage() {
            let via = csf.provenance.first().map(|p| match p.kind {
                SourceKind::Service => p.detail.split(" claims it").next().unwrap_or(&p.detail).to_string(),
                SourceKind::Assignment => format!("a {} assignment ({}:{})", decided_by(&p.package), p.file, p.line),
                SourceKind::ClientOwned => match &p.package {
                    Some(id) => format!("package `{id}`'s `client_owned` list ({}:{})", p.file, p.line),
                    None => format!("the scope's `client_owned` list ({}:{})", p.file, p.line),
                },
                _ => p.detail.clone(),
            });
            candidates.push(Candidate {
                control: csf.control.clone(),
                relationship: m.relationship,
                summary: csf.summary,
                responsible: csf.responsible.iter().map(ToString::to_string).collect(),
                via: via.unwrap_or_default(),
                file: m.origin.file.clone(),
                line: m.origin.line,
            });
            continue;
        }
        full.responsible.extend(csf.responsible.iter().map(Party::as_str));
        for (party, duties) in &csf.duties {
            for duty in duties {
                full.add_duty(party.as_str(), Some(duty));
            }
        }
        for e in &csf.evidence {
            if !full.evidence.contains(&e.as_str()) {
                full.evidence.push(e);
            }
        }
        let via = deciding
            .map(|(d, at)| format!("; CSF row decided by {d} ({at})"))
            .unwrap_or_default();
        let prov = Provenance::new(
            SourceKind::Crosswalk,
            format!(
                "crosswalk: {} {} {}:{} ({}), owned by {}{via}",
                fw.controls[i].id,
                m.relationship.as_str(),
                csf_rows.framework.map_or("", |hub| hub.id()),
                m.to,
                m.source,
                csf.summary.label()
            ),
            &m.origin,
        );
        if by_subscription.is_none()
            && csf.summary != Summary::Client
            && csf.provenance.first().is_some_and(|p| p.kind == SourceKind::Service)
        {
            by_subscription = Some(prov.clone());
        }
        full.provenance.push(prov);
    }
    candidates.sort();
    candidates.dedup_by(|a, b| a.control == b.control && a.relationship == b.relationship);
    Projection {
        full: (!full.responsible.is_empty()).then_some(full),
        candidates,
        by_subscription,
    }
}

#[cfg(test)]
mod tests;
