//! Resolve: who owns every applicable control of a scope. A pure function of the loaded
//! workspace and one scope; no I/O.
//!
//! Precedence, highest first (DESIGN.md): explicit scope assignment or not-applicable →
//! subscribed services' direct claims → client-owned controls → crosswalk projection from
//! CSF 2.0 outcomes (full coverage only through `equal` / `subset-of`; `intersects-with`
//! and `superset-of` give partial coverage) → unassigned. A source on a parent control
//! covers its children unless a child has its own source at the same or a higher level.
//! Two sources that disagree at the same level are a conflict, kept on the row, never
//! silently resolved. Parents without a source of their own roll up from their children.

use crate::catalog::{Framework, holds};
use crate::load::Workspace;
use crate::model::*;
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Who owns a control, in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
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

    pub fn as_str(self) -> &'static str {
        match self {
            Summary::Msp => "msp",
            Summary::Client => "client",
            Summary::Shared => "shared",
            Summary::ThirdParty => "third-party",
            Summary::Unassigned => "unassigned",
            Summary::NotApplicable => "not-applicable",
        }
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Coverage {
    Full,
    Partial,
    None,
}

/// What kind of source decided (part of) a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
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
}

impl Provenance {
    fn new(kind: SourceKind, detail: String, origin: &Origin) -> Self {
        Provenance {
            kind,
            detail,
            file: origin.file.clone(),
            line: origin.line,
        }
    }
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
    pub responsible: Vec<String>,
    pub accountable: String,
    pub consulted: Vec<String>,
    pub informed: Vec<String>,
    /// Duties per party, in the words of the services and the scope.
    pub duties: BTreeMap<String, Vec<String>>,
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
    pub provenance: Vec<Provenance>,
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
}

/// The responsibility matrix of one scope.
#[derive(Debug, Clone, Serialize)]
pub struct Matrix {
    pub scope: String,
    pub client: String,
    pub frameworks: Vec<FrameworkRef>,
    pub rows: Vec<Row>,
}

impl Matrix {
    pub fn row(&self, control: &str) -> Option<&Row> {
        self.rows.iter().find(|r| &*r.control == control)
    }
}

/// Frameworks that apply to a scope: as listed, or derived from the client profile.
pub fn applicable_frameworks(ws: &Workspace, scope: &Scope) -> Vec<String> {
    let mut ids: Vec<String> = match &scope.frameworks {
        Some(list) => list.clone(),
        None => {
            let p = &scope.client.profile;
            let mut ids = vec!["csf-2.0".to_string()];
            if matches!(p.hipaa.as_deref(), Some("covered-entity" | "business-associate")) {
                ids.push("hipaa".into());
            }
            if p.glba == Some(true) {
                ids.push("glba-safeguards".into());
            }
            if p.nydfs.as_deref() == Some("covered-entity") {
                ids.push("nydfs-500".into());
            }
            ids
        }
    };
    ids.retain(|id| ws.frameworks.contains_key(id));
    ids.sort_by_key(|id| framework_order(id));
    ids.dedup();
    ids
}

