//! What a catalog or a control is, as `ctrlmap frameworks` (every catalog and crosswalk) and
//! `ctrlmap frameworks show` (a catalog with its controls, or one control with its text,
//! sources, deadlines and crosswalk rows) print it: as text and as JSON. Reads the catalogs
//! only; no scope, no verdict.

use crate::model::Workspace;
use crate::model::text::shorten;
use crate::model::{Requirement, Role};
use std::fmt::Write as _;

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
