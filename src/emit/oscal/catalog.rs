//! Catalogs and profiles: each built-in (or workspace) catalog as an OSCAL catalog, and per
//! scope a profile that selects the controls of the matrix from them.
//!
//! **Groups and controls.** A top-level heading of a catalog becomes an OSCAL `group`, so tools
//! show it as a heading and profiles resolve against the publisher's structure: CSF 2.0's six
//! functions are groups (`GV`, class `function`, NIST's `GV_overview` part), as in NIST's own
//! OSCAL catalog, where the 22 categories stay controls (class `category`) holding their
//! subcategories; a regulation's sections that are headings (e.g. 164.308 Administrative
//! safeguards) are groups of their paragraphs. Every other entry becomes an OSCAL control
//! nested under its parent, with its level as the control's `class`. A group has no matrix row
//! in the plans (it is a heading, not a requirement). The citation is kept
//! in `label` properties, the regulation's text in a `statement` part, CSF 2.0's implementation
//! examples in `example` parts with NIST's ids, and ctrlmap's own attributes (HIPAA
//! required/addressable, deadlines, what the regulated entity retains, applicability notes,
//! editorial notes) as properties and parts in ctrlmap's namespace.

use super::ids::{self, NS, control_token, statement_id};
use super::{ScopeInput, finish, metadata, one_line, oscal_prop, prop, prop_with_remarks};
use crate::model::catalog::Framework;
use crate::model::{Control, Role};
use serde_json::{Value, json};

/// NIST's own OSCAL catalog of CSF 2.0, which ctrlmap's CSF 2.0 catalog is quoted from.
const NIST_CSF_XML: &str = "https://github.com/usnistgov/oscal-content/blob/3b3cdee8f9f9f3e9f18dd70d89a58d6287ae433f/src/nist.gov/CSF/v2.0/xml/NIST_CSF_v2.0_catalog.xml";
const NIST_CSF_JSON: &str = "https://github.com/usnistgov/oscal-content/blob/78650f02ad9321bb7b817846f8fbd4f2bcd620de/nist.gov/CSF/v2.0/json/NIST_CSF_v2.0_catalog.json";
/// The UUID NIST gave its CSF 2.0 catalog.
const NIST_CSF_UUID: &str = "720a010b-253c-4a94-bb65-cb58400966f5";
/// The namespace NIST uses for CSF implementation examples.
const NIST_CSF_NS: &str = "https://csrc.nist.gov/ns/csf";

/// A catalog as an OSCAL catalog document.
pub fn catalog(fw: &Framework, as_of: time::Date) -> Vec<u8> {
    let c = &fw.catalog;
    let id = fw.id();
    let builtin = c.origin.file.starts_with("<builtin>");
    let source_uuid = |s: &str| ids::uuid(&format!("catalog/{id}/source/{s}"));
    let mut resources: Vec<Value> = c
        .sources
        .iter()
        .map(|s| {
            json!({
                "uuid": source_uuid(&s.id),
                "title": s.title,
                "props": [
                    prop("source-id", &s.id),
                    s.retrieved.as_deref().and_then(|r| prop("retrieved", r)),
                    prop("official", if s.official { "true" } else { "false" }),
                ],
                "rlinks": s.url.as_ref().map(|u| vec![json!({ "href": u })]),
                "remarks": s.note,
            })
        })
        .collect();
    let mut links = vec![json!({ "href": c.source_url, "rel": "reference", "text": "The official source" })];
    if id == "csf-2.0" {
        let nist = ids::uuid("catalog/csf-2.0/nist-oscal");
        links.push(json!({ "href": format!("#{nist}"), "rel": "canonical", "text": "NIST's published OSCAL catalog of CSF 2.0" }));
        resources.push(json!({
            "uuid": nist,
            "title": "NIST Cybersecurity Framework 2.0: NIST's OSCAL catalog",
            "description": "The OSCAL catalog NIST publishes (usnistgov/oscal-content). ctrlmap's catalog keeps NIST's control ids and quotes NIST's text.",
            "props": [prop("nist-catalog-uuid", NIST_CSF_UUID)],
            "rlinks": [
                { "href": NIST_CSF_XML, "media-type": "application/oscal.catalog+xml" },
                { "href": NIST_CSF_JSON, "media-type": "application/oscal.catalog+json" },
            ],
        }));
    }
    let mut meta = metadata(&c.title, &c.version, super::OSCAL_VERSION, as_of);
    let extra = [
        prop("catalog-id", id),
        prop("citation", &c.citation),
        prop("authority", &c.authority),
        c.short_title.as_deref().and_then(|t| prop("short-title", t)),
    ];
    if let Some(props) = meta["props"].as_array_mut() {
        props.extend(extra.into_iter().flatten());
        for e in &c.effective {
            props.extend(prop_with_remarks("effective", &e.date, Some(&e.what)));
        }
    }
    meta["links"] = json!(links);
    meta["remarks"] = json!(format!(
        "The OSCAL form of ctrlmap's {} catalog `{id}` ({}), published by ctrlmap, not by {}. Control ids that are not OSCAL tokens are written in ctrlmap's token form (e.g. `164.308(a)(1)(ii)(A)` in HIPAA becomes `hipaa-164.308_a_1_ii_A`); each control's `label` property keeps the citation.",
        if builtin { "built-in" } else { "workspace" },
        c.citation,
        c.authority
    ));
    if !c.notes.is_empty() {
        meta["remarks"] = json!(format!(
            "{}\n\n{}",
            meta["remarks"].as_str().unwrap_or_default(),
            c.notes.join("\n\n")
        ));
    }
    let roots: Vec<usize> = (0..fw.controls.len())
        .filter(|&i| fw.parent_index(i).is_none())
        .collect();
    let (group_roots, control_roots): (Vec<usize>, Vec<usize>) = roots.into_iter().partition(|&i| is_group(fw, i));
    let groups: Vec<Value> = group_roots.into_iter().map(|i| group(fw, i, &source_uuid)).collect();
    let controls: Vec<Value> = control_roots
        .into_iter()
        .map(|i| control(fw, i, &source_uuid, 0))
        .collect();
    let doc = json!({
        "catalog": {
            "uuid": "",
            "metadata": meta,
            "groups": groups,
            "controls": controls,
            "back-matter": { "resources": resources },
        }
    });
    finish(doc, "catalog", &format!("catalog/{id}"))
}