/// CSF first (the baseline), then the regulations, then anything else by id.
fn framework_order(id: &str) -> (usize, String) {
    let rank = ["csf-2.0", "hipaa", "glba-safeguards", "nydfs-500"]
        .iter()
        .position(|x| *x == id)
        .unwrap_or(99);
    (rank, id.to_string())
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
        if let Some(d) = duty.filter(|d| !d.trim().is_empty()) {
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
    claims: Vec<(&'a Service, &'a Claim)>,
    client_owned: Vec<&'a ClientOwned>,
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

fn decide_level1(sources: &Sources) -> Option<Decision> {
    if sources.assignments.is_empty() && sources.not_applicable.is_empty() {
        return None;
    }
    let mut d = Decision::empty();
    let mut seen: Option<BTreeSet<&str>> = None;
    for a in &sources.assignments {
        let responsible: BTreeSet<&str> = a.responsible.as_slice().iter().map(String::as_str).collect();
        let mut detail = String::from("scope assignment: responsible ");
        for (k, p) in responsible.iter().enumerate() {
            if k > 0 {
                detail.push_str(", ");
            }
            detail.push_str(p);
        }
        let prov = Provenance::new(SourceKind::Assignment, detail, &a.origin);
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
    for n in &sources.not_applicable {
        let prov = Provenance::new(
            SourceKind::NotApplicable,
            format!(
                "scope marks it not applicable: {}",
                n.reason.as_deref().unwrap_or("(no reason given)")
            ),
            &n.origin,
        );
        if !sources.assignments.is_empty() {
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
    for (service, claim) in &sources.claims {
        let prov = Provenance::new(
            SourceKind::Service,
            format!(
                "service `{}` ({}) claims it: split {}",
                service.id,
                service.name,
                split_name(claim.split)
            ),
            &claim.origin,
        );
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

fn split_name(s: Split) -> &'static str {
    match s {
        Split::Msp => "msp",
        Split::Shared => "shared",
        Split::Client => "client",
    }
}

fn decide_client_owned(sources: &Sources) -> Option<Decision> {
    if sources.client_owned.is_empty() {
        return None;
    }
    let mut d = Decision::empty();
    d.responsible.insert("client".into());
    for c in &sources.client_owned {
        d.add_duty("client", c.duty.as_ref());
        d.provenance.push(Provenance::new(
            SourceKind::ClientOwned,
            "scope lists it as client-owned".into(),
            &c.origin,
        ));
    }
    Some(d)
}

/// The catalog's own reason why a control does not apply to this client, if any. The
/// exemptions that hold for this client are evaluated once per scope (`holding`).
fn catalog_not_applicable(fw: &Framework, i: usize, profile: &Profile, holding: &[usize]) -> Option<(String, Origin)> {
    let chain = std::iter::once(i).chain(fw.ancestors(i).iter().copied());
    for c in chain {
        let control = &fw.controls[c];
        if let Some(cond) = &control.applies_when
            && !holds(cond, profile)
        {
            let why = if fw.has_class_a_condition(c) {
                format!(
                    "applies to Class A companies only ({}); the client is not a Class A company",
                    fw.cite(&control.id)
                )
            } else if c == i {
                format!(
                    "{} applies only under a condition the client profile does not meet (see the catalog)",
                    fw.cite(&control.id)
                )
            } else {
                format!(
                    "{} (which contains it) applies only under a condition the client profile does not meet",
                    fw.cite(&control.id)
                )
            };
            return Some((why, control.origin.clone()));
        }
    }
    for &e in holding {
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
    let frameworks = applicable_frameworks(ws, scope);

    // Index the scope's and its services' sources by control reference.
    let mut sources: SourceMap = FxHashMap::default();
    for a in scope.assignments.iter().flatten() {
        sources.entry(split_ref(&a.control)).or_default().assignments.push(a);
    }
    for n in scope.not_applicable.iter().flatten() {
        sources.entry(split_ref(&n.control)).or_default().not_applicable.push(n);
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
                .push((service, claim));
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
    let applicable: Vec<&Framework> = frameworks.iter().filter_map(|id| ws.framework(id)).collect();
    let capacity = applicable.iter().map(|fw| fw.controls.len()).sum();
    let mut csf_rows: Vec<Row> = Vec::with_capacity(capacity);
    let csf_framework = ws.framework("csf-2.0");
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
        );
    }
    let mut rest = Vec::new();
    let mut refs = Vec::new();
    let mut csf_applies = false;
    {
        let csf = CsfRows {
            framework: csf_framework,
            rows: &csf_rows,
            at: csf_at,
        };
        for fw in applicable {
            refs.push(FrameworkRef {
                id: fw.id().to_string(),
                title: fw.catalog.title.clone(),
                version: fw.catalog.version.clone(),
                citation: fw.catalog.citation.clone(),
            });
            if fw.id() == "csf-2.0" {
                csf_applies = true;
            } else {
                resolve_framework(ws, scope, fw, &sources, &addressable, &csf, &mut rest);
            }
        }
    }
    let rows = if csf_applies {
        csf_rows.append(&mut rest);
        csf_rows
    } else {
        rest
    };
    Matrix {
        scope: scope.id.clone(),
        client: scope.client.name.clone(),
        frameworks: refs,
        rows,
    }
}

fn resolve_framework(
    ws: &Workspace,
    scope: &Scope,
    fw: &Framework,
    sources: &SourceMap,
    addressable: &BTreeMap<&str, &Addressable>,
    csf_rows: &CsfRows,
    out: &mut Vec<Row>,
) -> Vec<usize> {
    let n = fw.controls.len();
    let start = out.len();
    // Where each control's row is in `out` (children are decided before their parents).
    let mut at: Vec<usize> = vec![usize::MAX; n];
    let mut mappings: FxHashMap<&str, Vec<&Mapping>> = FxHashMap::default();
    for m in ws
        .crosswalks
        .iter()
        .filter(|cw| cw.from == fw.id() && cw.to == "csf-2.0")
        .flat_map(|cw| cw.mappings.iter().flatten())
    {
        mappings.entry(m.from.as_str()).or_default().push(m);
    }
    let holding: Vec<usize> = fw
        .catalog
        .exemptions
        .iter()
        .enumerate()
        .filter(|(_, ex)| ex.as_ref().is_some_and(|ex| holds(&ex.when, &scope.client.profile)))
        .map(|(e, _)| e)
        .collect();
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
        let mut row = blank_row(fw, i, scope);
        if let Some((why, origin)) = catalog_not_applicable(fw, i, &scope.client.profile, &holding) {
            row.summary = Summary::NotApplicable;
            row.coverage = Coverage::None;
            row.reason = Some(why.clone());
            row.provenance
                .push(Provenance::new(SourceKind::Applicability, why, &origin));
            at[i] = out.len();
            out.push(row);
            continue;
        }
        let own_or_inherited = |decide: &dyn Fn(&Sources) -> Option<Decision>| -> Option<(Decision, usize)> {
            std::iter::once(i)
                .chain(fw.ancestors(i).iter().copied())
                .find_map(|c| decide(sources_of(c)).map(|d| (d, c)))
        };
        let found = own_or_inherited(&decide_level1)
            .or_else(|| own_or_inherited(&decide_services))
            .or_else(|| own_or_inherited(&decide_client_owned));
        match found {
            Some((decision, from)) if from == i || fw.children(i).is_empty() => {
                apply(&mut row, decision, (from != i).then(|| fw.controls[from].id.clone()));
            }
            _ if !fw.children(i).is_empty() => roll_up(&mut row, fw, i, &at, out),
            _ => {
                if fw.id() != "csf-2.0"
                    && let Some(decision) = project(fw, i, &mappings, csf_rows)
                {
                    apply(&mut row, decision, None);
                } else {
                    row.provenance.push(Provenance::new(
                        SourceKind::Default,
                        "no scope assignment, subscribed service, client-owned entry or crosswalk covers it".into(),
                        &scope.origin,
                    ));
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

fn blank_row(fw: &Framework, i: usize, _scope: &Scope) -> Row {
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
        accountable: "client".into(),
        consulted: Vec::new(),
        informed: Vec::new(),
        duties: BTreeMap::new(),
        evidence: Vec::new(),
        reason: None,
        conflict: false,
        conflicts: Vec::new(),
        addressable: None,
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
    row.responsible = d.responsible.into_iter().collect();
    row.accountable = d.accountable.unwrap_or_else(|| "client".into());
    row.consulted = d.consulted.into_iter().collect();
    row.informed = d.informed.into_iter().collect();
    row.duties = d.duties;
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
            row.reason = Some("none of its parts applies".into());
        }
        row.provenance.push(Provenance {
            kind: SourceKind::Rollup,
            detail: format!("rolled up from {parts} parts, none applicable"),
            file: fw.controls[i].origin.file.clone(),
            line: fw.controls[i].origin.line,
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
        responsible.extend(r.responsible.iter().map(String::as_str));
        if r.coverage == Coverage::Full {
            full += 1;
        }
    }
    row.summary = summary.unwrap_or(Summary::Unassigned);
    row.responsible = responsible.into_iter().map(str::to_string).collect();
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
            "rolled up from its {applicable_count} applicable parts: {assigned} assigned, {full} fully covered"
        ),
        file: fw.controls[i].origin.file.clone(),
        line: fw.controls[i].origin.line,
    });
}

/// Project CSF 2.0 outcomes onto a regulation control through the crosswalk.
fn project(
    fw: &Framework,
    i: usize,
    mappings: &FxHashMap<&str, Vec<&Mapping>>,
    csf_rows: &CsfRows,
) -> Option<Decision> {
    let mut full = Decision::empty();
    let mut partial = Decision::empty();
    partial.coverage = Coverage::Partial;
    let chain = std::iter::once(i).chain(fw.ancestors(i).iter().copied());
    let relevant = chain.filter_map(|c| mappings.get(fw.controls[c].id.as_str())).flatten();
    for m in relevant {
        let Some(csf) = csf_rows.get(&m.to) else { continue };
        if matches!(csf.summary, Summary::Unassigned | Summary::NotApplicable) {
            continue;
        }
        let target = if m.relationship.gives_full_coverage() {
            &mut full
        } else {
            &mut partial
        };
        target.responsible.extend(csf.responsible.iter().cloned());
        for (party, duties) in &csf.duties {
            for duty in duties {
                target.add_duty(party, Some(duty));
            }
        }
        for e in &csf.evidence {
            if !target.evidence.contains(e) {
                target.evidence.push(e.clone());
            }
        }
        let via = csf
            .provenance
            .first()
            .map(|p| format!("; CSF row decided by {} ({}:{})", p.detail, p.file, p.line))
            .unwrap_or_default();
        target.provenance.push(Provenance::new(
            SourceKind::Crosswalk,
            format!(
                "crosswalk: {} {} csf-2.0:{} ({}), owned by {}{via}",
                fw.controls[i].id,
                m.relationship.as_str(),
                m.to,
                m.source,
                csf.summary.label()
            ),
            &m.origin,
        ));
    }
    if !full.responsible.is_empty() {
        Some(full)
    } else if !partial.responsible.is_empty() {
        Some(partial)
    } else {
        None
    }
}
