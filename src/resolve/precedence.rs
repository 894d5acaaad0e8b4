//! Precedence of sources for one control: the scope's explicit assignment or not-applicable →
//! the package's → subscribed services' claims → client-owned controls. Each level yields a
//! [`Decision`] or nothing; two sources that disagree at one level are a conflict. Uses `model`.

use super::{Coverage, Provenance, SourceKind, Summary};
use crate::model::*;
use std::collections::{BTreeMap, BTreeSet};

/// A decision for one control from the sources at one precedence level. It borrows the
/// parties, duties and evidence from its sources (the scope, its package, the services, the
/// CSF rows); the row it decides gets its own copies once, in [`super::apply`].
#[derive(Debug, Clone)]
pub(super) struct Decision<'a> {
    pub(super) responsible: BTreeSet<&'a str>,
    pub(super) accountable: Option<&'a str>,
    pub(super) consulted: BTreeSet<&'a str>,
    pub(super) informed: BTreeSet<&'a str>,
    pub(super) duties: BTreeMap<&'a str, Vec<&'a str>>,
    pub(super) evidence: Vec<&'a str>,
    pub(super) not_applicable: Option<&'a str>,
    pub(super) coverage: Coverage,
    pub(super) provenance: Vec<Provenance>,
    pub(super) conflicts: Vec<Provenance>,
}

impl<'a> Decision<'a> {
    pub(super) fn empty() -> Self {
        Decision {
            responsible: BTreeSet::new(),
            accountable: None,
            consulted: BTreeSet::new(),
            informed: BTreeSet::new(),
            duties: BTreeMap::new(),
            evidence: Vec::new(),
            not_applicable: None,
            coverage: Coverage::Full,
            provenance: Vec::new(),
            conflicts: Vec::new(),
        }
    }

    pub(super) fn add_duty(&mut self, party: &'a str, duty: Option<&'a str>) {
        if let Some(d) = duty.filter(|d| !d.chars().all(char::is_whitespace)) {
            let list = self.duties.entry(party).or_default();
            if !list.contains(&d) {
                list.push(d);
            }
        }
    }
}

/// Sources attached to a control id, per precedence level.
#[derive(Default)]
pub(super) struct Sources<'a> {
    pub(super) assignments: Vec<&'a Assignment>,
    pub(super) not_applicable: Vec<&'a NotApplicable>,
    /// The package's assignments and not-applicable entries: below the scope's own.
    pub(super) package_assignments: Vec<&'a Assignment>,
    pub(super) package_not_applicable: Vec<&'a NotApplicable>,
    /// Each claim with the package whose subscription brings it (`None`: the scope's own).
    pub(super) claims: Vec<(&'a Service, &'a Claim, &'a FromPackage)>,
    pub(super) client_owned: Vec<&'a ClientOwned>,
    /// Stubs that still say `responsible: undecided`: no source, only where to decide.
    pub(super) undecided: Vec<&'a Assignment>,
}

fn party_kind(party: &str) -> &'static str {
    match party {
        "msp" => "msp",
        "client" => "client",
        _ => "third",
    }
}

pub(super) fn summary_of(responsible: &BTreeSet<&str>) -> Summary {
    let (mut msp, mut client, mut third) = (false, false, false);
    for p in responsible {
        match party_kind(p) {
            "msp" => msp = true,
            "client" => client = true,
            _ => third = true,
        }
    }
    match (msp, client, third) {
        (false, false, false) => Summary::Unassigned,
        (true, false, false) => Summary::Msp,
        (false, true, false) => Summary::Client,
        (false, false, true) => Summary::ThirdParty,
        _ => Summary::Shared,
    }
}

/// The scope's own assignments and not-applicable entries.
pub(super) fn decide_level1<'a>(sources: &Sources<'a>) -> Option<Decision<'a>> {
    decide_explicit(&sources.assignments, &sources.not_applicable)
}

/// The package's assignments and not-applicable entries.
pub(super) fn decide_package<'a>(sources: &Sources<'a>) -> Option<Decision<'a>> {
    decide_explicit(&sources.package_assignments, &sources.package_not_applicable)
}

/// Who decides: "scope" or "package `ID`".
pub(super) fn decided_by(package: &FromPackage) -> String {
    match package {
        None => "scope".to_string(),
        Some(id) => format!("package `{id}`"),
    }
}

