//! The regulation-aware rules that policy packs enable, and waivers. Pure functions of the
//! loaded workspace, the matrix and the as-of date; no I/O (evidence files were hashed by
//! `load`).

use crate::assess::evidence::{Freshness, Integrity};
use crate::assess::{Finding, Overrides, RuleCode, Severity, WaiverNote, blank, make, origin_of};
use crate::model::Workspace;
use crate::model::diagnostic::Diagnostic;
use crate::model::policy::{PolicyRule, RuleKind};
use crate::model::{Clock, Origin, Party, Scope, parse_duration_hours};
use crate::resolve::applicability::{Facts, evaluate};
use crate::resolve::{Matrix, Summary};
use std::collections::BTreeMap;

fn parse_date(text: &str) -> Option<time::Date> {
    time::Date::parse(text, &time::macros::format_description!("[year]-[month]-[day]")).ok()
}

fn hours_text(h: u64) -> String {
    if h.is_multiple_of(24) && h >= 168 {
        format!("{} days", h / 24)
    } else {
        format!("{h} hours")
    }
}

fn rule_name(rule: &PolicyRule) -> String {
    crate::assess::rule(&rule.code)
        .map(|r| r.name.to_string())
        .unwrap_or_else(|| {
            rule.title
                .clone()
                .unwrap_or_else(|| <&str>::from(rule.kind).to_string())
        })
}

/// Findings the catalogs' own data calls for, whatever packs are enabled: a duty only the
/// regulated entity can perform made someone else's (CM015), ePHI handled without a
/// business associate agreement (CM016), a rule applied to an institution its regulator does
/// not cover (CM017).
pub fn catalog_findings(ws: &Workspace, scope: &Scope, matrix: &Matrix, overrides: &Overrides) -> Vec<Finding> {
    let mut out = responsibility_retained(ws, scope, matrix, overrides);
    out.extend(business_associate_agreements(ws, scope, matrix, overrides));
    out.extend(regulator_mismatch(ws, scope, overrides));
    out
}

fn finding_of(
    scope: &Scope,
    control: &str,
    code: RuleCode,
    message: String,
    at: &Origin,
    disc: &str,
    overrides: &Overrides,
) -> Option<Finding> {
    let rule = code.rule();
    make(
        scope,
        control,
        code.as_str(),
        rule.name,
        rule.severity,
        message,
        at,
        disc,
        overrides,
    )
}

fn party_label(scope: &Scope, id: &str) -> String {
    match id {
        "msp" => format!("the MSP ({})", scope.provider.name),
        "client" => format!("the client ({})", scope.client.name),
        other => scope
            .parties()
            .find(|p| p.id == other)
            .map(|p| format!("third party `{other}` ({})", p.name))
            .unwrap_or_else(|| format!("`{other}`")),
    }
}

/// CM015: a duty the catalog keeps with the regulated entity (`retained.responsible`) with
/// anyone else responsible for it, however that came about (assignment, a parent's
/// assignment, a service claim, a crosswalk).
fn responsibility_retained(ws: &Workspace, scope: &Scope, matrix: &Matrix, overrides: &Overrides) -> Vec<Finding> {
    let mut out = Vec::new();
    for row in matrix
        .rows
        .iter()
        .filter(|r| r.assignable && !matches!(r.summary, Summary::NotApplicable | Summary::Unassigned))
    {
        let Some(fw) = ws.framework(&row.framework) else {
            continue;
        };
        let Some(i) = fw.index(&row.id) else { continue };
        let Some((kept_at, kept)) = fw.retained_responsible(i) else {
            continue;
        };
        let others: Vec<String> = row
            .responsible
            .iter()
            .filter(|p| **p != Party::Client)
            .map(|p| party_label(scope, p.as_str()))
            .collect();
        // A joint duty (the entity's own signature, with a CISO who may be a provider's) needs
        // the entity among those responsible; others may take part with it.
        let client_takes_part = row.responsible.contains(&Party::Client);
        if others.is_empty() || (kept.joint && client_takes_part) {
            continue;
        }
        let deciding = row.provenance.first();
        let at = deciding
            .map(|p| origin_of(&p.file, p.line))
            .unwrap_or_else(|| scope.origin.clone());
        let how = deciding
            .map(|p| format!(" (decided by {})", p.detail))
            .unwrap_or_default();
        let whose = if kept_at == i {
            String::new()
        } else {
            format!(
                ", which {} keeps with the regulated entity",
                fw.cite(&fw.controls[kept_at].id)
            )
        };
        let message = if kept.joint {
            format!(
                "{} ({}) makes {} responsible{how} without {}, but {} itself must take part in this duty{whose}: {} ({}). Make the client responsible (`responsible: [client, …]`) with the client's duty in words; others may take part with it.",
                row.control,
                short(&row.title),
                others.join(" and "),
                scope.client.name,
                scope.client.name,
                kept.note.trim_end_matches('.'),
                kept.citation
            )
        } else {
            format!(
                "{} ({}) makes {} responsible{how}, but only {} itself can perform this duty{whose}: {} ({}). Assign it to the client (`responsible: client`) with the client's duty in words; the MSP may be consulted.",
                row.control,
                short(&row.title),
                others.join(" and "),
                scope.client.name,
                kept.note.trim_end_matches('.'),
                kept.citation
            )
        };
        out.extend(finding_of(
            scope,
            &row.control,
            RuleCode::CM015,
            message,
            &at,
            "",
            overrides,
        ));
    }
    out
}

