//! Crosswalk projection on a minimal workspace built here: a hub catalog (`h`, the CSF 2.0
//! role: `applies_to.baseline`) and a regulation (`t`) mapped onto it with each NIST IR 8477
//! relationship. Expected owners come from the relationships as docs/semantics.md states them
//! ("Precedence", step 6, and the crosswalk policy table): `equal` (the duty and the outcome
//! say the same thing) and `subset-of` (every part of the duty lies within the outcome) give
//! the outcome's owner; `superset-of` (the outcome lies within the duty) and `intersects-with`
//! (each reaches beyond the other) never do, and list the outcome as a candidate.
use crate::model::catalog::Framework;
use crate::model::{Catalog, Crosswalk, Relationship, Scope, Workspace};
use crate::resolve::{Matrix, SourceKind, Summary, resolve};
use std::sync::Arc;

fn catalog(json: serde_json::Value) -> Arc<Framework> {
    let catalog: Catalog = serde_json::from_value(json).expect("catalog");
    Arc::new(Framework::new(catalog))
}

fn workspace() -> Workspace {
    let hub = catalog(serde_json::json!({
        "id": "h", "title": "Hub", "citation": "Hub", "authority": "Test", "version": "1",
        "source_url": "https://example.invalid",
        "applies_to": {"order": 1, "baseline": "the baseline for every client"},
        "controls": [
            {"id": "A", "title": "Outcome the MSP owns", "level": "subcategory"},
            {"id": "B", "title": "Outcome nobody owns", "level": "subcategory"}
        ]
    }));
    let regulation = catalog(serde_json::json!({
        "id": "t", "title": "Regulation", "citation": "Test", "authority": "Test", "version": "1",
        "source_url": "https://example.invalid",
        "controls": [
            {"id": "eq", "title": "Says what A says", "level": "section"},
            {"id": "sub", "title": "Lies wholly within A", "level": "section"},
            {"id": "sup", "title": "Reaches beyond A, which lies within it", "level": "section"},
            {"id": "int", "title": "Overlaps A", "level": "section"},
            {"id": "lone", "title": "Mapped to nothing", "level": "section"},
            {"id": "onb", "title": "Within B, which nobody owns", "level": "section"},
            {"id": "p", "title": "Parent mapped as a whole", "level": "section"},
            {"id": "p1", "title": "Part of the parent", "level": "paragraph", "parent": "p"}
        ]
    }));
    let row = |from: &str, to: &str, relationship: &str| {
        serde_json::json!({"from": from, "to": to, "relationship": relationship,
                           "source": "test", "rationale": "test"})
    };
    let crosswalk: Crosswalk = serde_json::from_value(serde_json::json!({
        "id": "t-to-h", "from": "t", "to": "h",
        "mappings": [
            row("eq", "A", "equal"),
            row("sub", "A", "subset-of"),
            row("sup", "A", "superset-of"),
            row("int", "A", "intersects-with"),
            row("onb", "B", "subset-of"),
            row("p", "A", "subset-of")
        ]
    }))
    .expect("crosswalk");
    let mut ws = Workspace::default();
    ws.frameworks.insert("h".into(), hub);
    ws.frameworks.insert("t".into(), regulation);
    ws.crosswalks.push(crosswalk);
    ws
}

/// The MSP owns outcome `h:A`; nothing else is decided.
fn matrix() -> Matrix {
    let scope: Scope = serde_json::from_value(serde_json::json!({
        "id": "s", "client": {"name": "Client"}, "frameworks": ["h", "t"],
        "assignments": [{"control": "h:A", "responsible": "msp"}]
    }))
    .expect("scope");
    resolve(&workspace(), &scope)
}

#[test]
fn equal_and_subset_of_rows_give_the_outcomes_owner_through_the_crosswalk() {
    let m = matrix();
    for id in ["t:eq", "t:sub"] {
        let row = m.row(id).expect("row");
        assert_eq!(row.summary, Summary::Msp, "{id}");
        assert_eq!(
            row.provenance[0].kind,
            SourceKind::Crosswalk,
            "{id}: decided by the crosswalk"
        );
        assert!(row.candidates.is_empty(), "{id}: an owner, not candidates");
    }
}

#[test]
fn superset_of_and_intersects_with_rows_leave_the_control_unassigned_with_the_outcome_as_candidate() {
    let m = matrix();
    for (id, relationship) in [
        ("t:sup", Relationship::SupersetOf),
        ("t:int", Relationship::IntersectsWith),
    ] {
        let row = m.row(id).expect("row");
        assert_eq!(row.summary, Summary::Unassigned, "{id}");
        assert_eq!(row.candidates.len(), 1, "{id}");
        let candidate = &row.candidates[0];
        assert_eq!(
            (&*candidate.control, candidate.relationship, candidate.summary),
            ("h:A", relationship, Summary::Msp),
            "{id}"
        );
    }
}

#[test]
fn an_unmapped_control_or_an_outcome_nobody_owns_projects_nothing() {
    let m = matrix();
    for id in ["t:lone", "t:onb"] {
        let row = m.row(id).expect("row");
        assert_eq!(row.summary, Summary::Unassigned, "{id}");
        assert!(row.candidates.is_empty(), "{id}");
    }
}

#[test]
fn a_row_on_the_parent_reaches_its_parts() {
    // "Project CSF 2.0 outcomes onto a regulation control through the crosswalk (its own rows
    // and those of the controls that contain it)."
    let row = matrix().row("t:p1").expect("row").clone();
    assert_eq!(row.summary, Summary::Msp);
    assert_eq!(row.provenance[0].kind, SourceKind::Crosswalk);
}
