//! Human explanations: why a row of a scope says what it says (`ctrlmap explain`), as text
//! and as JSON. What a catalog or a control is, `ctrlmap frameworks`, is in `frameworks.rs`.

use crate::assess::{Assessment, Finding};
use crate::model::Workspace;
use crate::model::{Requirement, Scope};
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

/// `explain --format json`: the control's row, and the findings, evidence and notice
/// verdicts of the assessment that concern it, as data.
pub fn render_json(scope: &Scope, assessment: &Assessment, control: &str) -> String {
    let row = assessment.matrix.row(control);
    let findings: Vec<&crate::assess::Finding> =
        assessment.findings.iter().filter(|f| *f.control == *control).collect();
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