/// CM016: HIPAA lets a covered entity (or a business associate) hand ePHI to a business
/// associate (or a subcontractor) only under a business associate agreement.
fn business_associate_agreements(
    ws: &Workspace,
    scope: &Scope,
    matrix: &Matrix,
    overrides: &Overrides,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if !matrix.frameworks.iter().any(|f| f.id == "hipaa") {
        return out;
    }
    let Some(hipaa) = ws.framework("hipaa") else { return out };
    let business_associate = scope.client.profile.hipaa.as_deref() == Some("business-associate");
    let (control, role, rule_words) = if business_associate {
        (
            "hipaa:164.308(b)(2)",
            "a business associate, and the MSP is its subcontractor",
            format!(
                "{} and {} permit a business associate to let a subcontractor create, receive, maintain or transmit ePHI on its behalf only with satisfactory assurances documented in a business associate agreement ({})",
                hipaa.cite("164.308(b)(2)"),
                hipaa.cite("164.502(e)(1)(ii)"),
                hipaa.cite("164.314(a)")
            ),
        )
    } else {
        (
            "hipaa:164.308(b)(1)",
            "a HIPAA covered entity",
            format!(
                "{} and {} permit a covered entity to let a business associate create, receive, maintain or transmit ePHI on its behalf only with satisfactory assurances documented in a business associate agreement ({})",
                hipaa.cite("164.308(b)(1)"),
                hipaa.cite("164.502(e)(1)(i)"),
                hipaa.cite("164.314(a)")
            ),
        )
    };
    if scope.provider.baa_signed.is_none() {
        let handling: Vec<String> = scope
            .services
            .iter()
            .flatten()
            .filter_map(|sub| ws.services.get(&sub.service))
            .filter(|s| s.ephi != Some(false))
            .map(|s| match s.ephi {
                Some(true) => format!("`{}`", s.id),
                _ => format!("`{}` (does not say)", s.id),
            })
            .collect();
        if !handling.is_empty() {
            let message = format!(
                "{} is {role}, and the MSP's services handle ePHI ({}), but the scope records no signed business associate agreement with {}: {rule_words}. Record the signature date in `provider.baa_signed`, or set `ephi: false` on a service that never creates, receives, maintains or transmits ePHI.",
                scope.client.name,
                handling.join(", "),
                scope.provider.name
            );
            out.extend(finding_of(
                scope,
                control,
                RuleCode::CM016,
                message,
                &scope.locate("/provider"),
                "provider",
                overrides,
            ));
        }
    }
    for party in scope.parties() {
        // A party with an agreement, or one that never touches ePHI, needs no (further) BAA.
        if party.baa == Some(true) || party.ephi == Some(false) {
            continue;
        }
        let duties: Vec<&str> = matrix
            .rows
            .iter()
            .filter(|r| &*r.framework == "hipaa" && r.assignable && r.summary != Summary::NotApplicable)
            .filter(|r| r.responsible.iter().any(|p| *p == *party.id))
            .map(|r| &*r.control)
            .collect();
        let state = match party.baa {
            Some(false) => "has no business associate agreement (`baa: false`)",
            _ => "records no business associate agreement (`baa` is not set)",
        };
        let Some(first) = duties.first() else {
            // The MSP's subcontractor that holds ePHI needs the agreement whatever it is
            // assigned: 164.308(b)(2) and 164.502(e)(1)(ii) turn on creating, receiving,
            // maintaining or transmitting ePHI on the business associate's behalf, not on duties.
            if party.engaged_by == Some(crate::model::EngagedBy::Msp) {
                let handles = match party.ephi {
                    Some(true) => "creates, receives, maintains or transmits ePHI for it (`ephi: true`)",
                    _ => "is not declared free of ePHI (`ephi` is not set, which counts as handling it)",
                };
                let message = format!(
                    "third party `{}` ({}) is the MSP's subcontractor (`engaged_by: msp`) and {handles}, but {state}. {} and {} let a business associate permit a subcontractor to create, receive, maintain or transmit ePHI on its behalf only with satisfactory assurances documented in a business associate agreement ({}), whatever duties the subcontractor is assigned; that agreement is {}'s to hold. Sign one and set `baa: true`, or set `ephi: false` if it never handles ePHI.",
                    party.id,
                    party.name,
                    hipaa.cite("164.308(b)(2)"),
                    hipaa.cite("164.502(e)(1)(ii)"),
                    hipaa.cite("164.314(a)"),
                    scope.provider.name
                );
                out.extend(finding_of(
                    scope,
                    "hipaa:164.308(b)(2)",
                    RuleCode::CM016,
                    message,
                    &party.baa_at,
                    &party.id,
                    overrides,
                ));
            }
            continue;
        };
        // Whose agreement it is follows whose vendor the party is: the MSP's subcontractor's
        // agreement is the MSP's (164.308(b)(2), 164.314(a)(2)(iii)); the client's own vendor's
        // is the client's (164.308(b)(1), or (b)(2) when the client is itself a business associate).
        let whose = match party.engaged_by {
            Some(crate::model::EngagedBy::Msp) => format!(
                "It is the MSP's subcontractor (`engaged_by: msp`): {} may let it create, receive, maintain or transmit ePHI on its behalf only under a business associate agreement ({}, {}, {}), which is {}'s to hold.",
                scope.provider.name,
                hipaa.cite("164.308(b)(2)"),
                hipaa.cite("164.314(a)(2)(iii)"),
                hipaa.cite("164.502(e)(1)(ii)"),
                scope.provider.name
            ),
            Some(crate::model::EngagedBy::Client) => format!(
                "It is {}'s own vendor (`engaged_by: client`), not the MSP's subcontractor: it may create, receive, maintain or transmit ePHI for {} only under a business associate agreement ({}, {}, {}), which is {}'s to hold, not {}'s.",
                scope.client.name,
                scope.client.name,
                hipaa.cite(if business_associate {
                    "164.308(b)(2)"
                } else {
                    "164.308(b)(1)"
                }),
                hipaa.cite("164.314(a)"),
                hipaa.cite("164.502(e)"),
                scope.client.name,
                scope.provider.name
            ),
            None => format!(
                "A party that creates, receives, maintains or transmits ePHI for a covered entity or a business associate may do so only under a business associate agreement ({}, {}, {}). The scope does not say whose vendor it is: set `engaged_by: msp` (the MSP's subcontractor; the MSP holds the agreement) or `engaged_by: client` (the client's own vendor; the client holds it).",
                hipaa.cite("164.308(b)"),
                hipaa.cite("164.314(a)"),
                hipaa.cite("164.502(e)")
            ),
        };
        let shared = if party.shared {
            format!(
                " The party is declared once for the workspace ({}): its agreement there decides for every client that works with it.",
                party.origin.file
            )
        } else {
            String::new()
        };
        let message = format!(
            "third party `{}` ({}) performs HIPAA safeguards for {} ({}{}) but {state}. {whose}{shared} Sign one and set `baa: true`, set `ephi: false` if it never handles ePHI, or take the duties away from it.",
            party.id,
            party.name,
            scope.client.name,
            duties.iter().take(3).copied().collect::<Vec<_>>().join(", "),
            if duties.len() > 3 {
                format!(" and {} more", duties.len() - 3)
            } else {
                String::new()
            },
        );
        out.extend(finding_of(
            scope,
            first,
            RuleCode::CM016,
            message,
            &party.baa_at,
            &party.id,
            overrides,
        ));
    }
    out
}

