//! Human explanations: why a row says what it says, and what a catalog or control is.

use crate::assess::{Assessment, Finding};
use crate::model::Workspace;
use crate::model::text::shorten;
use crate::model::{Requirement, Role, Scope};
use crate::resolve::{Coverage, SourceKind};
use std::fmt::Write as _;

fn party(p: &str) -> String {
    match p {
        "msp" => "MSP".into(),
        "client" => "Client".into(),
        other => other.into(),
    }
}

/// Why one row of a scope's assessment says what it says: owner and RACI, duties, candidates,
/// what the catalog keeps with the client, each source with file and line, the findings (waived
/// ones as waived), the evidence on file for it and the notice deadlines it sets, all as the
/// engine decided them.
///
/// `shown` writes a workspace file's path as the user reaches it (as `check` reports it: from
/// the folder ctrlmap runs in).
pub fn render(
    ws: &Workspace,
    scope: &Scope,
    assessment: &Assessment,
    control: &str,
    shown: &dyn Fn(&str) -> String,
) -> String {
    let mut out = String::new();
    let Some(row) = assessment.matrix.row(control) else {
        return not_applicable_framework(ws, scope, assessment, control, shown);
    };
    let findings = &assessment.findings;
    let flag = match row.requirement {
        Some(Requirement::Required) => " (Required)",
        Some(Requirement::Addressable) => " (Addressable)",
        None => "",
    };
    let _ = writeln!(out, "{} — {}{flag}", row.control, row.title);
    let _ = writeln!(
        out,
        "scope:        {} ({}), {}",
        scope.id,
        scope.client.name,
        shown(&scope.origin.file)
    );
    if !scope.packages.is_empty() {
        let chain: Vec<String> = scope
            .packages
            .iter()
            .map(|id| match ws.packages.get(&**id) {
                Some(p) => format!("`{id}` ({})", shown(&p.origin.file)),
                None => format!("`{id}`"),
            })
            .collect();
        let _ = writeln!(out, "package:      {}", chain.join(", building on "));
    }
    let coverage = match row.coverage {
        Coverage::Full => "full coverage",
        Coverage::Partial => "partial coverage",
        Coverage::None => "no coverage",
    };
    let _ = writeln!(out, "owner:        {} ({coverage})", row.summary.label());
    if let Some(reason) = &row.reason {
        let _ = writeln!(out, "reason:       {reason}");
    }
    if let Some(why) = &row.applicability {
        let _ = writeln!(out, "applies:      {why}");
    }
    let _ = writeln!(
        out,
        "responsible:  {}",
        if row.responsible.is_empty() {
            "nobody".to_string()
        } else {
            row.responsible.iter().map(|p| party(p)).collect::<Vec<_>>().join(", ")
        }
    );
    let _ = writeln!(out, "accountable:  {}", party(&row.accountable));
    if !row.consulted.is_empty() {
        let _ = writeln!(
            out,
            "consulted:    {}",
            row.consulted.iter().map(|p| party(p)).collect::<Vec<_>>().join(", ")
        );
    }
    if !row.informed.is_empty() {
        let _ = writeln!(
            out,
            "informed:     {}",
            row.informed.iter().map(|p| party(p)).collect::<Vec<_>>().join(", ")
        );
    }
    if !row.duties.is_empty() {
        let _ = writeln!(out, "duties:");
        for (p, duties) in &row.duties {
            for d in duties {
                let _ = writeln!(out, "  {:<8} {d}", format!("{}:", party(p)));
            }
        }
    }
    if !row.evidence.is_empty() {
        let _ = writeln!(out, "evidence the services produce: {}", row.evidence.join("; "));
    }
    if let Some(a) = &row.addressable {
        let _ = writeln!(
            out,
            "addressable decision: {}{}{} ({}:{})",
            <&str>::from(a.decision),
            a.rationale.as_deref().map(|r| format!(" — {r}")).unwrap_or_default(),
            a.alternative
                .as_deref()
                .map(|r| format!("; alternative: {r}"))
                .unwrap_or_default(),
            shown(&a.file),
            a.line
        );
    }
    if !row.candidates.is_empty() {
        let _ = writeln!(
            out,
            "\ncandidates (CSF 2.0 outcomes that only intersect this control: leads for whoever assigns it, never owners):"
        );
        for c in &row.candidates {
            let _ = writeln!(
                out,
                "  - {}\n    crosswalk row: {}",
                c.describe(),
                super::place(&shown(&c.file), c.line, &row.control)
            );
        }
    }
    if let Some(fw) = ws.framework(&row.framework)
        && let Some(i) = fw.index(&row.id)
    {
        for (kept_at, r, what) in [
            fw.retained_responsible(i)
                .map(|(k, r)| (k, r, "only the client itself can perform it")),
            fw.retained_accountable(i)
                .map(|(k, r)| (k, r, "the client stays accountable for it")),
        ]
        .into_iter()
        .flatten()
        {
            let _ = writeln!(
                out,
                "retained:     {what} ({}, set on {}) — {}",
                r.citation, fw.controls[kept_at].id, r.note
            );
        }
    }
    let _ = writeln!(out, "\nwhy (highest precedence first):");
    for (i, p) in row.provenance.iter().enumerate() {
        // A package's own entry is at its line in the package; a service the package subscribes
        // is at the service's claim (the detail names the package).
        let at = match &p.package {
            Some(package) if p.kind != SourceKind::Service => format!("from package `{package}`, "),
            _ => "at ".to_string(),
        };
        let _ = writeln!(
            out,
            "  {}. [{}] {}\n     {at}{}",
            i + 1,
            <&str>::from(p.kind),
            p.detail,
            super::place(&shown(&p.file), p.line, &row.control)
        );
    }
    if row.conflict {
        let _ = writeln!(out, "\nconflict — these sources disagree:");
        for p in &row.conflicts {
            let _ = writeln!(
                out,
                "  - {} at {}",
                p.detail,
                super::place(&shown(&p.file), p.line, &row.control)
            );
        }
    }
    let mine: Vec<&Finding> = findings.iter().filter(|f| *f.control == *row.control).collect();
    if !mine.is_empty() {
        let _ = writeln!(out, "\nfindings (as of {}):", assessment.as_of);
        for f in mine {
            let state = match &f.waived {
                Some(w) => format!(
                    " [waived until {} by {}, {}: {}]",
                    w.expires, w.approver, w.ticket, w.justification
                ),
                None => String::new(),
            };
            let _ = writeln!(
                out,
                "  {} {} {}: {}{state}",
                f.severity.as_str(),
                f.code,
                f.rule,
                f.message
            );
        }
    }
    // Evidence on file for this control (listed for it or for a control that contains it).
    let on_file: Vec<&crate::assess::rules::EvidenceStatus> = assessment
        .evidence
        .iter()
        .filter(|s| {
            scope.evidence.get(s.index).and_then(|e| e.as_ref()).is_some_and(|e| {
                e.controls.iter().any(|c| {
                    c == control
                        || ws.framework(&row.framework).is_some_and(|fw| {
                            let listed = c.split_once(':').map_or(c.as_str(), |(_, id)| id);
                            match (fw.index(&row.id), fw.index(listed)) {
                                (Some(i), Some(a)) => {
                                    c.starts_with(&format!("{}:", row.framework)) && fw.is_within(i, a)
                                }
                                _ => false,
                            }
                        })
                })
            })
        })
        .collect();
    if !on_file.is_empty() {
        let _ = writeln!(out, "\nevidence on file (as of {}):", assessment.as_of);
        for s in on_file {
            let age = match (s.age_days, s.max_age_days) {
                (Some(a), Some(m)) => format!("{a} days old, at most {m} allowed"),
                (Some(a), None) => format!("{a} days old"),
                _ => "no readable date".to_string(),
            };
            let _ = writeln!(
                out,
                "  {} (effective {}): {}, {age}; {}",
                s.file, s.effective, s.freshness, s.integrity
            );
        }
    }
    let deadlines: Vec<&crate::assess::rules::NotificationStatus> = assessment
        .notifications
        .iter()
        .filter(|n| n.control == control)
        .collect();
    if !deadlines.is_empty() {
        let _ = writeln!(out, "\nnotice deadlines and the MSP's window:");
        for n in deadlines {
            let _ = writeln!(out, "  {} ({}): {} — {}", n.citation, n.deadline, n.verdict, n.why);
        }
    }
    if let Some(fw) = ws.framework(&row.framework)
        && let Some(c) = fw.get(&row.id)
    {
        let _ = writeln!(out, "\ntext ({}):", fw.cite(&c.id));
        let _ = writeln!(
            out,
            "  {}",
            c.text
                .as_deref()
                .or(c.text_note.as_deref())
                .unwrap_or("(the source gives no text)")
        );
    }
    out
}