fn decide_explicit<'a>(assignments: &[&'a Assignment], not_applicable: &[&'a NotApplicable]) -> Option<Decision<'a>> {
    if assignments.is_empty() && not_applicable.is_empty() {
        return None;
    }
    let mut d = Decision::empty();
    let mut seen: Option<BTreeSet<&str>> = None;
    for &a in assignments {
        let responsible: BTreeSet<&'a str> = a.responsible.as_slice().iter().map(String::as_str).collect();
        let mut detail = format!("{} assignment: responsible ", decided_by(&a.package));
        for (k, p) in responsible.iter().enumerate() {
            if k > 0 {
                detail.push_str(", ");
            }
            detail.push_str(p);
        }
        let prov = Provenance::new(SourceKind::Assignment, detail, &a.origin).in_package(&a.package);
        if seen.as_ref().is_some_and(|prev| *prev != responsible) {
            d.conflicts.push(prov.clone());
        }
        d.responsible.extend(responsible.iter().copied());
        if a.accountable.is_some() {
            d.accountable = a.accountable.as_deref();
        }
        d.consulted.extend(a.consulted.iter().map(String::as_str));
        d.informed.extend(a.informed.iter().map(String::as_str));
        d.add_duty("msp", a.msp.as_deref());
        d.add_duty("client", a.client.as_deref());
        for &p in &responsible {
            if party_kind(p) == "third" {
                d.add_duty(p, a.third_party.as_deref());
            }
        }
        if responsible.len() == 1 {
            let only = responsible.iter().next().copied().unwrap_or_default();
            if party_kind(only) != "third" {
                d.add_duty(only, a.note.as_deref().filter(|_| !d.duties.contains_key(only)));
            }
        }
        d.provenance.push(prov);
        seen = Some(responsible);
    }
    for &n in not_applicable {
        let prov = Provenance::new(
            SourceKind::NotApplicable,
            format!(
                "{} marks it not applicable: {}",
                decided_by(&n.package),
                n.reason.as_deref().unwrap_or("(no reason given)")
            ),
            &n.origin,
        )
        .in_package(&n.package);
        if !assignments.is_empty() {
            d.conflicts.push(prov.clone());
        }
        d.not_applicable = Some(n.reason.as_deref().unwrap_or_default());
        d.provenance.push(prov);
    }
    Some(d)
}

pub(super) fn decide_services<'a>(sources: &Sources<'a>) -> Option<Decision<'a>> {
    if sources.claims.is_empty() {
        return None;
    }
    let mut d = Decision::empty();
    let first_split = sources.claims[0].1.split;
    for &(service, claim, package) in &sources.claims {
        let through = match package {
            Some(id) => format!(" (subscribed through package `{id}`)"),
            None => String::new(),
        };
        let prov = Provenance::new(
            SourceKind::Service,
            format!(
                "service `{}` ({}) claims it: split {}{through}",
                service.id,
                service.name,
                <&str>::from(claim.split)
            ),
            &claim.origin,
        )
        .in_package(package);
        if claim.split != first_split {
            d.conflicts.push(prov.clone());
        }
        match claim.split {
            Split::Msp => {
                d.responsible.insert("msp");
            }
            Split::Client => {
                d.responsible.insert("client");
            }
            Split::Shared => {
                d.responsible.insert("msp");
                d.responsible.insert("client");
            }
        }
        d.add_duty("msp", claim.msp.as_deref());
        d.add_duty("client", claim.client.as_deref());
        for e in &claim.evidence {
            if !d.evidence.contains(&e.as_str()) {
                d.evidence.push(e);
            }
        }
        d.provenance.push(prov);
    }
    if !d.conflicts.is_empty() {
        // Keep the first claim's provenance as the first conflicting side.
        let first = d.provenance[0].clone();
        d.conflicts.insert(0, first);
    }
    Some(d)
}

pub(super) fn decide_client_owned<'a>(sources: &Sources<'a>) -> Option<Decision<'a>> {
    if sources.client_owned.is_empty() {
        return None;
    }
    let mut d = Decision::empty();
    d.responsible.insert("client");
    for &c in &sources.client_owned {
        d.add_duty("client", c.duty.as_deref());
        d.provenance.push(
            Provenance::new(
                SourceKind::ClientOwned,
                format!("{} lists it as client-owned", decided_by(&c.package)),
                &c.origin,
            )
            .in_package(&c.package),
        );
    }
    Some(d)
}