/// CM017: `glba: true` for an institution the FTC rule does not cover: a kind of institution
/// another regulator oversees, or one the catalog's `applies_to.except` excludes (a bank's
/// subsidiary or affiliate, 15 U.S.C. 6805(a)(1)).
fn regulator_mismatch(ws: &Workspace, scope: &Scope, overrides: &Overrides) -> Vec<Finding> {
    let p = &scope.client.profile;
    if scope.frameworks.is_some() || p.glba != Some(true) {
        return Vec::new();
    }
    let Some(fw) = ws.framework("glba-safeguards") else {
        return Vec::new();
    };
    if let Some(e) = fw
        .catalog
        .applies_to
        .iter()
        .flat_map(|a| &a.except)
        .find(|e| crate::resolve::applicability::holds(&e.when, p))
    {
        let message = format!(
            "the profile says `glba: true`, but {}. 16 CFR Part 314 applies only to institutions the FTC oversees (16 CFR 314.1(b)), so its controls and findings here are not this client's obligations. Remove `glba: true`, or list `frameworks:` explicitly if the FTC rule is adopted by contract.",
            e.reason
        );
        return finding_of(
            scope,
            "glba-safeguards:314.1(b)",
            RuleCode::CM017,
            message,
            &scope.locate("/client/profile/glba"),
            "except",
            overrides,
        )
        .into_iter()
        .collect();
    }
    let Some(kind) = p.institution_type.as_deref() else {
        return Vec::new();
    };
    let Some(t) = fw.catalog.institution_types.iter().find(|t| t.id == kind && !t.covered) else {
        return Vec::new();
    };
    let message = format!(
        "the profile says `glba: true`, but a `{kind}` is not a financial institution under the FTC's jurisdiction: {} ({}). 16 CFR Part 314 applies only to institutions the FTC oversees (16 CFR 314.1(b)), so its controls and findings here are not this client's obligations. Remove `glba: true` (the institution type decides), or list `frameworks:` explicitly if the FTC rule is adopted by contract.",
        t.note.as_deref().unwrap_or("another regulator oversees it"),
        t.citation
    );
    finding_of(
        scope,
        "glba-safeguards:314.1(b)",
        RuleCode::CM017,
        message,
        &scope.locate("/client/profile/glba"),
        kind,
        overrides,
    )
    .into_iter()
    .collect()
}

/// Findings of every rule of every pack enabled for this scope.
///
/// A custom rule that fails while it is evaluated (E021) is returned as a diagnostic, not a
/// finding: the caller must stop, since the result would be wrong.
pub fn pack_findings(
    ws: &Workspace,
    scope: &Scope,
    matrix: &Matrix,
    notifications: &[NotificationStatus],
    overrides: &Overrides,
    as_of: time::Date,
) -> (Vec<Finding>, Vec<Diagnostic>) {
    let frameworks = super::frameworks_of(matrix);
    let mut out = Vec::new();
    let mut failures = Vec::new();
    for pack in ws.packs.values().filter(|p| p.enabled_for(&frameworks)) {
        for rule in &pack.rules {
            let fw = pack.framework.as_deref();
            let found = match rule.kind {
                RuleKind::AccountabilityNonDelegable => accountability(ws, scope, matrix, rule, fw, overrides),
                // Raised once for all packs from the notification statuses (below).
                RuleKind::NotificationWindow => Vec::new(),
                RuleKind::EvidenceRequired => evidence_required(ws, scope, matrix, rule, overrides),
                RuleKind::EvidenceFileMissing | RuleKind::EvidenceTampered | RuleKind::EvidenceUnpinned => {
                    evidence_files(scope, rule, overrides)
                }
                RuleKind::EvidenceStale => evidence_stale(ws, scope, rule, fw, overrides, as_of),
                RuleKind::Custom => {
                    let (found, failure) = custom(ws, scope, matrix, rule, fw, overrides);
                    failures.extend(failure);
                    found
                }
            };
            out.extend(found);
        }
    }
    out.extend(notification_findings(ws, scope, notifications, overrides));
    // The same finding from two packs keeps the higher severity.
    let mut by_fp: BTreeMap<String, Finding> = BTreeMap::new();
    for f in out {
        match by_fp.get(&f.fingerprint) {
            Some(prev) if prev.severity >= f.severity => {}
            _ => {
                by_fp.insert(f.fingerprint.clone(), f);
            }
        }
    }
    (by_fp.into_values().collect(), failures)
}

fn emit(
    scope: &Scope,
    control: &str,
    rule: &PolicyRule,
    message: String,
    at: &Origin,
    disc: &str,
    overrides: &Overrides,
) -> Option<Finding> {
    make(
        scope,
        control,
        &rule.code,
        &rule_name(rule),
        rule.severity,
        message,
        at,
        disc,
        overrides,
    )
}

fn accountability(
    ws: &Workspace,
    scope: &Scope,
    matrix: &Matrix,
    rule: &PolicyRule,
    fw: Option<&str>,
    overrides: &Overrides,
) -> Vec<Finding> {
    let mut out = Vec::new();
    // One finding per deciding source: an assignment on 500.4(a) covers its parts too.
    let mut reported: std::collections::BTreeSet<(String, usize)> = std::collections::BTreeSet::new();
    for row in matrix
        .rows
        .iter()
        .filter(|r| fw.is_none_or(|f| &*r.framework == f) && r.summary != Summary::NotApplicable)
    {
        let Some(framework) = ws.framework(&row.framework) else {
            continue;
        };
        let Some(i) = framework.index(&row.id) else { continue };
        let Some((kept_at, _)) = framework.retained_accountable(i) else {
            continue;
        };
        let rooted = &framework.controls[kept_at];
        if row.accountable == Party::Client {
            continue;
        }
        let client_role = row
            .responsible
            .iter()
            .chain(&row.consulted)
            .chain(&row.informed)
            .any(|p| *p == Party::Client);
        let at = row
            .provenance
            .iter()
            .find(|p| p.kind == crate::resolve::SourceKind::Assignment)
            .map(|p| origin_of(&p.file, p.line))
            .unwrap_or_else(|| scope.origin.clone());
        if !reported.insert((at.file.to_string(), at.line)) {
            continue;
        }
        let note = rooted.retained.as_ref().map(|a| a.note.clone()).unwrap_or_default();
        let message = if client_role {
            format!(
                "{} makes `{}` accountable, but the regulation keeps accountability for {} with the client: {note} Set `accountable: client`; the MSP may stay responsible for doing the work.",
                row.control,
                row.accountable,
                framework.cite(&rooted.id)
            )
        } else {
            format!(
                "{} makes `{}` accountable and leaves the client with no role, but the regulation keeps accountability for {} with the client: {note} Set `accountable: client` and name the client's duty.",
                row.control,
                row.accountable,
                framework.cite(&rooted.id)
            )
        };
        out.extend(emit(scope, &row.control, rule, message, &at, "", overrides));
    }
    out
}