/// A control of a catalog that does not apply to the scope: why not (the engine's reason,
/// quoting what the scope declares and citing the rule), and the control's text.
fn not_applicable_framework(
    ws: &Workspace,
    scope: &Scope,
    assessment: &Assessment,
    control: &str,
    shown: &dyn Fn(&str) -> String,
) -> String {
    let mut out = String::new();
    let Some((fw_id, id)) = control.split_once(':') else {
        return out;
    };
    let (Some(x), Some(fw)) = (assessment.matrix.exclusion(fw_id), ws.framework(fw_id)) else {
        return out;
    };
    let Some(c) = fw.get(id) else { return out };
    let _ = writeln!(out, "{control} — {}", c.title);
    let _ = writeln!(
        out,
        "scope:        {} ({}), {}",
        scope.id,
        scope.client.name,
        shown(&scope.origin.file)
    );
    let _ = writeln!(out, "owner:        N/A (its framework does not apply to this client)");
    let _ = writeln!(out, "reason:       {}", x.sentence());
    let _ = writeln!(
        out,
        "
text ({}):",
        fw.cite(&c.id)
    );
    let _ = writeln!(
        out,
        "  {}",
        c.text
            .as_deref()
            .or(c.text_note.as_deref())
            .unwrap_or("(the source gives no text)")
    );
    out
}