/// Is the catalog entry at `i` an OSCAL group (a top-level heading), not a control?
pub fn is_group(fw: &Framework, i: usize) -> bool {
    let c = &fw.controls[i];
    c.parent.is_none() && c.role == Role::Heading && !fw.children(i).is_empty()
}

/// Is the control `framework:id` a group in its OSCAL catalog (so no plan has a requirement
/// for it)?
pub fn is_group_id(ws: &crate::model::Workspace, framework: &str, id: &str) -> bool {
    ws.framework(framework)
        .and_then(|fw| fw.index(id).map(|i| is_group(fw, i)))
        .unwrap_or(false)
}

/// A top-level heading as a group: its id (a token), class (its level), title, citation
/// labels, its text as an `overview` part (NIST's name and id for CSF 2.0's functions), and
/// its children as controls.
fn group(fw: &Framework, i: usize, source_uuid: &dyn Fn(&str) -> String) -> Value {
    let c: &Control = &fw.controls[i];
    let fw_id = fw.id();
    let token = control_token(fw_id, &c.id);
    let label = if fw_id == "csf-2.0" {
        format!("{} ({})", c.title, c.id)
    } else {
        c.id.clone()
    };
    let props = vec![
        oscal_prop("label", &label),
        oscal_prop("label", &fw.cite(&c.id)).map(|mut p| {
            p["class"] = json!("citation");
            p
        }),
        prop("control", &format!("{fw_id}:{}", c.id)),
        c.text_source.as_deref().and_then(|s| prop("text-source", s)),
    ];
    let parts: Vec<Value> = c
        .text
        .iter()
        .map(|text| json!({ "id": format!("{token}_overview"), "name": "overview", "prose": text }))
        .chain(
            c.notes
                .iter()
                .map(|note| json!({ "name": "note", "ns": NS, "prose": note })),
        )
        .collect();
    let controls: Vec<Value> = fw.children(i).iter().map(|&k| control(fw, k, source_uuid, 1)).collect();
    json!({
        "id": token,
        "class": ids::tokenize(&c.level),
        "title": one_line(&c.title).unwrap_or_else(|| c.id.clone()),
        "props": props,
        "parts": parts,
        "controls": controls,
    })
}