/// What the engine decided about one regulatory deadline for one scope: whether it binds the
/// client, whether the MSP's notice window is measured against it, and the verdict. CM008 is
/// raised from these, and every document shows them as they are.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NotificationStatus {
    /// `framework:id` of the control that sets the deadline.
    pub control: String,
    /// The deadline's id in the catalog, e.g. `incident-notice`.
    pub deadline: String,
    /// `45 CFR 164.410(b)`.
    pub citation: String,
    pub notify: Option<String>,
    /// The deadline as the catalog writes it (`72h`, `60d`), when it is a duration.
    pub limit: Option<String>,
    pub limit_hours: Option<u64>,
    /// The MSP's `sla.incident_notification`, as written and in hours.
    pub window: Option<String>,
    pub window_hours: Option<u64>,
    /// Hours the client needs after the MSP's notice, counted against the deadline.
    pub margin_hours: u64,
    /// Where the margin comes from: `scope` (`sla.client_margin`), `pack`, or `none`.
    pub margin_from: &'static str,
    /// `not-applicable`, `not-measured`, `no-window`, `within` or `exceeds`.
    pub verdict: NoticeVerdict,
    /// Why, in words.
    pub why: String,
    /// When the scope declares the MSP the client's agent (`provider.agent: true`) and so the
    /// MSP's discovery starts the client's clock: the paragraph that says so (`45 CFR
    /// 164.404(a)(2)`, `45 CFR 164.410(a)(2)`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    /// The rule that measures it (pack code, e.g. `CM008`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    #[serde(skip)]
    pub(crate) severity: Option<Severity>,
    #[serde(skip)]
    pub(crate) rule_name: Option<String>,
}

/// The engine's verdict on the MSP's notice window against one regulatory deadline. Its
/// name (`within`, …) is what JSON, `explain` and the documents show.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, strum::Display, strum::IntoStaticStr, strum::EnumIter,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum NoticeVerdict {
    /// The deadline does not bind this client (its control does not apply, its condition or
    /// threshold is not met).
    NotApplicable,
    /// The deadline binds the client, but the MSP's window is not measured against it (the
    /// clock is not on the MSP's path, no time limit, no rule measures it).
    NotMeasured,
    /// Measured, and the scope agrees no notice window with the MSP.
    NoWindow,
    /// The window, plus the client's margin, fits in the deadline.
    Within,
    /// The window, plus the client's margin, does not fit in the deadline.
    Exceeds,
}

impl NotificationStatus {
    /// Does the gate see a problem (no window, or a window that does not fit)?
    pub fn is_gap(&self) -> bool {
        match self.verdict {
            NoticeVerdict::NoWindow | NoticeVerdict::Exceeds => true,
            NoticeVerdict::NotApplicable | NoticeVerdict::NotMeasured | NoticeVerdict::Within => false,
        }
    }
}