pub fn frameworks_list(ws: &Workspace) -> String {
    let mut out = String::new();
    // One block per catalog, nothing cut short: titles and versions are long and exact.
    for fw in ws.frameworks.values() {
        let counts: Vec<String> = fw.level_counts().iter().map(|(l, n)| format!("{n} {l}")).collect();
        let _ = writeln!(out, "{} — {}", fw.id(), fw.catalog.title);
        let _ = writeln!(out, "  citation: {}", fw.catalog.citation);
        let _ = writeln!(out, "  version:  {}", fw.catalog.version);
        let _ = writeln!(out, "  controls: {}", counts.join(", "));
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "crosswalks:");
    for cw in &ws.crosswalks {
        let _ = writeln!(
            out,
            "  {:<28} {} → {}, {} mappings",
            cw.id,
            cw.from,
            cw.to,
            cw.mappings.iter().flatten().count()
        );
    }
    out
}

/// One catalog source in a line: its title, whether it is the official publication, and when it
/// was retrieved (a source that records neither is not called a secondary copy: the catalog just
/// does not say).
pub fn source_label(s: &crate::model::SourceRef) -> String {
    let what = match (s.official, s.retrieved.as_deref()) {
        (true, Some(d)) => format!("official publication, retrieved {d}"),
        (true, None) => "official publication, retrieval date not recorded".into(),
        (false, Some(d)) => format!("secondary copy, not the official publication, retrieved {d}"),
        (false, None) => "not recorded whether official or when retrieved".into(),
    };
    format!("{} ({what})", s.title)
}

/// [`source_label`] with the source's address.
fn source_line(s: &crate::model::SourceRef) -> String {
    let url = s.url.as_deref().map(|u| format!(", {u}")).unwrap_or_default();
    format!("{}{url}", source_label(s))
}

/// A deadline's `within` in words, as the rules count: `60d` → `60 days`, `72h` → `72 hours`.
fn within_words(within: &str) -> String {
    match (within.strip_suffix('d'), within.strip_suffix('h')) {
        (Some(n), _) => format!("{n} days"),
        (_, Some(n)) => format!("{n} hours"),
        _ => within.to_string(),
    }
}

/// Whose clock a deadline runs on, in words.
fn clock_words(clock: crate::model::Clock) -> &'static str {
    use crate::model::Clock;
    match clock {
        Clock::EntityDiscovery => {
            "the regulated entity's discovery; an incident the MSP finds reaches the client through the MSP's notice, so that window counts against it"
        }
        Clock::EntityAct => "the regulated entity's own act; the MSP's notice window is not measured against it",
        Clock::MspDiscovery => {
            "the business associate's discovery: in a covered entity's scope the MSP's own, so its notice window must fit, with no margin; when the client is itself a business associate and the MSP its agent, the client's too, so the window plus the client's margin must fit"
        }
        Clock::AgentDiscovery => {
            "the covered entity's discovery, which is the MSP's discovery only when the MSP is its agent"
        }
        Clock::Calendar => "the calendar (a date-based duty); the MSP's notice window is not measured against it",
    }
}

