//! Resolve: who owns every applicable control of a scope. A pure function of the loaded
//! workspace and one scope; no I/O.
//!
//! Precedence, highest first (DESIGN.md): explicit scope assignment or not-applicable → the
//! package's assignment or not-applicable (see [`crate::model::package`]) → subscribed
//! services' direct claims → client-owned controls (the scope's and its package's) →
//! crosswalk projection from CSF 2.0 outcomes → unassigned. Projection never invents an owner: only `equal` and
//! `subset-of` rows (the regulation's duty lies wholly inside the outcome) give one; an
//! `intersects-with` or `superset-of` link leaves the control unassigned and lists the
//! linked outcomes and their owners as *candidates*. A source on a parent control covers
//! its children unless a child has its own source at the same or a higher level. Two sources
//! that disagree at the same level are a conflict, kept on the row, never silently resolved.
//! A parent rolls up from its parts, unless the catalog says it carries a duty of its own
//! (`own_duty: row`): then it is a row that must be owned itself. A decision of the scope's
//! own that a higher source now overrides — a client-owned entry or a `responsible:
//! undecided` stub that decides nothing any more, or a client-owned entry that keeps a
//! control from a subscribed service reaching it through an `equal`/`subset-of` crosswalk
//! row — is kept on the matrix ([`StaleDecision`]) for assess to report.
//!
//! Applicability is decided from declared facts only: a condition that depends on a fact
//! the scope does not declare never removes a duty (see [`applicability::evaluate`]).

use crate::model::Workspace;
pub mod applicability;

use crate::model::catalog::Framework;
use crate::model::*;
use applicability::{Facts, evaluate, holds, own_duty_row, undeclared};
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Who owns a control, in one word.
#[derive(strum::IntoStaticStr, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Summary {
    Msp,
    Client,
    Shared,
    ThirdParty,
    Unassigned,
    NotApplicable,
}

impl Summary {
    pub const ALL: [Summary; 6] = [
        Summary::Msp,
        Summary::Client,
        Summary::Shared,
        Summary::ThirdParty,
        Summary::Unassigned,
        Summary::NotApplicable,
    ];

    /// The summary as JSON and CSV write it (`third-party`).
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn label(self) -> &'static str {
        match self {
            Summary::Msp => "MSP",
            Summary::Client => "Client",
            Summary::Shared => "Shared",
            Summary::ThirdParty => "Third party",
            Summary::Unassigned => "Unassigned",
            Summary::NotApplicable => "N/A",
        }
    }
}

/// How completely the deciding source covers the control.
#[derive(strum::IntoStaticStr, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Coverage {
    Full,
    Partial,
    None,
}

/// What kind of source decided (part of) a row.
#[derive(strum::IntoStaticStr, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum SourceKind {
    Applicability,
    Assignment,
    NotApplicable,
    Service,
    ClientOwned,
    Crosswalk,
    Rollup,
    Default,
}

/// One link in the chain that explains a row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Provenance {
    pub kind: SourceKind,
    /// What the source says, in words.
    pub detail: String,
    pub file: Arc<str>,
    pub line: usize,
    /// The package the source comes from (its entry, or its subscription to a service).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<Arc<str>>,
}

impl Provenance {
    fn new(kind: SourceKind, detail: String, origin: &Origin) -> Self {
        Provenance {
            kind,
            detail,
            file: origin.file.clone(),
            line: origin.line,
            package: None,
        }
    }

    fn in_package(mut self, package: &FromPackage) -> Self {
        self.package = package.clone();
        self
    }
}

/// A scope's own decision that a higher source overrides.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct StaleDecision {
    /// Where the entry is written.
    pub file: Arc<str>,
    pub line: usize,
    pub column: usize,
    /// `framework:id` the entry names.
    pub control: Arc<str>,
    pub entry: StaleEntry,
    pub how: Staleness,
    /// What decides the row now (`Shadowed`), or the crosswalk row through which a subscribed
    /// service would decide it (`OutranksSubscription`).
    pub by: Provenance,
}

/// Which kind of entry went stale.
#[derive(strum::IntoStaticStr, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum StaleEntry {
    /// A `client_owned` entry.
    ClientOwned,
    /// An assignment that still says `responsible: undecided`.
    Undecided,
}

/// How a higher source overrides the entry.
#[derive(strum::IntoStaticStr, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Staleness {
    /// The entry decides no row any more: a higher source decides its control.
    Shadowed,
    /// The client-owned entry still decides its control, but only because client-owned
    /// entries outrank crosswalk projection: a subscribed service claims a CSF 2.0 outcome
    /// that contains the whole control (`equal`/`subset-of`).
    OutranksSubscription,
}