fn control(fw: &Framework, i: usize, source_uuid: &dyn Fn(&str) -> String, depth: usize) -> Value {
    let c: &Control = &fw.controls[i];
    let fw_id = fw.id();
    let token = control_token(fw_id, &c.id);
    let mut props = vec![
        oscal_prop("label", &c.id),
        oscal_prop("label", &fw.cite(&c.id)).map(|mut p| {
            p["class"] = json!("citation");
            p
        }),
        prop("control", &format!("{fw_id}:{}", c.id)),
    ];
    match c.role {
        Role::Requirement => {}
        Role::Reference => props.push(prop("role", "reference")),
        Role::Heading => props.push(prop("role", "heading")),
    }
    if let Some(r) = c.requirement {
        props.push(prop(
            "requirement",
            match r {
                crate::model::Requirement::Required => "required",
                crate::model::Requirement::Addressable => "addressable",
            },
        ));
    }
    if let Some(from) = &c.effective_from {
        props.push(prop("effective-from", from));
    }
    if let Some(r) = &c.retained {
        if r.responsible {
            props.push(prop_with_remarks("retained", "responsible", Some(&r.citation)));
        }
        if r.accountable {
            props.push(prop_with_remarks("retained", "accountable", Some(&r.citation)));
        }
    }
    if let Some(o) = &c.own_duty {
        props.push(prop_with_remarks(
            "own-duty",
            match o.decision {
                crate::model::OwnDutyDecision::Row => "row",
                crate::model::OwnDutyDecision::Rollup => "rollup",
            },
            Some(&o.reason),
        ));
    }
    if let Some(s) = &c.text_source {
        props.push(prop("text-source", s));
    }
    let links: Vec<Value> = c
        .text_source
        .iter()
        .filter(|s| fw.catalog.sources.iter().any(|x| &x.id == *s))
        .map(|s| json!({ "href": format!("#{}", source_uuid(s)), "rel": "reference", "text": "Source of the text" }))
        .collect();

    // The statement part always exists (prose only when the catalog has the text), so every
    // control has a statement id to point at.
    let mut parts = vec![json!({
        "id": statement_id(fw_id, &token),
        "name": "statement",
        "prose": c.text,
    })];
    let example_ns = if fw_id == "csf-2.0" { NIST_CSF_NS } else { NS };
    for (k, ex) in c.examples.iter().enumerate() {
        let id = if ids::is_token(&ex.id) {
            ex.id.clone()
        } else {
            format!("{token}_ex{}", k + 1)
        };
        parts.push(json!({ "id": id, "name": "example", "ns": example_ns, "prose": ex.text }));
    }
    for d in &c.deadlines {
        parts.push(json!({
            "name": "deadline",
            "ns": NS,
            "title": d.event,
            "props": [
                prop("deadline-id", &d.id),
                d.within.as_deref().and_then(|v| prop(crate::model::Deadline::WITHIN_KEY, v)),
                d.annually_by.as_deref().and_then(|v| prop("annually-by", v)),
                d.from.as_deref().and_then(|v| prop("from", v)),
                d.notify.as_deref().and_then(|v| prop("notify", v)),
                d.clock.and_then(|k| serde_json::to_value(k).ok()).and_then(|v| v.as_str().and_then(|s| prop("clock", s))),
                d.threshold.as_ref().and_then(|t| prop("threshold", &t.text)),
            ],
            "prose": d.text,
        }));
    }
    if let Some(note) = &c.applies_note {
        parts.push(json!({ "name": "applicability", "ns": NS, "prose": note }));
    }
    if let Some(r) = &c.retained {
        parts.push(json!({ "name": "retained", "ns": NS, "prose": r.note }));
    }
    if let Some(note) = &c.text_note {
        parts.push(json!({ "name": "text-note", "ns": NS, "prose": note }));
    }
    for note in &c.notes {
        parts.push(json!({ "name": "note", "ns": NS, "prose": note }));
    }
    // Catalogs are shallow (a few levels); the depth guard only keeps a malformed tree finite.
    let children: Vec<Value> = if depth < 32 {
        fw.children(i)
            .iter()
            .map(|&k| control(fw, k, source_uuid, depth + 1))
            .collect()
    } else {
        Vec::new()
    };
    json!({
        "id": token,
        "class": ids::tokenize(&c.level),
        "title": one_line(&c.title).unwrap_or_else(|| c.id.clone()),
        "props": props,
        "links": links,
        "parts": parts,
        "controls": children,
    })
}

/// The profile of a scope: from each applicable framework's catalog, the controls that are
/// rows of the scope's matrix (applicable or not, as the matrix lists them).
pub fn profile(input: &ScopeInput) -> Vec<u8> {
    let scope = input.scope;
    let matrix = input.matrix;
    let doc_path = input.layout.scope_doc(scope, "profile.json");
    let imports: Vec<Value> = matrix
        .frameworks
        .iter()
        .map(|f| {
            let ids: Vec<String> = matrix
                .rows
                .iter()
                .filter(|r| *r.framework == *f.id && !is_group_id(input.ws, &r.framework, &r.id))
                .map(|r| control_token(&f.id, &r.id))
                .collect();
            json!({
                "href": input.layout.href(&doc_path, &format!("catalogs/{}.json", super::file_stem(&f.id))),
                "include-controls": [{ "with-ids": ids }],
            })
        })
        .collect();
    let mut meta = metadata(
        &format!("Controls that apply to {} ({})", scope.client.name, scope.id),
        &input.as_of.to_string(),
        super::OSCAL_VERSION,
        input.as_of,
    );
    let mut remarks = String::from("The frameworks that apply to this client, and why:\n");
    for f in &matrix.frameworks {
        remarks.push_str(&format!("\n- {} ({}): {}", f.title, f.id, f.reason));
    }
    meta["remarks"] = json!(remarks);
    if let Some(props) = meta["props"].as_array_mut() {
        props.extend(prop("scope", &scope.id));
    }
    let doc = json!({
        "profile": {
            "uuid": "",
            "metadata": meta,
            "imports": imports,
            "merge": { "as-is": true },
        }
    });
    finish(doc, "profile", &format!("profile/{}", scope.id))
}