/// `ID` or `ID:CONTROL` of `frameworks show`: the catalog, its id, and the control id if any.
fn show_target<'a, 't>(
    ws: &'a Workspace,
    target: &'t str,
) -> Result<(&'a crate::model::catalog::Framework, &'t str, Option<&'t str>), String> {
    let (fw_id, control) = match target.split_once(':') {
        Some((f, c)) => (f, Some(c)),
        None => (target, None),
    };
    let fw = ws.framework(fw_id).ok_or_else(|| {
        format!(
            "unknown framework `{fw_id}`; known: {}",
            ws.frameworks.keys().cloned().collect::<Vec<_>>().join(", ")
        )
    })?;
    Ok((fw, fw_id, control))
}

pub fn frameworks_show(ws: &Workspace, target: &str) -> Result<String, String> {
    let (fw, fw_id, control) = show_target(ws, target)?;
    let mut out = String::new();
    let Some(id) = control else {
        let c = &fw.catalog;
        let _ = writeln!(out, "{} — {}", c.id, c.title);
        let _ = writeln!(
            out,
            "citation:  {}\nauthority: {}\nversion:   {}\nsource:    {}",
            c.citation, c.authority, c.version, c.source_url
        );
        for e in &c.effective {
            let _ = writeln!(out, "effective: {} — {}", e.date, e.what);
        }
        for n in &c.notes {
            let _ = writeln!(out, "note:      {n}");
        }
        if !c.sources.is_empty() {
            let _ = writeln!(
                out,
                "\nwhere the text comes from (controls whose text is quoted from each):"
            );
            for s in &c.sources {
                let quoted = fw
                    .controls
                    .iter()
                    .filter(|x| x.text.is_some() && x.text_source.as_deref() == Some(s.id.as_str()))
                    .count();
                let _ = writeln!(out, "  {:>4}  {} — {}", quoted, s.id, source_line(s));
            }
        }
        let _ = writeln!(out);
        for (i, ctl) in fw.controls.iter().enumerate() {
            let flag = match ctl.requirement {
                Some(Requirement::Required) => " (R)",
                Some(Requirement::Addressable) => " (A)",
                None => "",
            };
            let role = match ctl.role {
                Role::Reference => " [reference]",
                _ => "",
            };
            let _ = writeln!(
                out,
                "{}{}{flag} — {}{role}",
                "  ".repeat(fw.ancestors(i).len()),
                ctl.id,
                shorten(&ctl.title, 90)
            );
        }
        return Ok(out);
    };
    let Some(c) = fw.get(id) else {
        let near = crate::model::diagnostic::closest(id, fw.controls.iter().map(|c| c.id.as_str()), 3);
        return Err(format!(
            "`{id}` is not a control of `{fw_id}`; did you mean {}?",
            near.iter()
                .map(|n| format!("`{fw_id}:{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    };
    let _ = writeln!(out, "{}:{} — {}", fw.id(), c.id, c.title);
    let _ = writeln!(
        out,
        "catalog:   {} ({}), {}",
        fw.catalog.title, fw.catalog.citation, fw.catalog.version
    );
    let _ = writeln!(
        out,
        "level:     {}{}",
        c.level,
        c.parent
            .as_deref()
            .map(|p| format!(", part of {p}"))
            .unwrap_or_default()
    );
    let _ = writeln!(out, "role:      {}", <&str>::from(c.role));
    if let Some(r) = c.requirement {
        let _ = writeln!(out, "flag:      {} (45 CFR 164.306(d))", <&str>::from(r));
    }
    if let Some(d) = &c.effective_from {
        let _ = writeln!(out, "effective: from {d}");
    }
    if let Some(r) = &c.retained {
        let kept = match (r.responsible, r.accountable) {
            (true, true) => "performing it and answering for it stay with the regulated entity",
            (true, false) => "only the regulated entity can perform it",
            (false, true) => "a provider may perform it; accountability stays with the regulated entity",
            (false, false) => "may be delegated",
        };
        let _ = writeln!(out, "retained:  {kept} ({}) — {}", r.citation, r.note);
    }
    if let Some(o) = &c.own_duty {
        let what = match o.decision {
            crate::model::OwnDutyDecision::Row => "a duty of its own, owned itself",
            crate::model::OwnDutyDecision::Rollup => "met through its parts",
        };
        let _ = writeln!(out, "parts:     {what} — {}", o.reason);
    }
    if let Some(n) = &c.applies_note {
        let _ = writeln!(out, "applies:   only when the condition holds — {n}");
    }
    for d in &c.deadlines {
        let limit = match (&d.within, &d.annually_by, &d.contemporaneous_with) {
            (Some(w), _, _) => format!("within {}", within_words(w)),
            (None, Some(x), _) => format!("annually by {x}"),
            (None, None, Some(other)) => format!("contemporaneously with the notice of {}", fw.cite(other)),
            (None, None, None) => "no time limit of its own".to_string(),
        };
        let from = match (&d.from, &d.contemporaneous_with) {
            (Some(f), None) => format!(" from {f}"),
            (Some(f), Some(_)) => format!(" (the clock starts at {f})"),
            (None, _) => String::new(),
        };
        let _ = writeln!(
            out,
            "deadline:  {} — {limit}{from}{}",
            d.id,
            d.notify.as_deref().map(|n| format!("; notify {n}")).unwrap_or_default(),
        );
        if let Some(clock) = d.clock {
            let _ = writeln!(out, "           clock: {}", clock_words(clock));
        }
        if let Some(a) = &d.agency {
            let title = fw.get(a).map(|x| format!(" ({})", x.title)).unwrap_or_default();
            let _ = writeln!(
                out,
                "           discovery through an agent (`provider.agent: true`): {}{title}",
                fw.cite(a)
            );
        }
        if let Some(t) = &d.threshold {
            let _ = writeln!(
                out,
                "           only for events involving {} (measured against the profile's `{}`)",
                t.text, t.fact
            );
        }
        if let Some(other) = &d.may_be_delayed_by {
            let title = fw.get(other).map(|x| format!(" ({})", x.title)).unwrap_or_default();
            let _ = writeln!(out, "           may be delayed under {}{title}", fw.cite(other));
        }
        let _ = writeln!(out, "           \"{}\"", d.text);
    }
    if let Some(cond) = &c.applies_when {
        let _ = writeln!(out, "applies when: {}", serde_json::to_string(cond).unwrap_or_default());
    }
    let _ = writeln!(out, "\ntext:");
    match (&c.text, &c.text_note) {
        (Some(t), note) => {
            let _ = writeln!(out, "  {t}");
            if let Some(n) = note {
                let _ = writeln!(out, "  ({n})");
            }
        }
        (None, Some(n)) => {
            let _ = writeln!(out, "  ({n})");
        }
        (None, None) => {
            let _ = writeln!(out, "  (the source gives no text)");
        }
    }
    if let Some(src) = &c.text_source {
        match fw.catalog.sources.iter().find(|s| &s.id == src) {
            Some(s) => {
                let _ = writeln!(out, "source:    {}", source_line(s));
                if !s.official {
                    let _ = writeln!(out, "           the official text: {}", fw.catalog.source_url);
                }
            }
            None => {
                let _ = writeln!(out, "source:    `{src}` (not listed in the catalog's sources)");
            }
        }
    }
    for n in &c.notes {
        let _ = writeln!(out, "note: {n}");
    }
    if !c.examples.is_empty() {
        let _ = writeln!(out, "\nimplementation examples (informative):");
        for e in &c.examples {
            let _ = writeln!(out, "  {} {}", e.id, e.text);
        }
    }
    let i = fw.index(id).unwrap_or(0);
    let children = fw.children(i);
    if !children.is_empty() {
        let _ = writeln!(out, "\nparts:");
        for &ch in children {
            let _ = writeln!(
                out,
                "  {} — {}",
                fw.controls[ch].id,
                shorten(&fw.controls[ch].title, 90)
            );
        }
    }
    let mut maps = Vec::new();
    for cw in &ws.crosswalks {
        for m in cw.mappings.iter().flatten() {
            if cw.from == fw.id() && m.from == c.id {
                maps.push(format!(
                    "  {} {}:{} ({}) — {}",
                    m.relationship.as_str(),
                    cw.to,
                    m.to,
                    m.source,
                    m.rationale
                ));
            } else if cw.to == fw.id() && m.to == c.id {
                maps.push(format!(
                    "  {}:{} {} this ({}) — {}",
                    cw.from,
                    m.from,
                    m.relationship.as_str(),
                    m.source,
                    m.rationale
                ));
            }
        }
        for u in cw.unmapped.iter().flatten() {
            if cw.from == fw.id() && u.control == c.id {
                maps.push(format!("  unmapped: {}", u.reason));
            }
        }
    }
    if !maps.is_empty() {
        let _ = writeln!(out, "\ncrosswalk:");
        for m in maps {
            let _ = writeln!(out, "{m}");
        }
    }
    Ok(out)
}

/// `explain --format json`: the control's row, and the findings, evidence and notice
/// verdicts of the assessment that concern it, as data.
pub fn render_json(scope: &Scope, assessment: &Assessment, control: &str) -> String {
    let row = assessment.matrix.row(control);
    let findings: Vec<&crate::assess::Finding> = assessment.findings.iter().filter(|f| f.control == control).collect();
    let evidence: Vec<&crate::assess::rules::EvidenceStatus> = assessment
        .evidence
        .iter()
        .filter(|e| {
            scope
                .evidence
                .get(e.index)
                .and_then(Option::as_ref)
                .is_some_and(|ev| ev.controls.iter().any(|c| c == control))
        })
        .collect();
    let notifications: Vec<&crate::assess::rules::NotificationStatus> = assessment
        .notifications
        .iter()
        .filter(|n| n.control == control)
        .collect();
    let doc = serde_json::json!({
        "version": super::JSON_VERSION,
        "tool": "ctrlmap",
        "scope": scope.id,
        "as_of": assessment.as_of.to_string(),
        "control": control,
        "row": row,
        "framework_not_applicable": control.split_once(':').and_then(|(fw, _)| assessment.matrix.exclusion(fw)),
        "findings": findings,
        "evidence": evidence,
        "notifications": notifications,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// `frameworks --format json`: every catalog (id, title, citation, version, sources, control
/// counts by level) and every crosswalk (id, from, to, rows).
pub fn frameworks_list_json(ws: &Workspace) -> String {
    let catalogs: Vec<serde_json::Value> = ws
        .frameworks
        .values()
        .map(|fw| {
            let c = &fw.catalog;
            serde_json::json!({
                "id": c.id,
                "title": c.title,
                "citation": c.citation,
                "authority": c.authority,
                "version": c.version,
                "sources": c.sources,
                "controls": fw.level_counts().into_iter().collect::<std::collections::BTreeMap<_, _>>(),
            })
        })
        .collect();
    let crosswalks: Vec<serde_json::Value> = ws
        .crosswalks
        .iter()
        .map(|cw| {
            serde_json::json!({
                "id": cw.id,
                "from": cw.from,
                "to": cw.to,
                "mappings": cw.mappings.iter().flatten().count(),
            })
        })
        .collect();
    let doc = serde_json::json!({
        "version": super::JSON_VERSION,
        "tool": "ctrlmap",
        "catalogs": catalogs,
        "crosswalks": crosswalks,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// `frameworks show --format json`: a catalog with its controls, or one control with the
/// crosswalk rows that map it (either direction).
pub fn frameworks_show_json(ws: &Workspace, target: &str) -> Result<String, String> {
    let (fw, fw_id, control) = show_target(ws, target)?;
    let doc = match control {
        None => serde_json::json!({
            "version": super::JSON_VERSION,
            "tool": "ctrlmap",
            "catalog": fw.catalog,
        }),
        Some(id) => {
            let Some(c) = fw.get(id) else {
                return Err(format!(
                    "`{id}` is not a control of `{fw_id}`; `ctrlmap frameworks show {fw_id}` lists its controls"
                ));
            };
            let mappings: Vec<serde_json::Value> = ws
                .crosswalks
                .iter()
                .flat_map(|cw| cw.mappings.iter().flatten().map(move |m| (cw, m)))
                .filter(|(cw, m)| (cw.from == fw_id && m.from == id) || (cw.to == fw_id && m.to == id))
                .map(|(cw, m)| {
                    serde_json::json!({
                        "crosswalk": cw.id,
                        "from": format!("{}:{}", cw.from, m.from),
                        "to": format!("{}:{}", cw.to, m.to),
                        "relationship": m.relationship,
                        "rationale": m.rationale,
                        "justification": m.justification,
                    })
                })
                .collect();
            serde_json::json!({
                "version": super::JSON_VERSION,
                "tool": "ctrlmap",
                "framework": fw_id,
                "control": c,
                "mappings": mappings,
            })
        }
    };
    Ok(serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n")
}