/// Every deadline of every framework that applies to the scope, with the engine's verdict. The
/// MSP's window is measured only where a deadline's `clock` puts it on the path, with the
/// client's margin (`sla.client_margin`, else the enabled pack's `margin`); a deadline that does
/// not bind this client (its control does not apply, its `when` is false, its threshold is out
/// of reach) is not measured.
pub fn notification_statuses(ws: &Workspace, scope: &Scope, matrix: &Matrix) -> Vec<NotificationStatus> {
    let frameworks = super::frameworks_of(matrix);
    let profile = &scope.client.profile;
    let client_margin = scope.sla.client_margin.as_deref().and_then(parse_duration_hours);
    let window = scope.sla.incident_notification.clone();
    let window_hours = window.as_deref().and_then(parse_duration_hours);
    let agent = scope.provider.agent == Some(true);
    // A business associate client: the business associate's own deadline (164.410(b)) is the
    // client's, and the MSP, its subcontractor, owes the client the same notice.
    let business_associate = profile.hipaa.as_deref() == Some("business-associate");
    let mut out = Vec::new();
    for fw_id in &frameworks {
        let Some(framework) = ws.framework(fw_id) else { continue };
        // The enabled notification rule for this framework (first pack in id order).
        let rule = ws
            .packs
            .values()
            .filter(|p| p.enabled_for(&frameworks) && p.framework.as_deref() == Some(fw_id.as_str()))
            .flat_map(|p| p.rules.iter())
            .find(|r| r.kind == RuleKind::NotificationWindow);
        for control in &framework.controls {
            for d in &control.deadlines {
                let reference = format!("{}:{}", framework.id(), control.id);
                let cite = framework.cite(&control.id);
                let mut status = NotificationStatus {
                    control: reference.clone(),
                    deadline: d.id.clone(),
                    citation: cite.clone(),
                    notify: d.notify.clone(),
                    limit: d.within.clone(),
                    limit_hours: d.within_hours(),
                    window: window.clone(),
                    window_hours,
                    margin_hours: 0,
                    margin_from: "none",
                    verdict: NoticeVerdict::NotMeasured,
                    why: String::new(),
                    agency: None,
                    rule: rule.map(|r| r.code.clone()),
                    severity: rule.map(|r| r.severity),
                    rule_name: rule.map(rule_name),
                };
                let row = matrix.row(&reference);
                if let Some(r) = row.filter(|r| r.summary == Summary::NotApplicable) {
                    status.verdict = NoticeVerdict::NotApplicable;
                    status.why = r
                        .reason
                        .clone()
                        .unwrap_or_else(|| "it does not apply to this client".into());
                    out.push(status);
                    continue;
                }
                if row.is_none() {
                    status.verdict = NoticeVerdict::NotApplicable;
                    status.why = "its control is not a row of this scope's matrix".into();
                    out.push(status);
                    continue;
                }
                if d.when
                    .as_ref()
                    .is_some_and(|w| evaluate(w, Facts::of(profile)) == Some(false))
                {
                    status.verdict = NoticeVerdict::NotApplicable;
                    status.why = "the client profile does not meet the deadline's condition".into();
                    out.push(status);
                    continue;
                }
                if let Some(t) = &d.threshold {
                    let most = match t.fact.as_str() {
                        "consumers" => profile.consumers,
                        "individuals" => profile.individuals,
                        _ => None,
                    };
                    if !t.reachable(most) {
                        status.verdict = NoticeVerdict::NotApplicable;
                        status.why = format!(
                            "it applies only to events involving {}, which the client's declared `{}` cannot reach",
                            t.text, t.fact
                        );
                        out.push(status);
                        continue;
                    }
                }
                let Some(rule) = rule.filter(|r| r.params.events.is_empty() || r.params.events.contains(&d.event))
                else {
                    status.why = "no enabled policy pack measures the MSP's window against it".into();
                    out.push(status);
                    continue;
                };
                let pack_margin = rule
                    .params
                    .margin
                    .as_deref()
                    .and_then(parse_duration_hours)
                    .unwrap_or(0);
                let client_needs = match client_margin {
                    Some(m) => (m, "scope"),
                    None => (pack_margin, "pack"),
                };
                // The paragraph under which the MSP's discovery is the client's, when the scope
                // declares the MSP its agent.
                let agency = d.agency.as_deref().map(|a| framework.cite(a));
                let (margin, from) = match d.clock {
                    Some(Clock::EntityDiscovery) => client_needs,
                    Some(Clock::AgentDiscovery) if agent => {
                        status.agency = agency.clone();
                        client_needs
                    }
                    // The client is itself a business associate and the MSP its agent: the
                    // client's own 60 days to notify its covered entities start at the MSP's
                    // discovery (164.410(a)(2)), so the client's margin must fit too.
                    Some(Clock::MspDiscovery) if agent && business_associate && agency.is_some() => {
                        status.agency = agency.clone();
                        client_needs
                    }
                    Some(Clock::MspDiscovery) => (0, "none"),
                    Some(Clock::AgentDiscovery) => {
                        status.why = format!(
                            "the client's clock starts when it discovers the breach; the MSP is not declared its agent (`provider.agent`), so the MSP's notice is measured against its own deadline instead ({})",
                            agency.as_deref().unwrap_or("the catalog's agency rule")
                        );
                        out.push(status);
                        continue;
                    }
                    Some(Clock::EntityAct) => {
                        status.why = format!(
                            "the clock starts with the client's own act ({}), not with the MSP's notice",
                            d.from.as_deref().unwrap_or(&d.event)
                        );
                        out.push(status);
                        continue;
                    }
                    Some(Clock::Calendar) => {
                        status.why = "a date-based duty: the MSP's notice window does not count against it".into();
                        out.push(status);
                        continue;
                    }
                    None => {
                        status.why = "the catalog does not say whose clock it is (`clock`), so the MSP's window is not measured against it".into();
                        out.push(status);
                        continue;
                    }
                };
                let Some(limit) = d.within_hours() else {
                    status.why = match &d.contemporaneous_with {
                        Some(other) => format!(
                            "no time limit of its own: it goes with the notice of {}",
                            framework.cite(other)
                        ),
                        None => "no time limit of its own".into(),
                    };
                    out.push(status);
                    continue;
                };
                status.margin_hours = margin;
                status.margin_from = from;
                match window_hours {
                    None => {
                        status.verdict = NoticeVerdict::NoWindow;
                        status.why = "the scope agrees no incident-notification window with the MSP".into();
                    }
                    Some(w) => {
                        let fits = w.saturating_add(margin) <= limit;
                        status.verdict = if fits {
                            NoticeVerdict::Within
                        } else {
                            NoticeVerdict::Exceeds
                        };
                        let window_words = format!("{} ({})", hours_text(w), window.as_deref().unwrap_or_default());
                        status.why = match (margin, fits) {
                            (0, true) => format!("{window_words} is within the {} {cite} allows", hours_text(limit)),
                            (0, false) => {
                                format!("{window_words} is longer than the {} {cite} allows", hours_text(limit))
                            }
                            (m, true) => format!(
                                "{window_words}, plus the {} the client needs to act, fits in the {} {cite} allows",
                                hours_text(m),
                                hours_text(limit)
                            ),
                            (m, false) => format!(
                                "{window_words}, plus the {} the client needs to act, exceeds the {} {cite} allows",
                                hours_text(m),
                                hours_text(limit)
                            ),
                        };
                        if let Some(rule) = &status.agency {
                            status.why.push_str(&format!(
                                " (the MSP is the client's agent: under {rule} its discovery is the client's, so the client's clock starts when the MSP finds the breach)"
                            ));
                        }
                    }
                }
                out.push(status);
            }
        }
    }
    out
}

/// CM008 from the notification statuses: a deadline measured against the MSP's window with no
/// window agreed, or a window that does not fit.
fn notification_findings(
    ws: &Workspace,
    scope: &Scope,
    statuses: &[NotificationStatus],
    overrides: &Overrides,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let window = scope.sla.incident_notification.as_deref();
    let client_margin = scope.sla.client_margin.is_some();
    for s in statuses.iter().filter(|s| s.is_gap()) {
        let (Some(code), Some(severity), Some(name), Some(limit)) =
            (s.rule.as_deref(), s.severity, s.rule_name.as_deref(), s.limit_hours)
        else {
            continue;
        };
        let Some((fw_id, control_id)) = s.control.split_once(':') else {
            continue;
        };
        let Some(framework) = ws.framework(fw_id) else { continue };
        let Some(d) = framework
            .get(control_id)
            .and_then(|c| c.deadlines.iter().find(|d| d.id == s.deadline))
        else {
            continue;
        };
        let cite = &s.citation;
        let business_associate = scope.client.profile.hipaa.as_deref() == Some("business-associate");
        let recipient = match (d.clock, business_associate, &s.agency) {
            // The client is a business associate: its own notice goes to its covered entities;
            // the MSP, its subcontractor, notifies the client.
            (Some(Clock::MspDiscovery), true, Some(_)) => "the client's notice to its covered entities".to_string(),
            (Some(Clock::MspDiscovery), true, None) => {
                "the MSP's notice, as the client's subcontractor, to the client".to_string()
            }
            _ => d
                .notify
                .as_deref()
                .map(|n| format!("notice to the {n}"))
                .unwrap_or_else(|| d.event.clone()),
        };
        let agency = match &s.agency {
            Some(rule) => format!(
                " The scope declares the MSP the client's agent (`provider.agent: true`), so under {rule} the MSP's discovery is the client's and the client's clock starts when the MSP finds the breach."
            ),
            None => String::new(),
        };
        let margin = s.margin_hours;
        let (message, at) = match s.window_hours {
            None => (
                format!(
                    "{cite} sets a deadline of {} from {} ({recipient}), but the scope agrees no incident-notification window with the MSP.{agency} Add `sla: {{ incident_notification: 24h }}` (or what the contract says).",
                    hours_text(limit),
                    d.from.as_deref().unwrap_or(&d.event),
                ),
                scope.locate("/sla"),
            ),
            Some(w) => (
                if margin == 0 {
                    format!(
                        "The MSP may take up to {} ({}) to notify the client, longer than the {} that {cite} allows ({recipient}).{agency} Shorten `sla.incident_notification` to at most {}.",
                        hours_text(w),
                        window.unwrap_or_default(),
                        hours_text(limit),
                        hours_text(limit)
                    )
                } else {
                    let margin_from = if client_margin {
                        "`sla.client_margin`"
                    } else {
                        "the policy pack's margin"
                    };
                    format!(
                        "The MSP may take up to {} ({}) to notify the client; with the {} the client needs to act ({margin_from}), that exceeds the {} that {cite} allows ({recipient}).{agency} Shorten `sla.incident_notification` to at most {}.",
                        hours_text(w),
                        window.unwrap_or_default(),
                        hours_text(margin),
                        hours_text(limit),
                        hours_text(limit.saturating_sub(margin))
                    )
                },
                scope.locate("/sla/incident_notification"),
            ),
        };
        out.extend(make(
            scope,
            &s.control,
            code,
            name,
            severity,
            message,
            &at,
            &s.deadline,
            overrides,
        ));
    }
    out
}