/// One control of one scope: who does what, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// `framework:id`.
    pub control: Arc<str>,
    pub framework: Arc<str>,
    pub id: Arc<str>,
    pub title: Arc<str>,
    pub level: Arc<str>,
    pub depth: usize,
    /// A leaf that carries a duty (where duties are assigned); others roll up.
    pub assignable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requirement: Option<Requirement>,
    pub summary: Summary,
    pub coverage: Coverage,
    pub responsible: Vec<Party>,
    pub accountable: Party,
    pub consulted: Vec<Party>,
    pub informed: Vec<Party>,
    /// Duties per party, in the words of the services and the scope.
    pub duties: BTreeMap<Party, Vec<String>>,
    /// Evidence the services say they produce for this control.
    pub evidence: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// True when sources at the deciding level disagree (see `conflicts`).
    pub conflict: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Provenance>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addressable: Option<Box<AddressableNote>>,
    /// For an unassigned control: CSF 2.0 outcomes that only intersect it, and their owners.
    pub candidates: Vec<Candidate>,
    /// Why the control applies although the catalog makes it conditional: the fact that
    /// decides it is not declared (an undeclared fact never removes a duty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applicability: Option<String>,
    pub provenance: Vec<Provenance>,
}

/// A CSF 2.0 outcome that a crosswalk links to an unassigned regulation control only
/// through `intersects-with` or `superset-of`: a lead for whoever assigns the control, never
/// its owner (the outcome does not contain the whole duty).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Candidate {
    /// `csf-2.0:PR.AA-03`.
    pub control: Arc<str>,
    pub relationship: Relationship,
    /// Who owns the outcome in this scope.
    pub summary: Summary,
    pub responsible: Vec<String>,
    /// What decided the outcome's owner, e.g. "service `m365-identity` (…) claims it: split msp".
    pub via: String,
    /// The crosswalk row.
    pub file: Arc<str>,
    pub line: usize,
}

