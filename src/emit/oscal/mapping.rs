//! Crosswalks as OSCAL 1.2.1 mapping collections: one mapping from the regulation's catalog
//! to CSF 2.0's, one map entry per crosswalk row with its NIST IR 8477 relationship
//! (`equal` is OSCAL's `equal-to`; `subset-of`, `superset-of` and `intersects-with` keep their
//! names), the row's rationale as remarks and its source as a property. Controls the crosswalk
//! leaves unmapped are the mapping's source gap summary, each reason a property.

use super::ids::{self, control_token};
use super::{file_stem, finish, metadata, prop, prop_with_remarks};
use crate::model::Workspace;
use crate::model::{Crosswalk, Relationship};
use serde_json::{Value, json};

/// OSCAL's name of an IR 8477 relationship.
pub fn relationship(r: Relationship) -> &'static str {
    match r {
        Relationship::Equal => "equal-to",
        Relationship::SubsetOf => "subset-of",
        Relationship::SupersetOf => "superset-of",
        Relationship::IntersectsWith => "intersects-with",
    }
}

pub fn mapping_collection(
    ws: &Workspace,
    cw: &Crosswalk,
    as_of: time::Date,
    layout: &super::Layout,
    path: &str,
) -> Vec<u8> {
    let base = format!("mapping/{}", cw.id);
    let title = |fw: &str| ws.framework(fw).map_or(fw.to_string(), |f| f.short_title().to_string());
    let mut seen = std::collections::BTreeMap::<String, usize>::new();
    let maps: Vec<Value> = cw
        .mappings
        .iter()
        .flatten()
        .map(|m| {
            let key = format!("{}/{}", m.from, m.to);
            let n = seen.entry(key.clone()).or_default();
            *n += 1;
            json!({
                "uuid": ids::uuid(&format!("{base}/map/{key}#{n}")),
                "relationship": relationship(m.relationship),
                "matching-rationale": "semantic",
                "sources": [{ "type": "control", "id-ref": control_token(&cw.from, &m.from), "props": [prop("control", &format!("{}:{}", cw.from, m.from))] }],
                "targets": [{ "type": "control", "id-ref": control_token(&cw.to, &m.to), "props": [prop("control", &format!("{}:{}", cw.to, m.to))] }],
                "props": [prop("source", &m.source)],
                "remarks": m.rationale,
            })
        })
        .collect();
    let unmapped: Vec<&crate::model::Unmapped> = cw.unmapped.iter().flatten().collect();
    let gap = (!unmapped.is_empty()).then(|| {
        json!({
            "uuid": ids::uuid(&format!("{base}/gaps")),
            "unmapped-controls": [{
                "with-ids": unmapped.iter().map(|u| control_token(&cw.from, &u.control)).collect::<Vec<_>>(),
            }],
        })
    });
    let sources: Vec<String> = cw
        .sources
        .iter()
        .map(|s| format!("- `{}`: {}", s.id, s.title))
        .collect();
    let description = format!(
        "How each control of {} relates to the outcomes of {}, as ctrlmap's crosswalk `{}` records it. Relationships follow NIST IR 8477 set theory: `subset-of` and `equal-to` mean the regulation's duty lies wholly inside the outcome (ctrlmap lets an owner of the outcome own the control only through these); `intersects-with` and `superset-of` never make anyone the owner. Each row's source:\n\n{}",
        title(&cw.from),
        title(&cw.to),
        cw.id,
        sources.join("\n")
    );
    let resources: Vec<Value> = cw
        .sources
        .iter()
        .map(|s| {
            json!({
                "uuid": ids::uuid(&format!("{base}/source/{}", s.id)),
                "title": s.title,
                "props": [prop("source-id", &s.id)],
                "rlinks": s.url.as_ref().map(|u| vec![json!({ "href": u })]),
                "remarks": s.note,
            })
        })
        .collect();
    let mut meta = metadata(
        &format!("{} to {}: ctrlmap crosswalk {}", title(&cw.from), title(&cw.to), cw.id),
        &as_of.to_string(),
        super::MAPPING_OSCAL_VERSION,
        as_of,
    );
    if let Some(props) = meta["props"].as_array_mut() {
        props.extend(prop("crosswalk-id", &cw.id));
    }
    let mapping = json!({
        "uuid": ids::uuid(&format!("{base}/mapping")),
        "source-resource": { "type": "catalog", "href": layout.href(path, &format!("catalogs/{}.json", file_stem(&cw.from))) },
        "target-resource": { "type": "catalog", "href": layout.href(path, &format!("catalogs/{}.json", file_stem(&cw.to))) },
        "maps": maps,
        "props": unmapped.iter().map(|u| prop_with_remarks("unmapped", &format!("{}:{}", cw.from, u.control), Some(&u.reason))).collect::<Vec<_>>(),
        "source-gap-summary": gap,
    });
    let doc = json!({
        "mapping-collection": {
            "uuid": "",
            "metadata": meta,
            "provenance": {
                "method": "human",
                "matching-rationale": "semantic",
                "status": "complete",
                "mapping-description": description,
            },
            "mappings": [mapping],
            "back-matter": { "resources": resources },
        }
    });
    finish(doc, "mapping-collection", &base)
}