/// What the engine decided about one evidence entry: its age, the maximum age the enabled
/// packs allow for the controls it supports (the strictest), freshness and integrity. CM010,
/// CM011 and CM012 say the same; every document shows these.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EvidenceStatus {
    /// Position of the entry in the scope's `evidence:` list.
    pub index: usize,
    pub file: String,
    pub effective: String,
    /// Days from `effective` to the as-of date (`None` for an unreadable date).
    pub age_days: Option<i64>,
    /// The strictest maximum age of the enabled `evidence-stale` rules for its controls
    /// (`None`: no enabled rule judges its age).
    pub max_age_days: Option<i64>,
    /// `fresh`, `stale`, `future` (dated after the as-of date), `unknown` (no readable date) or
    /// `not-assessed` (no rule judges it).
    pub freshness: Freshness,
    /// `matches-pin`, `unpinned`, `changed` (differs from the pin) or `missing`.
    pub integrity: Integrity,
}

/// The maximum age an `evidence-stale` rule allows for an evidence entry, when the rule judges
/// it (the entry supports a control of the rule's framework).
fn max_age_for(rule: &PolicyRule, fw: Option<&str>, controls: &[String]) -> Option<i64> {
    let relevant: Vec<&String> = controls
        .iter()
        .filter(|c| fw.is_none_or(|f| c.split_once(':').is_some_and(|(x, _)| x == f)))
        .collect();
    if relevant.is_empty() {
        return None;
    }
    Some(
        relevant
            .iter()
            .filter_map(|c| rule.params.max_age_days_by_control.get(*c).copied())
            .min()
            .or(rule.params.max_age_days)
            .unwrap_or(365),
    )
}

/// Every evidence entry of the scope with the engine's verdict on its age and integrity, under
/// the policy packs enabled for `frameworks` (the frameworks that apply to the scope, as its
/// matrix lists them).
pub fn evidence_statuses(
    ws: &Workspace,
    scope: &Scope,
    frameworks: &[String],
    as_of: time::Date,
) -> Vec<EvidenceStatus> {
    let stale_rules: Vec<(&PolicyRule, Option<&str>)> = ws
        .packs
        .values()
        .filter(|p| p.enabled_for(frameworks))
        .flat_map(|p| p.rules.iter().map(move |r| (r, p.framework.as_deref())))
        .filter(|(r, _)| r.kind == RuleKind::EvidenceStale)
        .collect();
    scope
        .evidence
        .iter()
        .enumerate()
        .filter_map(|(index, e)| e.as_ref().map(|e| (index, e)))
        .map(|(index, e)| {
            let age = parse_date(&e.effective).map(|d| (as_of - d).whole_days());
            let max_age = stale_rules
                .iter()
                .filter_map(|(r, fw)| max_age_for(r, *fw, &e.controls))
                .min();
            let freshness = match (age, max_age) {
                (None, _) => Freshness::Unknown,
                (Some(a), _) if a < 0 => Freshness::Future,
                (Some(_), None) => Freshness::NotAssessed,
                (Some(a), Some(m)) if a <= m => Freshness::Fresh,
                _ => Freshness::Stale,
            };
            let integrity = Integrity::of(e.found_sha256.as_deref(), e.sha256.as_deref());
            EvidenceStatus {
                index,
                file: e.file.clone(),
                effective: e.effective.clone(),
                age_days: age,
                max_age_days: max_age,
                freshness,
                integrity,
            }
        })
        .collect()
}

fn supports(ws: &Workspace, listed: &str, required: &str) -> bool {
    if listed == required {
        return true;
    }
    let (Some((fa, a)), Some((fb, b))) = (listed.split_once(':'), required.split_once(':')) else {
        return false;
    };
    if fa != fb {
        return false;
    }
    let Some(fw) = ws.framework(fa) else { return false };
    match (fw.index(a), fw.index(b)) {
        (Some(ia), Some(ib)) => fw.is_within(ia, ib),
        _ => false,
    }
}

fn evidence_required(
    ws: &Workspace,
    scope: &Scope,
    matrix: &Matrix,
    rule: &PolicyRule,
    overrides: &Overrides,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for required in &rule.params.controls {
        let Some(row) = matrix.row(required) else { continue };
        if row.summary == Summary::NotApplicable {
            continue;
        }
        let has = scope
            .evidence
            .iter()
            .flatten()
            .any(|e| e.controls.iter().any(|c| supports(ws, c, required)));
        if !has {
            let at = if scope.evidence.is_empty() {
                scope.origin.clone()
            } else {
                scope.locate("/evidence")
            };
            let message = format!(
                "{} ({}) needs evidence on file and the scope lists none. Add an `evidence:` entry naming the file, the controls it supports, its owner and the date it was effective.",
                row.control,
                short(&row.title)
            );
            out.extend(emit(scope, required, rule, message, &at, "", overrides));
        }
    }
    if rule.params.promised {
        out.extend(evidence_promised(ws, scope, matrix, rule, overrides));
    }
    out
}

/// CM009 for every applicable control a subscribed service promises evidence for and that
/// no evidence entry supports (a rule with `promised: true`). A control the rule also lists
/// gets one finding (the same fingerprint).
fn evidence_promised(
    ws: &Workspace,
    scope: &Scope,
    matrix: &Matrix,
    rule: &PolicyRule,
    overrides: &Overrides,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for row in matrix
        .rows
        .iter()
        .filter(|r| !r.evidence.is_empty() && r.summary != Summary::NotApplicable)
    {
        if rule.params.controls.iter().any(|c| **c == *row.control) {
            continue;
        }
        let has = scope
            .evidence
            .iter()
            .flatten()
            .any(|e| e.found_sha256.is_some() && e.controls.iter().any(|c| supports(ws, c, &row.control)));
        if has {
            continue;
        }
        let at = if scope.evidence.is_empty() {
            scope.origin.clone()
        } else {
            scope.locate("/evidence")
        };
        let message = format!(
            "{} ({}): the subscribed services promise evidence for it ({}), and none is on file. Add an `evidence:` entry naming the file, the controls it supports, its owner and the date it was effective.",
            row.control,
            short(&row.title),
            row.evidence.join("; ")
        );
        out.extend(emit(scope, &row.control, rule, message, &at, "", overrides));
    }
    out
}