impl Candidate {
    /// "CSF 2.0 PR.AA-03 (intersects-with), owned by the MSP through service `m365-identity`".
    pub fn describe(&self) -> String {
        let id = self.control.split_once(':').map_or(&*self.control, |(_, id)| id);
        let owner = match self.summary {
            Summary::Msp => "the MSP".to_string(),
            Summary::Client => "the client".to_string(),
            Summary::Shared => format!("{} (shared)", self.responsible.join(" and ")),
            Summary::ThirdParty => format!("third party {}", self.responsible.join(", ")),
            Summary::Unassigned | Summary::NotApplicable => "nobody".to_string(),
        };
        format!(
            "CSF 2.0 {id} ({}), owned by {owner} through {}",
            self.relationship.as_str(),
            self.via
        )
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AddressableNote {
    pub decision: AddressableDecision,
    pub rationale: Option<String>,
    pub alternative: Option<String>,
    pub file: Arc<str>,
    pub line: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct FrameworkRef {
    pub id: String,
    pub title: String,
    pub version: String,
    pub citation: String,
    /// Why the framework applies to this client, citing the profile fact and the rule.
    pub reason: String,
}

/// A catalog of the workspace that does not apply to a scope, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FrameworkExclusion {
    pub id: String,
    pub title: String,
    /// The catalog's citation, e.g. `16 CFR Part 314`.
    pub citation: String,
    /// Why it does not apply: what the scope declares (or does not), and the provision that
    /// decides, quoted from the catalog's `applies_to` and `institution_types`.
    pub reason: String,
}

impl FrameworkExclusion {
    /// `16 CFR Part 314 does not apply: …`.
    pub fn sentence(&self) -> String {
        format!("{} does not apply: {}", self.citation, self.reason)
    }
}

/// The responsibility matrix of one scope.
#[derive(Debug, Clone, Serialize)]
pub struct Matrix {
    pub scope: String,
    pub client: String,
    pub frameworks: Vec<FrameworkRef>,
    /// Every other catalog of the workspace, with why it does not apply to this client.
    pub frameworks_not_applicable: Vec<FrameworkExclusion>,
    pub rows: Vec<Row>,
    /// The scope's own decisions a higher source overrides, by place.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stale: Vec<StaleDecision>,
}

impl Matrix {
    pub fn row(&self, control: &str) -> Option<&Row> {
        self.rows.iter().find(|r| &*r.control == control)
    }

    /// Why a framework does not apply to this scope, when it is a catalog of the workspace
    /// that does not.
    pub fn exclusion(&self, framework: &str) -> Option<&FrameworkExclusion> {
        self.frameworks_not_applicable.iter().find(|x| x.id == framework)
    }
}

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

/// A decision for one control from the sources at one precedence level.
#[derive(Debug, Clone)]
struct Decision {
    responsible: BTreeSet<String>,
    accountable: Option<String>,
    consulted: BTreeSet<String>,
    informed: BTreeSet<String>,
    duties: BTreeMap<String, Vec<String>>,
    evidence: Vec<String>,
    not_applicable: Option<String>,
    coverage: Coverage,
    provenance: Vec<Provenance>,
    conflicts: Vec<Provenance>,
}

impl Decision {
    fn empty() -> Self {
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

    fn add_duty(&mut self, party: &str, duty: Option<&String>) {
        if let Some(d) = duty.filter(|d| !d.chars().all(char::is_whitespace)) {
            match self.duties.get_mut(party) {
                Some(list) => {
                    if !list.contains(d) {
                        list.push(d.clone());
                    }
                }
                None => {
                    self.duties.insert(party.to_string(), vec![d.clone()]);
                }
            }
        }
    }
}

/// Sources attached to a control id, per precedence level.
#[derive(Default)]
struct Sources<'a> {
    assignments: Vec<&'a Assignment>,
    not_applicable: Vec<&'a NotApplicable>,
    /// The package's assignments and not-applicable entries: below the scope's own.
    package_assignments: Vec<&'a Assignment>,
    package_not_applicable: Vec<&'a NotApplicable>,
    /// Each claim with the package whose subscription brings it (`None`: the scope's own).
    claims: Vec<(&'a Service, &'a Claim, &'a FromPackage)>,
    client_owned: Vec<&'a ClientOwned>,
    /// Stubs that still say `responsible: undecided`: no source, only where to decide.
    undecided: Vec<&'a Assignment>,
}

fn party_kind(party: &str) -> &'static str {
    match party {
        "msp" => "msp",
        "client" => "client",
        _ => "third",
    }
}

fn summary_of(responsible: &BTreeSet<String>) -> Summary {
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
fn decide_level1(sources: &Sources) -> Option<Decision> {
    decide_explicit(&sources.assignments, &sources.not_applicable)
}

/// The package's assignments and not-applicable entries.
fn decide_package(sources: &Sources) -> Option<Decision> {
    decide_explicit(&sources.package_assignments, &sources.package_not_applicable)
}

/// Who decides: "scope" or "package `ID`".
fn decided_by(package: &FromPackage) -> String {
    match package {
        None => "scope".to_string(),
        Some(id) => format!("package `{id}`"),
    }
}

fn decide_explicit(assignments: &[&Assignment], not_applicable: &[&NotApplicable]) -> Option<Decision> {
    if assignments.is_empty() && not_applicable.is_empty() {
        return None;
    }
    let mut d = Decision::empty();
    let mut seen: Option<BTreeSet<&str>> = None;
    for a in assignments {
        let responsible: BTreeSet<&str> = a.responsible.as_slice().iter().map(String::as_str).collect();
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
        d.responsible.extend(responsible.iter().map(|p| p.to_string()));
        if a.accountable.is_some() {
            d.accountable = a.accountable.clone();
        }
        d.consulted.extend(a.consulted.iter().cloned());
        d.informed.extend(a.informed.iter().cloned());
        d.add_duty("msp", a.msp.as_ref());
        d.add_duty("client", a.client.as_ref());
        for p in &responsible {
            if party_kind(p) == "third" {
                d.add_duty(p, a.third_party.as_ref());
            }
        }
        if responsible.len() == 1 {
            let only = responsible.iter().next().copied().unwrap_or_default();
            if party_kind(only) != "third" {
                d.add_duty(only, a.note.as_ref().filter(|_| !d.duties.contains_key(only)));
            }
        }
        d.provenance.push(prov);
        seen = Some(responsible);
    }
    for n in not_applicable {
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
        d.not_applicable = Some(n.reason.clone().unwrap_or_default());
        d.provenance.push(prov);
    }
    Some(d)
}

fn decide_services(sources: &Sources) -> Option<Decision> {
    if sources.claims.is_empty() {
        return None;
    }
    let mut d = Decision::empty();
    let first_split = sources.claims[0].1.split;
    for (service, claim, package) in &sources.claims {
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
                d.responsible.insert("msp".into());
            }
            Split::Client => {
                d.responsible.insert("client".into());
            }
            Split::Shared => {
                d.responsible.insert("msp".into());
                d.responsible.insert("client".into());
            }
        }
        d.add_duty("msp", claim.msp.as_ref());
        d.add_duty("client", claim.client.as_ref());
        for e in &claim.evidence {
            if !d.evidence.contains(e) {
                d.evidence.push(e.clone());
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

fn decide_client_owned(sources: &Sources) -> Option<Decision> {
    if sources.client_owned.is_empty() {
        return None;
    }
    let mut d = Decision::empty();
    d.responsible.insert("client".into());
    for c in &sources.client_owned {
        d.add_duty("client", c.duty.as_ref());
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

/// The catalog's own reason why a control does not apply to this client, if any: its own
/// or an ancestor's `applies_when` is false on the declared facts, every deadline it exists
/// for has a threshold the client's declared counts cannot reach, or an exemption that holds
/// for the client (`granted`, evaluated once per scope) lifts it.
fn catalog_not_applicable(fw: &Framework, i: usize, facts: Facts, granted: &[usize]) -> Option<(String, Origin)> {
    let chain = std::iter::once(i).chain(fw.ancestors(i).iter().copied());
    for c in chain {
        let control = &fw.controls[c];
        // Named only when it is the reason: most controls apply, and every row asks.
        let here = || {
            if c == i {
                fw.cite(&control.id)
            } else {
                format!("{} (which contains it)", fw.cite(&control.id))
            }
        };
        if let Some(cond) = &control.applies_when
            && evaluate(cond, facts) == Some(false)
        {
            let here = here();
            let why = match &control.applies_note {
                Some(note) => format!("{here} does not apply to this client: {note}"),
                None => {
                    format!("{here} applies only under a condition the client profile does not meet (see the catalog)")
                }
            };
            return Some((why, control.origin.clone()));
        }
        if let Some(why) = out_of_reach(fw, c, facts.profile) {
            return Some((format!("{} {why}", here()), control.origin.clone()));
        }
    }
    for &e in granted {
        if fw.lifted_by(e, i)
            && let Some(Some(ex)) = fw.catalog.exemptions.get(e)
        {
            return Some((
                format!("exempt under {}: {}", fw.cite(&ex.citation), ex.title),
                fw.catalog.origin.clone(),
            ));
        }
    }
    None
}

/// The largest count of people an event at the client could involve, as declared.
fn declared_count(profile: &Profile, fact: &str) -> Option<u64> {
    match fact {
        "consumers" => profile.consumers,
        "individuals" => profile.individuals,
        _ => None,
    }
}

/// When every deadline a control exists for needs an event larger than the client's
/// declared counts allow, the duty cannot arise: say why.
fn out_of_reach(fw: &Framework, c: usize, profile: &Profile) -> Option<String> {
    let deadlines = &fw.controls[c].deadlines;
    let thresholds: Vec<&crate::model::Threshold> = deadlines.iter().filter_map(|d| d.threshold.as_ref()).collect();
    if thresholds.is_empty() || thresholds.len() != deadlines.len() {
        return None;
    }
    if thresholds.iter().any(|t| t.reachable(declared_count(profile, &t.fact))) {
        return None;
    }
    let t = thresholds[0];
    let most = declared_count(profile, &t.fact).unwrap_or_default();
    Some(format!(
        "applies only to events involving {}; the scope declares that an event could involve at most {most} {} (`client.profile.{}`)",
        t.text, t.fact, t.fact
    ))
}

/// Why a conditional control applies although its condition could not be decided: the
/// facts it depends on are not declared. `None` when nothing was left undecided.
fn applies_because(fw: &Framework, i: usize, facts: Facts) -> Option<String> {
    let mut notes = Vec::new();
    for c in std::iter::once(i).chain(fw.ancestors(i).iter().copied()) {
        let control = &fw.controls[c];
        if let Some(cond) = &control.applies_when
            && evaluate(cond, facts).is_none()
        {
            let mut missing = Vec::new();
            undeclared(cond, facts, &mut missing);
            let facts_named: Vec<String> = missing.iter().map(|f| format!("`client.profile.{f}`")).collect();
            let rule = control
                .applies_note
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            notes.push(format!(
                "{} is conditional{rule}, and the scope does not declare {}; it applies until the profile says otherwise",
                fw.cite(&control.id),
                facts_named.join(" or ")
            ));
        }
        let thresholds: Vec<&crate::model::Threshold> =
            control.deadlines.iter().filter_map(|d| d.threshold.as_ref()).collect();
        if !thresholds.is_empty()
            && thresholds.len() == control.deadlines.len()
            && let Some(t) = thresholds
                .iter()
                .find(|t| declared_count(facts.profile, &t.fact).is_none())
        {
            notes.push(format!(
                "{} applies only to events involving {}, and the scope does not declare `client.profile.{}`; it applies until the profile says how many an event could involve",
                fw.cite(&control.id),
                t.text,
                t.fact
            ));
        }
    }
    (!notes.is_empty()).then(|| notes.join("; "))
}

/// The scope's CSF 2.0 rows, with where each control's row is, for crosswalk projection.
#[derive(Default)]
struct CsfRows<'a> {
    framework: Option<&'a Framework>,
    rows: &'a [Row],
    /// Position in `rows` of each control's row (`usize::MAX` when it has none).
    at: Vec<usize>,
}

impl CsfRows<'_> {
    fn get(&self, id: &str) -> Option<&Row> {
        let i = self.framework?.index(id)?;
        self.rows.get(*self.at.get(i)?)
    }
}

/// Sources by (framework, control id), borrowed from the scope and services.
type SourceMap<'a> = FxHashMap<(&'a str, &'a str), Sources<'a>>;

fn split_ref(reference: &str) -> (&str, &str) {
    reference.split_once(':').unwrap_or(("", reference))
}

/// Resolve one scope into its matrix.
pub fn resolve(ws: &Workspace, scope: &Scope) -> Matrix {
    let frameworks = framework_applicability(ws, scope);

    // Index the scope's and its services' sources by control reference.
    let entries = scope.assignments.len() + scope.not_applicable.len() + scope.client_owned.len();
    let mut sources: SourceMap = FxHashMap::with_capacity_and_hasher(entries, Default::default());
    for a in scope.assignments.iter().flatten() {
        let found = sources.entry(split_ref(&a.control)).or_default();
        if a.is_undecided() {
            found.undecided.push(a);
        } else if a.package.is_some() {
            found.package_assignments.push(a);
        } else {
            found.assignments.push(a);
        }
    }
    for n in scope.not_applicable.iter().flatten() {
        let found = sources.entry(split_ref(&n.control)).or_default();
        if n.package.is_some() {
            found.package_not_applicable.push(n);
        } else {
            found.not_applicable.push(n);
        }
    }
    for sub in scope.services.iter().flatten() {
        let Some(service) = ws.services.get(&sub.service) else {
            continue;
        };
        for claim in service.controls.iter().flatten() {
            if claim.option.as_ref().is_some_and(|o| !sub.options.contains(o)) {
                continue;
            }
            sources
                .entry(split_ref(&claim.control))
                .or_default()
                .claims
                .push((service, claim, &sub.package));
        }
    }
    for c in scope.client_owned.iter().flatten() {
        sources.entry(split_ref(&c.control)).or_default().client_owned.push(c);
    }
    let addressable: BTreeMap<&str, &Addressable> = scope
        .addressable
        .iter()
        .flatten()
        .map(|a| (a.control.as_str(), a))
        .collect();

    // CSF is resolved first: crosswalk projection reads its rows. The matrix lists CSF first
    // (the baseline) when it applies; the other frameworks' rows are appended to it.
    let applicable: Vec<(&Framework, &str)> = frameworks
        .iter()
        .filter_map(|(id, why)| ws.framework(id).map(|fw| (fw, why.as_str())))
        .collect();
    let capacity = applicable.iter().map(|(fw, _)| fw.controls.len()).sum();
    let mut csf_rows: Vec<Row> = Vec::with_capacity(capacity);
    let mut stale = Vec::new();
    let csf_framework = ws.hub();
    let mut csf_at = Vec::new();
    if let Some(fw) = csf_framework {
        csf_at = resolve_framework(
            ws,
            scope,
            fw,
            &sources,
            &addressable,
            &CsfRows::default(),
            &mut csf_rows,
            &mut stale,
        );
    }
    // Room for the other frameworks' rows at once: rows are large, and growing the vector
    // step by step copied them again and again.
    let rest_capacity = applicable
        .iter()
        .filter(|(fw, _)| csf_framework.is_none_or(|hub| hub.id() != fw.id()))
        .map(|(fw, _)| fw.controls.len())
        .sum();
    let mut rest = Vec::with_capacity(rest_capacity);
    let mut refs = Vec::new();
    let mut csf_applies = false;
    {
        let csf = CsfRows {
            framework: csf_framework,
            rows: &csf_rows,
            at: csf_at,
        };
        for (fw, why) in applicable {
            refs.push(FrameworkRef {
                id: fw.id().to_string(),
                title: fw.catalog.title.clone(),
                version: fw.catalog.version.clone(),
                citation: fw.catalog.citation.clone(),
                reason: why.to_string(),
            });
            if csf_framework.is_some_and(|hub| hub.id() == fw.id()) {
                csf_applies = true;
            } else {
                resolve_framework(ws, scope, fw, &sources, &addressable, &csf, &mut rest, &mut stale);
            }
        }
    }
    let rows = if csf_applies {
        csf_rows.append(&mut rest);
        csf_rows
    } else {
        rest
    };
    stale.extend(shadowed(scope, &rows));
    stale.sort();
    stale.dedup();
    Matrix {
        scope: scope.id.clone(),
        client: scope.client.name.clone(),
        frameworks: refs,
        frameworks_not_applicable: framework_exclusions(ws, scope, &frameworks),
        rows,
        stale,
    }
}

/// The scope's own client-owned entries that decide no row (a higher source decides their
/// control and everything under it) and its `responsible: undecided` stubs whose control is
/// decided all the same: each with what decides its control's row now.
fn shadowed(scope: &Scope, rows: &[Row]) -> Vec<StaleDecision> {
    let own_entries = scope.client_owned.iter().flatten().any(|c| c.package.is_none());
    let own_stubs = scope
        .assignments
        .iter()
        .flatten()
        .any(|a| a.package.is_none() && a.is_undecided());
    if !own_entries && !own_stubs {
        return Vec::new();
    }
    let deciding: rustc_hash::FxHashSet<(&str, usize)> = rows
        .iter()
        .flat_map(|r| &r.provenance)
        .filter(|p| p.kind == SourceKind::ClientOwned)
        .map(|p| (&*p.file, p.line))
        .collect();
    // Looked up only for the entries that turn out stale (and for stubs, rare outside a review).
    let row_of = |control: &str| rows.iter().find(|r| &*r.control == control);
    let mut out = Vec::new();
    for c in scope.client_owned.iter().flatten().filter(|c| c.package.is_none()) {
        if deciding.contains(&(&*c.origin.file, c.origin.line)) {
            continue;
        }
        if let Some(row) = row_of(&c.control)
            && let Some(by) = row.provenance.first()
        {
            out.push(StaleDecision {
                file: c.origin.file.clone(),
                line: c.origin.line,
                column: c.origin.column,
                control: row.control.clone(),
                entry: StaleEntry::ClientOwned,
                how: Staleness::Shadowed,
                by: by.clone(),
            });
        }
    }
    for a in scope
        .assignments
        .iter()
        .flatten()
        .filter(|a| a.package.is_none() && a.is_undecided())
    {
        if let Some(row) = row_of(&a.control).filter(|r| r.summary != Summary::Unassigned && !r.conflict)
            && let Some(by) = row.provenance.first()
        {
            out.push(StaleDecision {
                file: a.origin.file.clone(),
                line: a.origin.line,
                column: a.origin.column,
                control: row.control.clone(),
                entry: StaleEntry::Undecided,
                how: Staleness::Shadowed,
                by: by.clone(),
            });
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn resolve_framework(
    ws: &Workspace,
    scope: &Scope,
    fw: &Framework,
    sources: &SourceMap,
    addressable: &BTreeMap<&str, &Addressable>,
    csf_rows: &CsfRows,
    out: &mut Vec<Row>,
    stale: &mut Vec<StaleDecision>,
) -> Vec<usize> {
    let n = fw.controls.len();
    let start = out.len();
    // Where each control's row is in `out` (children are decided before their parents).
    let mut at: Vec<usize> = vec![usize::MAX; n];
    let mut mappings: FxHashMap<&str, Vec<&Mapping>> = FxHashMap::default();
    for m in ws
        .crosswalks
        .iter()
        .filter(|cw| cw.from == fw.id() && csf_rows.framework.is_some_and(|hub| hub.id() == cw.to))
        .flat_map(|cw| cw.mappings.iter().flatten())
    {
        mappings.entry(m.from.as_str()).or_default().push(m);
    }
    // Exemptions are granted only on declared facts (a known true); the ones granted are
    // themselves facts for the catalog's other conditions (`exempt`, `exemptions`).
    let profile = &scope.client.profile;
    let granted: Vec<usize> = fw
        .catalog
        .exemptions
        .iter()
        .enumerate()
        .filter(|(_, ex)| ex.as_ref().is_some_and(|ex| holds(&ex.when, profile)))
        .map(|(e, _)| e)
        .collect();
    let granted_citations: Vec<String> = granted
        .iter()
        .filter_map(|&e| fw.catalog.exemptions[e].as_ref().map(|ex| ex.citation.clone()))
        .collect();
    let facts = Facts::with_exemptions(profile, &granted_citations);
    // The sources of each control, by control index (looked up once, read many times).
    let empty = Sources::default();
    let mut by_control: Vec<&Sources> = vec![&empty; n];
    for ((framework, id), found) in sources {
        if *framework == fw.id()
            && let Some(i) = fw.index(id)
        {
            by_control[i] = found;
        }
    }
    let sources_of = |i: usize| -> &Sources { by_control[i] };

    // Children before parents: process in reverse source order (parents precede children).
    for i in (0..n).rev() {
        let control = &fw.controls[i];
        if control.role == Role::Reference {
            continue;
        }
        let mut row = blank_row(fw, i);
        if let Some((why, origin)) = catalog_not_applicable(fw, i, facts, &granted) {
            row.summary = Summary::NotApplicable;
            row.coverage = Coverage::None;
            row.reason = Some(why.clone());
            row.provenance
                .push(Provenance::new(SourceKind::Applicability, why, &origin));
            at[i] = out.len();
            out.push(row);
            continue;
        }
        row.applicability = applies_because(fw, i, facts);
        let has_parts = !fw.children(i).is_empty();
        // A parent with a duty of its own is owned itself, like a leaf.
        let own_row = has_parts && own_duty_row(fw, i, facts);
        row.assignable = fw.is_assignable(i) || own_row;
        // Sources on the control itself or on a control that contains it. A parent that is a
        // duty of its own (`own_duty: row`) is assigned for that duty: its source reaches a part
        // only when nothing else covers the part, not even an `equal`/`subset-of` crosswalk row.
        let row_parent = |c: usize| c != i && own_duty_row(fw, c, facts);
        let own_or_inherited =
            |decide: &dyn Fn(&Sources) -> Option<Decision>, from_row_parents: bool| -> Option<(Decision, usize)> {
                std::iter::once(i)
                    .chain(fw.ancestors(i).iter().copied())
                    .filter(|&c| from_row_parents || !row_parent(c))
                    .find_map(|c| decide(sources_of(c)).map(|d| (d, c)))
            };
        let levels = |from_row_parents: bool| {
            own_or_inherited(&decide_level1, from_row_parents)
                .or_else(|| own_or_inherited(&decide_package, from_row_parents))
                .or_else(|| own_or_inherited(&decide_services, from_row_parents))
                .or_else(|| own_or_inherited(&decide_client_owned, from_row_parents))
        };
        let project_here = || {
            if csf_rows.framework.is_none_or(|hub| hub.id() != fw.id()) {
                project(fw, i, &mappings, csf_rows)
            } else {
                Projection::default()
            }
        };
        let mut found = levels(false);
        let mut projected: Option<Projection> = None;
        if found.is_none() && (!has_parts || own_row) {
            let projection = project_here();
            if projection.full.is_none() {
                found = levels(true);
            }
            projected = Some(projection);
        }
        match found {
            Some((decision, from)) if from == i || !has_parts || own_row => {
                // The scope's own client-owned entry on this very control outranks a crosswalk
                // row through which a subscribed service would take it: say so.
                let own_client_owned = from == i
                    && decision
                        .provenance
                        .iter()
                        .all(|p| p.kind == SourceKind::ClientOwned && p.package.is_none());
                if own_client_owned && csf_rows.framework.is_some_and(|hub| hub.id() != fw.id()) {
                    let reaching = projected.take().unwrap_or_else(project_here).by_subscription;
                    if let (Some(by), Some(entry)) = (reaching, sources_of(i).client_owned.first()) {
                        stale.push(StaleDecision {
                            file: entry.origin.file.clone(),
                            line: entry.origin.line,
                            column: entry.origin.column,
                            control: row.control.clone(),
                            entry: StaleEntry::ClientOwned,
                            how: Staleness::OutranksSubscription,
                            by,
                        });
                    }
                }
                apply(&mut row, decision, (from != i).then(|| fw.controls[from].id.clone()));
            }
            _ if has_parts && !own_row => roll_up(&mut row, fw, i, &at, out),
            _ => {
                let projection = projected.take().unwrap_or_else(project_here);
                match projection.full {
                    Some(decision) => apply(&mut row, decision, None),
                    None => {
                        let mut detail = String::from(
                            "no scope assignment, subscribed service, client-owned entry or `equal`/`subset-of` crosswalk row covers it",
                        );
                        if own_row {
                            detail.push_str(" (it carries a duty of its own beyond its parts: ");
                            detail.push_str(control.own_duty.as_ref().map_or("", |o| o.reason.as_str()));
                            detail.push(')');
                        }
                        if !projection.candidates.is_empty() {
                            detail.push_str(&format!(
                                "; {} CSF 2.0 outcome{} only intersect{} it (candidates, never owners)",
                                projection.candidates.len(),
                                if projection.candidates.len() == 1 { "" } else { "s" },
                                if projection.candidates.len() == 1 { "s" } else { "" },
                            ));
                        }
                        row.candidates = projection.candidates;
                        // A stub waiting for its owner is where the decision is written: the
                        // row (and so CM001) points at it.
                        let (at, package) = match sources_of(i).undecided.first() {
                            Some(stub) => {
                                detail.push_str(&format!(
                                    "; the {} stub says `responsible: undecided`: replace it with the party that performs it",
                                    match &stub.package {
                                        Some(id) => format!("package `{id}`'s"),
                                        None => "scope's".to_string(),
                                    }
                                ));
                                (&stub.origin, stub.package.clone())
                            }
                            None => (&scope.origin, None),
                        };
                        row.provenance
                            .push(Provenance::new(SourceKind::Default, detail, at).in_package(&package));
                    }
                }
            }
        }
        if let Some(a) = addressable.get(&*row.control) {
            row.addressable = Some(Box::new(AddressableNote {
                decision: a.decision,
                rationale: a.rationale.clone(),
                alternative: a.alternative.clone(),
                file: a.origin.file.clone(),
                line: a.origin.line,
            }));
        }
        at[i] = out.len();
        out.push(row);
    }
    // Rows were made children first; list them in the catalog's order, parents first.
    out[start..].reverse();
    let last = out.len().saturating_sub(1) + start;
    for p in at.iter_mut().filter(|p| **p != usize::MAX) {
        *p = last - *p;
    }
    at
}

fn blank_row(fw: &Framework, i: usize) -> Row {
    let c = &fw.controls[i];
    let labels = fw.labels(i);
    Row {
        control: labels.control.clone(),
        framework: fw.shared_id().clone(),
        id: labels.id.clone(),
        title: labels.title.clone(),
        level: labels.level.clone(),
        depth: fw.ancestors(i).len(),
        assignable: fw.is_assignable(i),
        requirement: c.requirement,
        summary: Summary::Unassigned,
        coverage: Coverage::None,
        responsible: Vec::new(),
        accountable: Party::Client,
        consulted: Vec::new(),
        informed: Vec::new(),
        duties: BTreeMap::new(),
        evidence: Vec::new(),
        reason: None,
        conflict: false,
        conflicts: Vec::new(),
        addressable: None,
        candidates: Vec::new(),
        applicability: None,
        provenance: Vec::new(),
    }
}

fn apply(row: &mut Row, d: Decision, inherited_from: Option<String>) {
    if let Some(reason) = d.not_applicable.clone().filter(|_| d.responsible.is_empty()) {
        row.summary = Summary::NotApplicable;
        row.reason = Some(reason);
        row.coverage = Coverage::None;
    } else {
        row.summary = summary_of(&d.responsible);
        row.coverage = if d.responsible.is_empty() {
            Coverage::None
        } else {
            d.coverage
        };
    }
    row.responsible = d.responsible.into_iter().map(Party::from).collect();
    // A blank row's `accountable` is already `client`.
    if let Some(accountable) = d.accountable {
        row.accountable = accountable.into();
    }
    row.consulted = d.consulted.into_iter().map(Party::from).collect();
    row.informed = d.informed.into_iter().map(Party::from).collect();
    row.duties = d.duties.into_iter().map(|(p, duties)| (p.into(), duties)).collect();
    row.evidence = d.evidence;
    row.conflict = !d.conflicts.is_empty();
    row.conflicts = d.conflicts;
    if row.conflict {
        row.summary = Summary::Unassigned;
        row.coverage = Coverage::None;
    }
    let mut provenance = d.provenance;
    if let Some(parent) = inherited_from {
        for p in &mut provenance {
            p.detail = format!("{} (set on {parent}, which contains this control)", p.detail);
        }
    }
    row.provenance.extend(provenance);
}

/// Parents without a source of their own take their children's owners.
fn roll_up(row: &mut Row, fw: &Framework, i: usize, at: &[usize], rows: &[Row]) {
    let children = || fw.children(i).iter().filter_map(|&c| rows.get(at[c]));
    let parts = children().count();
    let applicable = || children().filter(|r| r.summary != Summary::NotApplicable);
    let applicable_count = applicable().count();
    if applicable_count == 0 {
        if parts > 0 {
            row.summary = Summary::NotApplicable;
            // The parts' own reasons, once each: a paragraph whose every duty-bearing part is out
            // of a threshold's reach is N/A for that same reason.
            let mut reasons: Vec<&str> = Vec::new();
            for r in children() {
                if let Some(why) = r.reason.as_deref()
                    && !reasons.contains(&why)
                {
                    reasons.push(why);
                }
            }
            row.reason = Some(if reasons.is_empty() {
                "none of its parts applies".into()
            } else {
                format!("none of its parts applies: {}", reasons.join("; "))
            });
        }
        row.provenance.push(Provenance {
            kind: SourceKind::Rollup,
            detail: if parts == 1 {
                "rolled up from its 1 part, which does not apply".to_string()
            } else {
                format!("rolled up from {parts} parts, none applicable")
            },
            file: fw.controls[i].origin.file.clone(),
            line: fw.controls[i].origin.line,
            package: None,
        });
        return;
    }
    let mut responsible: BTreeSet<&str> = BTreeSet::new();
    let mut summary: Option<Summary> = None;
    let mut assigned = 0usize;
    let mut full = 0usize;
    for r in applicable().filter(|r| r.summary != Summary::Unassigned) {
        assigned += 1;
        summary = match summary {
            None => Some(r.summary),
            Some(s) if s == r.summary => Some(s),
            Some(_) => Some(Summary::Shared),
        };
        responsible.extend(r.responsible.iter().map(Party::as_str));
        if r.coverage == Coverage::Full {
            full += 1;
        }
    }
    row.summary = summary.unwrap_or(Summary::Unassigned);
    row.responsible = responsible.into_iter().map(Party::from).collect();
    row.coverage = if full == applicable_count {
        Coverage::Full
    } else if assigned == 0 {
        Coverage::None
    } else {
        Coverage::Partial
    };
    // Parents show their parts' owners, not a concatenation of their duties.
    row.provenance.push(Provenance {
        kind: SourceKind::Rollup,
        detail: format!(
            "rolled up from its {}: {assigned} assigned, {full} fully covered",
            if applicable_count == 1 {
                "1 applicable part".to_string()
            } else {
                format!("{applicable_count} applicable parts")
            }
        ),
        file: fw.controls[i].origin.file.clone(),
        line: fw.controls[i].origin.line,
        package: None,
    });
}

/// What the crosswalks say about a regulation control: an owner only through `equal` /
/// `subset-of` rows, and the outcomes that merely intersect it as candidates.
#[derive(Default)]
struct Projection {
    full: Option<Decision>,
    candidates: Vec<Candidate>,
    /// The first `equal`/`subset-of` crosswalk row whose CSF 2.0 outcome a subscribed service
    /// gives to someone other than the client alone.
    by_subscription: Option<Provenance>,
}

/// Project CSF 2.0 outcomes onto a regulation control through the crosswalk (its own rows
/// and those of the controls that contain it).
fn project(fw: &Framework, i: usize, mappings: &FxHashMap<&str, Vec<&Mapping>>, csf_rows: &CsfRows) -> Projection {
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
        full.responsible.extend(csf.responsible.iter().map(ToString::to_string));
        for (party, duties) in &csf.duties {
            for duty in duties {
                full.add_duty(party, Some(duty));
            }
        }
        for e in &csf.evidence {
            if !full.evidence.contains(e) {
                full.evidence.push(e.clone());
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