fn evidence_files(scope: &Scope, rule: &PolicyRule, overrides: &Overrides) -> Vec<Finding> {
    let mut out = Vec::new();
    for e in scope.evidence.iter().flatten() {
        let control = e.controls.first().cloned().unwrap_or_default();
        let message = match (rule.kind, &e.found_sha256, &e.sha256) {
            (RuleKind::EvidenceFileMissing, None, _) => format!(
                "evidence file `{}` does not exist in the workspace. Add the file or fix the path.",
                e.file
            ),
            (RuleKind::EvidenceTampered, Some(found), Some(pinned)) if found != pinned => format!(
                "evidence file `{}` has SHA-256 {found}, but the scope pins {pinned}: the file changed after it was recorded. Restore the original, or re-collect the evidence and pin the new hash.",
                e.file
            ),
            (RuleKind::EvidenceUnpinned, Some(found), None) => match e.origin.pointer.strip_prefix('@') {
                // An entry of the package: pinned there, once for every client of the package.
                Some(_) => format!(
                    "evidence file `{}` comes from the scope's package, which pins no SHA-256 for it, so a later change to the file would go unnoticed. Add `sha256: {found}` to the package's entry.",
                    e.file
                ),
                None => format!(
                    "evidence file `{}` has no pinned SHA-256, so a later change to the file would go unnoticed. Run `ctrlmap evidence pin {}` to pin it ({found}).",
                    e.file, scope.origin.file
                ),
            },
            _ => continue,
        };
        let at = scope.locate(&format!("{}/file", e.origin.pointer));
        out.extend(emit(scope, &control, rule, message, &at, &e.file, overrides));
    }
    out
}

fn evidence_stale(
    ws: &Workspace,
    scope: &Scope,
    rule: &PolicyRule,
    fw: Option<&str>,
    overrides: &Overrides,
    as_of: time::Date,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for e in scope.evidence.iter().flatten() {
        let Some(max_age) = max_age_for(rule, fw, &e.controls) else {
            continue;
        };
        let Some(effective) = parse_date(&e.effective) else {
            continue;
        };
        let relevant: Vec<&String> = e
            .controls
            .iter()
            .filter(|c| fw.is_none_or(|f| c.split_once(':').is_some_and(|(x, _)| x == f)))
            .collect();
        let age = (as_of - effective).whole_days();
        if age > max_age {
            let at = scope.locate(&format!("{}/effective", e.origin.pointer));
            let message = format!(
                "evidence `{}` was effective {} — {age} days before {as_of}, older than the {max_age} days allowed. Collect it again and update `effective`.",
                e.file, e.effective
            );
            out.extend(emit(scope, relevant[0], rule, message, &at, &e.file, overrides));
        }
    }
    let _ = ws;
    out
}

/// A custom rule: its `when` expression over each row of the rule's framework. It runs
/// under [`crate::assess::registry::rule_environment`] (strict about undefined fields, with fuel and a
/// recursion limit); a rule that fails at run time stops at the first failure and returns it,
/// with its file and line (E021), so the run exits 2 — never a silent `false`.
fn custom(
    ws: &Workspace,
    scope: &Scope,
    matrix: &Matrix,
    rule: &PolicyRule,
    fw: Option<&str>,
    overrides: &Overrides,
) -> (Vec<Finding>, Option<Diagnostic>) {
    let mut out = Vec::new();
    let Some(expr_text) = &rule.when else {
        return (out, None);
    };
    let when_at = rule.when_at;
    let env = crate::assess::registry::rule_environment();
    // Compiled when the pack was loaded (E019); a rule that did not compile never runs.
    let Ok(expr) = env.compile_expression(expr_text) else {
        return (out, None);
    };
    let message = match rule.message.as_deref().map(|m| env.template_from_str(m)) {
        Some(Ok(template)) => Some(template),
        Some(Err(_)) => return (out, None),
        None => None,
    };
    let fail = |field: &str, at: crate::model::Pos, row: &crate::resolve::Row, e: &minijinja::Error| {
        let why = match e.detail() {
            Some(detail) => format!("{}: {detail}", e.kind()),
            None => e.kind().to_string(),
        };
        Diagnostic::new(
            &rule.origin.file,
            at,
            crate::model::diagnostic::Code::E021,
            format!(
                "custom rule `{}`: the `{field}` failed on {} of scope `{}`: {why}",
                rule.code, row.control, scope.id
            ),
            "fix the rule: the fields are those of `row` (the matrix row as in `matrix --format json`), `control` (the catalog control) and `scope`; a loop must stay small",
        )
    };
    let scope_value = minijinja::Value::from(minijinja::value::Serde(scope));
    let optional_keys = optional_row_keys(matrix);
    for row in matrix.rows.iter().filter(|r| fw.is_none_or(|f| &*r.framework == f)) {
        let control = ws.framework(&row.framework).and_then(|f| f.get(&row.id));
        let ctx = minijinja::context! {
            row => row_value(row, &optional_keys),
            control => minijinja::Value::from(minijinja::value::Serde(control)),
            scope => scope_value.clone(),
        };
        let fires = match expr.eval(&ctx) {
            Ok(v) => v.is_true(),
            Err(e) => return (Vec::new(), Some(fail("when", when_at, row, &e))),
        };
        if !fires {
            continue;
        }
        let message = match &message {
            Some(template) => match template.render(&ctx) {
                Ok(text) => short_message(&text),
                Err(e) => return (Vec::new(), Some(fail("message", rule.message_at, row, &e))),
            },
            None => format!(
                "{}: {}",
                row.control,
                rule.title.clone().unwrap_or_else(|| expr_text.clone())
            ),
        };
        out.extend(emit(scope, &row.control, rule, message, &rule.origin, "", overrides));
    }
    (out, None)
}

/// A row as a rule sees it: the JSON shape of `matrix --format json`, with every optional
/// field present (`none` or empty) so `row.requirement == 'addressable'` works on every row
/// while a misspelt field is an error. The optional fields are the documented ones, and any
/// other field some row of the same matrix carries (`optional_keys`).
fn row_value(row: &crate::resolve::Row, optional_keys: &BTreeMap<String, serde_json::Value>) -> minijinja::Value {
    let mut json = serde_json::to_value(row).unwrap_or_default();
    if let serde_json::Value::Object(map) = &mut json {
        for (key, empty) in optional_keys {
            if !map.contains_key(key) {
                map.insert(key.clone(), empty.clone());
            }
        }
    }
    minijinja::Value::from(minijinja::value::Serde(json))
}

/// The fields a row may leave out, with the value that stands for "nothing": the documented
/// optional fields of a matrix row, and any field that only some rows of `matrix` carry.
fn optional_row_keys(matrix: &Matrix) -> BTreeMap<String, serde_json::Value> {
    use serde_json::Value;
    let mut keys: BTreeMap<String, Value> = [
        ("requirement", Value::Null),
        ("reason", Value::Null),
        ("addressable", Value::Null),
        ("applicability", Value::Null),
        ("conflicts", Value::Array(Vec::new())),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    for row in &matrix.rows {
        if let Ok(Value::Object(map)) = serde_json::to_value(row) {
            for (key, value) in map {
                keys.entry(key).or_insert(match value {
                    Value::Array(_) => Value::Array(Vec::new()),
                    Value::Object(_) => Value::Null,
                    _ => Value::Null,
                });
            }
        }
    }
    keys
}

/// A finding message from a template: at most 2,000 characters.
fn short_message(text: &str) -> String {
    const MAX: usize = 2_000;
    if text.chars().count() > MAX {
        format!("{}…", text.chars().take(MAX - 1).collect::<String>())
    } else {
        text.to_string()
    }
}

fn short(title: &str) -> String {
    if title.chars().count() > 80 {
        format!("{}…", title.chars().take(77).collect::<String>())
    } else {
        title.to_string()
    }
}

/// Apply the scope's waivers: a valid, unexpired waiver marks its finding waived; an
/// expired or incomplete one leaves the finding active and is a finding itself, at the
/// waived finding's severity or higher.
pub fn apply_waivers(scope: &Scope, findings: Vec<Finding>, overrides: &Overrides, as_of: time::Date) -> Vec<Finding> {
    let mut out = Vec::with_capacity(findings.len());
    let mut extra = Vec::new();
    for mut f in findings {
        let Some(w) = scope
            .waivers
            .iter()
            .flatten()
            .find(|w| w.finding == f.code && w.control == f.control)
        else {
            out.push(f);
            continue;
        };
        let missing: Vec<&str> = [
            ("justification", &w.justification),
            ("approver", &w.approver),
            ("ticket", &w.ticket),
            ("compensating", &w.compensating),
            ("expires", &w.expires),
        ]
        .into_iter()
        .filter(|(_, v)| blank(v))
        .map(|(k, _)| k)
        .collect();
        let expires = w.expires.as_deref().and_then(parse_date);
        let severity = f.severity.max(Severity::Low);
        if !missing.is_empty() {
            let message = format!(
                "the waiver of {} on {} lacks {}, so it is not honoured. A waiver needs a justification, approver, ticket, compensating control and expiry date.",
                f.code,
                f.control,
                missing.join(", ")
            );
            extra.extend(make(
                scope,
                &f.control,
                RuleCode::CM014.as_str(),
                RuleCode::CM014.rule().name,
                severity,
                message,
                &w.origin,
                &f.code,
                overrides,
            ));
        } else if let Some(exp) = expires.filter(|e| *e < as_of) {
            let message = format!(
                "the waiver of {} on {} expired on {exp} (ticket {}); the finding counts again. Fix the gap or renew the waiver with a new expiry date.",
                f.code,
                f.control,
                w.ticket.as_deref().unwrap_or_default()
            );
            extra.extend(make(
                scope,
                &f.control,
                RuleCode::CM013.as_str(),
                RuleCode::CM013.rule().name,
                severity,
                message,
                &w.origin,
                &f.code,
                overrides,
            ));
        } else {
            f.waived = Some(WaiverNote {
                justification: w.justification.clone().unwrap_or_default(),
                compensating: w.compensating.clone().unwrap_or_default(),
                approver: w.approver.clone().unwrap_or_default(),
                ticket: w.ticket.clone().unwrap_or_default(),
                expires: w.expires.clone().unwrap_or_default(),
                file: w.origin.file.to_string(),
                line: w.origin.line,
                column: w.origin.column,
            });
        }
        out.push(f);
    }
    out.extend(extra);
    out
}

/// Waiver debt across findings: how many are waived, the oldest (by the date it was granted),
/// how many record no grant date, and those expiring soon.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct WaiverDebt {
    pub count: usize,
    pub oldest: Option<String>,
    /// Waived findings whose waiver records no `granted` date (their age is unknown).
    pub undated: usize,
    pub expiring_within_30_days: usize,
    /// Date of the oldest waiver, to merge debts of several batches of scopes.
    #[serde(skip)]
    oldest_since: Option<String>,
}

impl WaiverDebt {
    /// Add another batch's debt (the oldest stays the oldest; ties keep the first seen).
    pub fn merge(&mut self, other: WaiverDebt) {
        self.count += other.count;
        self.undated += other.undated;
        self.expiring_within_30_days += other.expiring_within_30_days;
        if let Some(since) = other.oldest_since
            && self.oldest_since.as_ref().is_none_or(|mine| since < *mine)
        {
            self.oldest_since = Some(since);
            self.oldest = other.oldest;
        }
    }
}

pub fn waiver_debt(scopes: &[&Scope], findings: &[Finding], as_of: time::Date) -> WaiverDebt {
    let mut debt = WaiverDebt::default();
    let mut oldest: Option<(String, String)> = None;
    for f in findings {
        let Some(w) = &f.waived else { continue };
        debt.count += 1;
        let granted = scopes
            .iter()
            .filter(|s| s.id == f.scope)
            .flat_map(|s| s.waivers.iter().flatten())
            .find(|x| x.finding == f.code && x.control == f.control)
            .and_then(|x| x.granted.clone());
        match granted {
            // Only a recorded grant date says how old a waiver is; the expiry date does not.
            Some(granted) => {
                if oldest.as_ref().is_none_or(|(date, _)| granted < *date) {
                    let label = format!("{} on {} in {} (since {granted})", f.code, f.control, f.scope);
                    oldest = Some((granted, label));
                }
            }
            None => debt.undated += 1,
        }
        if parse_date(&w.expires).is_some_and(|e| (e - as_of).whole_days() <= 30) {
            debt.expiring_within_30_days += 1;
        }
    }
    if let Some((since, label)) = oldest {
        debt.oldest_since = Some(since);
        debt.oldest = Some(label);
    }
    debt
}
