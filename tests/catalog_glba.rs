//! The FTC Safeguards Rule catalog (`frameworks/glba-safeguards.yaml`) and its CSF 2.0 crosswalk
//! checked against the text of 16 CFR Part 314 (as amended through the 2023 amendment) kept in
//! `tests/fixtures/reference/glba/16-cfr-314.yaml`, and against the CSF 2.0 core in
//! `tests/fixtures/reference/csf-2.0/csf-2.0-core.json`.

mod support;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};

fn read(rel: &str) -> String {
    let path = support::repo().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn yaml(rel: &str) -> Value {
    serde_saphyr::from_str::<Value>(&read(rel)).unwrap_or_else(|e| panic!("parse {rel}: {e}"))
}

fn crosswalk() -> Value {
    yaml("frameworks/crosswalks/glba-safeguards-to-csf-2.0.yaml")
}

fn reference_nodes() -> Vec<Value> {
    let doc = yaml("tests/fixtures/reference/glba/16-cfr-314.yaml");
    doc["objects"]["framework"]["requirement_nodes"]
        .as_array()
        .expect("requirement_nodes")
        .clone()
}

/// The reference's text of a paragraph, by its citation (`314.1(b)`).
fn reference_text(id: &str) -> String {
    reference_nodes()
        .iter()
        .find(|n| n["ref_id"].as_str().is_some_and(|r| r.contains('.') && cite(r) == id))
        .and_then(|n| n["description"].as_str())
        .unwrap_or_else(|| panic!("{id} is not in the reference"))
        .to_string()
}

fn csf_subcategories() -> BTreeSet<String> {
    let doc: Value =
        serde_json::from_str(&read("tests/fixtures/reference/csf-2.0/csf-2.0-core.json")).expect("CSF core JSON");
    let mut out = BTreeSet::new();
    for f in doc["functions"].as_array().expect("functions") {
        for c in f["categories"].as_array().expect("categories") {
            for s in c["subcategories"].as_array().expect("subcategories") {
                out.insert(s["id"].as_str().expect("subcategory id").to_string());
            }
        }
    }
    out
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_default()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("list")
        .iter()
        .map(|x| x.as_str().expect("string").to_string())
        .collect()
}

/// `§ 314.4.c.5` → `314.4(c)(5)`; `§ 314.2.e.2.i.A` → `314.2(e)(2)(i)(A)`.
fn cite(ref_id: &str) -> String {
    let bare = ref_id.trim_start_matches('§').trim();
    let parts: Vec<&str> = bare.split('.').collect();
    let mut out = format!("{}.{}", parts[0], parts[1]);
    for p in &parts[2..] {
        out.push_str(&format!("({p})"));
    }
    out
}

/// Section of a control id: `314.4(c)(5)` → `314.4`.
fn section_of(id: &str) -> &str {
    id.split('(').next().expect("section")
}

/// Parent id implied by the numbering: `314.4(c)(5)` → `314.4(c)`; sections have none.
fn numbered_parent(id: &str) -> Option<&str> {
    id.rfind('(').map(|i| &id[..i])
}

/// Whitespace collapsed and curly quotes straightened: the only differences allowed between
/// the catalog's text and the reference's.
fn norm(text: &str) -> String {
    let t: String = text
        .chars()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{201C}' | '\u{201D}' => '"',
            c => c,
        })
        .collect();
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Run-in headings the reference prints inside a node's text; the catalog makes them the title.
const RUN_IN_HEADINGS: &[(&str, &str)] = &[("314.2(e)(2)(i)", "Continuing relationship.")];
/// Nodes whose reference "text" is only the regulation's heading: no text in the catalog.
const HEADING_ONLY: &[&str] = &["314.2(p)(3)(iii)"];

struct Catalog {
    doc: Value,
    index: HashMap<String, usize>,
    children: HashMap<String, Vec<String>>,
}

impl Catalog {
    fn load() -> Self {
        let doc = yaml("frameworks/glba-safeguards.yaml");
        let mut index = HashMap::new();
        let mut children: HashMap<String, Vec<String>> = HashMap::new();
        for (i, c) in doc["controls"].as_array().expect("controls").iter().enumerate() {
            index.insert(s(c, "id").to_string(), i);
            if let Some(p) = c["parent"].as_str() {
                children.entry(p.to_string()).or_default().push(s(c, "id").to_string());
            }
        }
        Catalog { doc, index, children }
    }
    fn controls(&self) -> &Vec<Value> {
        self.doc["controls"].as_array().expect("controls")
    }
    fn get(&self, id: &str) -> &Value {
        let i = self
            .index
            .get(id)
            .unwrap_or_else(|| panic!("catalog has no control {id}"));
        &self.controls()[*i]
    }
    fn kids(&self, id: &str) -> &[String] {
        self.children.get(id).map(|v| v.as_slice()).unwrap_or(&[])
    }
    fn role(&self, id: &str) -> &str {
        self.get(id)["role"].as_str().unwrap_or("requirement")
    }
    fn is_assignable(&self, id: &str) -> bool {
        self.role(id) == "requirement" && self.kids(id).is_empty()
    }
    fn subtree(&self, id: &str) -> Vec<String> {
        let mut out = vec![id.to_string()];
        for kid in self.kids(id) {
            out.extend(self.subtree(kid));
        }
        out
    }
}

/// Every numbered node of the reference in the given sections, as (citation, reference text).
/// An unnumbered paragraph (the introductory sentence of 314.4) is the text of its parent.
fn reference_elements(sections: &[&str]) -> Vec<(String, Option<String>)> {
    let nodes = reference_nodes();
    let urn_to_id: HashMap<&str, String> = nodes
        .iter()
        .filter_map(|n| {
            let ref_id = n["ref_id"].as_str().filter(|r| r.starts_with('§'))?;
            Some((n["urn"].as_str()?, cite(ref_id)))
        })
        .collect();
    let mut lead_ins: HashMap<String, String> = HashMap::new();
    for n in nodes.iter().filter(|n| n["ref_id"].as_str().is_none()) {
        let parent = &urn_to_id[n["parent_urn"].as_str().expect("unnumbered node has a parent")];
        lead_ins.insert(parent.clone(), s(n, "description").to_string());
    }
    nodes
        .iter()
        .filter_map(|n| {
            let ref_id = n["ref_id"].as_str().filter(|r| r.starts_with('§'))?;
            let id = cite(ref_id);
            if !sections.contains(&section_of(&id)) {
                return None;
            }
            let text = n["description"]
                .as_str()
                .filter(|d| !d.trim().is_empty())
                .map(str::to_string)
                .or_else(|| lead_ins.get(&id).cloned());
            Some((id, text))
        })
        .collect()
}

fn assert_in_order_with_text(cat: &Catalog, elements: &[(String, Option<String>)]) {
    let mut last: Option<(usize, &str)> = None;
    for (id, text) in elements {
        let pos = *cat
            .index
            .get(id)
            .unwrap_or_else(|| panic!("reference element {id} is missing from the catalog"));
        if let Some((prev, prev_id)) = last {
            assert!(
                pos > prev,
                "{id} comes before {prev_id} in the catalog but after it in the regulation"
            );
        }
        last = Some((pos, id));
        let c = cat.get(id);
        match text {
            Some(_) if HEADING_ONLY.contains(&id.as_str()) => {
                assert!(c.get("text").is_none(), "{id} is a heading only and carries no text");
                assert!(!s(c, "text_note").is_empty(), "{id} says why it has no text");
            }
            Some(desc) => {
                let expected = match RUN_IN_HEADINGS.iter().find(|(h, _)| h == id) {
                    Some((_, heading)) => {
                        let rest = desc
                            .trim_start()
                            .strip_prefix(heading)
                            .expect("run-in heading in reference");
                        assert!(
                            s(c, "text_note").contains(heading),
                            "{id}: text_note names the moved heading"
                        );
                        rest.to_string()
                    }
                    None => desc.clone(),
                };
                assert_eq!(
                    norm(s(c, "text")),
                    norm(&expected),
                    "text of {id} differs from the reference"
                );
            }
            None => {
                assert!(
                    c.get("text").is_none(),
                    "{id} has no text in the reference but has one in the catalog"
                );
                assert!(
                    !s(c, "text_note").is_empty(),
                    "{id} has no text and must say why in text_note"
                );
            }
        }
    }
}

#[test]
fn every_element_of_314_3_and_314_4_appears_in_official_numbering_in_order_with_the_reference_text() {
    let cat = Catalog::load();
    let elements = reference_elements(&["314.3", "314.4"]);
    assert_in_order_with_text(&cat, &elements);
    let compared = elements.iter().filter(|(_, t)| t.is_some()).count();
    assert_eq!(elements.len(), 65, "numbered elements of 314.3–314.4 in the reference");
    assert_eq!(
        compared, 62,
        "texts of 314.3–314.4 compared (all but 314.3, 314.4(c)(6) and 314.4(d))"
    );
    // The multi-factor authentication element, as the rule cites it.
    let mfa = cat.get("314.4(c)(5)");
    assert_eq!(s(mfa, "title"), "Multi-factor authentication");
    assert!(s(mfa, "text").starts_with("Implement multi-factor authentication for any individual"));
    // Every catalog node of 314.3–314.4 comes from the reference (nothing invented).
    let known: BTreeSet<&str> = elements.iter().map(|(id, _)| id.as_str()).collect();
    for c in cat.controls() {
        let id = s(c, "id");
        if (section_of(id) == "314.3" || section_of(id) == "314.4") && id.contains('(') {
            assert!(known.contains(id), "{id} is in the catalog but not in the regulation");
        }
    }
}

#[test]
fn sections_314_1_314_2_314_5_and_314_6_are_carried_whole_as_reference() {
    let cat = Catalog::load();
    let elements = reference_elements(&["314.1", "314.2", "314.5", "314.6"]);
    assert!(elements.len() > 100, "314.2 carries all its definitions and examples");
    assert_in_order_with_text(&cat, &elements);
    for c in cat.controls() {
        let id = s(c, "id");
        if ["314.1", "314.2", "314.5", "314.6"].contains(&section_of(id)) {
            assert_eq!(cat.role(id), "reference", "{id} is shown, not assessed");
        }
    }
}

#[test]
fn unnumbered_lead_in_of_314_4_is_the_text_of_the_section_node() {
    let cat = Catalog::load();
    let lead_ins: Vec<String> = reference_nodes()
        .iter()
        .filter(|n| n["ref_id"].as_str().is_none())
        .map(|n| s(n, "description").to_string())
        .collect();
    assert_eq!(lead_ins.len(), 1, "the reference has one unnumbered paragraph");
    assert_eq!(norm(s(cat.get("314.4"), "text")), norm(&lead_ins[0]));
    assert_eq!(cat.role("314.4"), "heading");
}

#[test]
fn sections_come_in_regulation_order_with_official_titles() {
    let cat = Catalog::load();
    let roots: Vec<(&str, &str)> = cat
        .controls()
        .iter()
        .filter(|c| c.get("parent").is_none())
        .map(|c| (s(c, "id"), s(c, "title")))
        .collect();
    assert_eq!(
        roots,
        [
            ("314.1", "Purpose and scope"),
            ("314.2", "Definitions"),
            ("314.3", "Standards for safeguarding customer information"),
            ("314.4", "Elements"),
            ("314.5", "Effective date"),
            ("314.6", "Exceptions"),
        ]
    );
    // Titles the reference takes from the regulation's own headings are kept verbatim.
    for n in reference_nodes() {
        let (Some(ref_id), Some(name)) = (n["ref_id"].as_str(), n["name"].as_str()) else {
            continue;
        };
        if ref_id.starts_with('§') {
            assert_eq!(s(cat.get(&cite(ref_id)), "title"), name, "title of {ref_id}");
        }
    }
    let notes = cat.doc["notes"].as_array().expect("catalog notes");
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().unwrap_or_default().contains("descriptive title")
                && n.as_str().unwrap_or_default().contains("not an official heading")),
        "the catalog says that titles of untitled paragraphs are descriptive, not official"
    );
}

#[test]
fn ids_are_unique_and_every_parent_exists_precedes_its_children_and_matches_the_numbering() {
    let cat = Catalog::load();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, c) in cat.controls().iter().enumerate() {
        let id = s(c, "id");
        assert!(seen.insert(id, i).is_none(), "duplicate id {id}");
        match c["parent"].as_str() {
            Some(p) => {
                let pi = *seen
                    .get(p)
                    .unwrap_or_else(|| panic!("{id}: parent {p} missing or after its child"));
                assert!(pi < i);
                assert_eq!(
                    Some(p),
                    numbered_parent(id),
                    "{id}: parent does not match the numbering"
                );
            }
            None => assert_eq!(numbered_parent(id), None, "{id} is not a section but has no parent"),
        }
        let depth = id.matches('(').count();
        let want = ["section", "paragraph", "subparagraph", "clause", "subclause"][depth];
        assert_eq!(s(c, "level"), want, "level of {id}");
    }
}

fn exemption(cat: &Catalog) -> &Value {
    let list = cat.doc["exemptions"].as_array().expect("exemptions");
    assert_eq!(list.len(), 1, "16 CFR 314 has one exemption (314.6)");
    &list[0]
}

#[test]
fn exception_of_314_6_lifts_exactly_b1_d2_h_and_i_below_5000_consumers() {
    let cat = Catalog::load();
    let ex = exemption(&cat);
    assert_eq!(s(ex, "id"), "fewer-than-5000-consumers");
    assert_eq!(s(ex, "citation"), "314.6");
    assert_eq!(ex["when"], json!({"fact": "consumers", "lt": 5000}));
    assert_eq!(
        strings(&ex["exempts"]),
        ["314.4(b)(1)", "314.4(d)(2)", "314.4(h)", "314.4(i)"]
    );
    assert!(ex.get("still_applies").is_none());
    for id in strings(&ex["exempts"]) {
        cat.get(&id);
    }
    // The reference's text of 314.6 says exactly this, and the note quotes it.
    let text = reference_nodes()
        .iter()
        .find(|n| n["ref_id"] == "§ 314.6")
        .map(|n| s(n, "description").to_string())
        .expect("§ 314.6");
    assert!(text.starts_with("Section 314.4(b)(1), (d)(2), (h), and (i) do not apply to financial institutions"));
    assert!(text.contains("fewer than five thousand consumers"));
    assert!(norm(s(ex, "note")).contains(&norm(&text)), "the note quotes 314.6");
    // The FTC notice of 314.4(j) is not lifted.
    assert!(!strings(&ex["exempts"]).iter().any(|e| e.starts_with("314.4(j)")));
}

#[test]
fn notice_to_the_ftc_is_due_within_30_days_of_discovery_with_no_profile_condition() {
    let cat = Catalog::load();
    let mut all = Vec::new();
    for c in cat.controls() {
        for d in c["deadlines"].as_array().into_iter().flatten() {
            all.push((s(c, "id").to_string(), d.clone()));
        }
    }
    assert_eq!(all.len(), 1, "the rule sets one deadline");
    let (id, d) = &all[0];
    assert!(cat.subtree("314.4(j)").contains(id), "the deadline sits in 314.4(j)");
    assert_eq!(id, "314.4(j)(1)");
    assert_eq!(s(d, "id"), "ftc-notification-event");
    assert_eq!(s(d, "event"), "notification-event");
    assert_eq!(s(d, "within"), "30d");
    assert_eq!(s(d, "from"), "discovery of a notification event");
    assert_eq!(s(d, "notify"), "Federal Trade Commission");
    // The 500-consumer threshold describes the event, not the client: no condition over the
    // profile, but a threshold the client's consumer count is measured against.
    assert!(
        d.get("when").is_none(),
        "no profile condition on the notification deadline"
    );
    assert_eq!(
        d["threshold"],
        json!({"fact": "consumers", "gte": 500, "text": "at least 500 consumers"})
    );
    // Discovery is the institution's (with its agents' knowledge, 314.4(j)(2)): the MSP's
    // notice window counts against the 30 days.
    assert_eq!(s(d, "clock"), "entity-discovery");
    let text = s(d, "text");
    assert!(text.contains("if the notification event involves the information of at least 500 consumers"));
    assert!(text.contains("no later than 30 days after discovery of the event"));
    assert!(
        norm(s(cat.get(id), "text")).contains(&norm(text)),
        "the deadline quotes 314.4(j)(1)"
    );
    let notes = cat.get(id)["notes"].as_array().expect("notes on 314.4(j)(1)");
    assert!(
        notes.iter().any(|n| n.as_str().unwrap_or_default().contains("500")),
        "a note explains the 500 threshold"
    );
}

#[test]
fn qualified_individual_and_board_report_stay_with_the_institution() {
    let cat = Catalog::load();
    let qi = &cat.get("314.4(a)")["retained"];
    assert_eq!(qi["accountable"], json!(true));
    let note = norm(s(qi, "note"));
    for words in [
        "The Qualified Individual may be employed by you, an affiliate, or a service provider.",
        "Retain responsibility for compliance with this part",
        "Designate a senior member of your personnel responsible for direction and oversight of the Qualified Individual",
    ] {
        assert!(
            note.contains(&norm(words)),
            "314.4(a) accountability note quotes {words:?}"
        );
        assert!(
            norm(s(cat.get("314.4(a)"), "text")).contains(&norm(words))
                || norm(s(cat.get("314.4(a)(1)"), "text")).contains(&norm(words))
                || norm(s(cat.get("314.4(a)(2)"), "text")).contains(&norm(words)),
            "{words:?} is the rule's text"
        );
    }
    let board = &cat.get("314.4(i)")["retained"];
    assert_eq!(board["accountable"], json!(true));
    assert!(s(board, "note").contains("314.4(i)"));
    assert!(norm(s(board, "note")).contains(&norm("board of directors or equivalent governing body")));
    // Accountability stays with the institution for exactly these (314.4(f): "Oversee service
    // providers"; 314.4(j)(1): "you must notify the Federal Trade Commission"); only it can
    // perform the duties that the rule gives its own people or that it imposes on its provider.
    // Overseeing providers is not among them: selecting, contracting and periodically assessing
    // (314.4(f)(1)-(3)) are tasks an independent firm may perform for the institution.
    let kept = |key: &str| -> Vec<&str> {
        cat.controls()
            .iter()
            .filter(|c| c["retained"][key] == json!(true))
            .map(|c| s(c, "id"))
            .collect()
    };
    assert_eq!(
        kept("accountable"),
        ["314.4(a)", "314.4(a)(1)", "314.4(f)", "314.4(i)", "314.4(j)(1)"]
    );
    assert_eq!(kept("responsible"), ["314.4(a)(1)", "314.4(a)(2)", "314.4(a)(3)"]);
    for (id, words) in [
        ("314.4(a)(1)", "Retain responsibility for compliance with this part"),
        (
            "314.4(a)(2)",
            "Designate a senior member of your personnel responsible for direction and oversight of the Qualified Individual",
        ),
        (
            "314.4(a)(3)",
            "Require the service provider or affiliate to maintain an information security program that protects you",
        ),
        ("314.4(f)", "Oversee service providers, by"),
        ("314.4(j)(1)", "you must notify the Federal Trade Commission"),
    ] {
        assert!(norm(s(&cat.get(id)["retained"], "note")).contains(&norm(words)), "{id}");
        assert!(
            norm(s(cat.get(id), "text")).contains(&norm(words)),
            "{id}: {words:?} is the rule's text"
        );
    }
}

#[test]
fn every_parent_with_its_own_text_decides_whether_it_is_a_row_or_a_roll_up() {
    let cat = Catalog::load();
    let mut rows = Vec::new();
    for c in cat.controls() {
        let id = s(c, "id");
        let role = c["role"].as_str().unwrap_or("requirement");
        if role == "requirement" && c.get("text").is_some() && !cat.kids(id).is_empty() {
            let decision = s(&c["own_duty"], "decision");
            assert!(
                decision == "row" || decision == "rollup",
                "{id} has its own text and parts but no own_duty decision"
            );
            assert!(s(&c["own_duty"], "reason").len() > 20, "{id}: own_duty needs a reason");
            if decision == "row" {
                rows.push(id);
            }
        } else {
            assert!(c.get("own_duty").is_none(), "{id}: own_duty only on parents with text");
        }
    }
    assert_eq!(
        rows,
        [
            "314.4(a)",
            "314.4(b)",
            "314.4(c)",
            "314.4(c)(1)",
            "314.4(d)(2)",
            "314.4(h)",
            "314.4(i)",
            "314.4(j)(1)"
        ]
    );
}

#[test]
fn institution_types_cover_the_kinds_the_rule_names_and_the_scope_schema_offers_the_same() {
    let cat = yaml("frameworks/glba-safeguards.yaml");
    let types = cat["institution_types"].as_array().expect("institution_types");
    let scope_schema: Value = serde_json::from_str(&read("schemas/scope.schema.json")).expect("schema");
    let offered: BTreeSet<String> = strings(
        &scope_schema["properties"]["client"]["properties"]["profile"]["properties"]["institution_type"]["enum"],
    )
    .into_iter()
    .collect();
    let listed: BTreeSet<String> = types.iter().map(|t| s(t, "id").to_string()).collect();
    assert_eq!(listed, offered, "the catalog and the scope schema list the same kinds");
    // Every kind 314.1(b) names is covered, citing 314.1(b); its words are in the rule.
    let scope_text = norm(&reference_text("314.1(b)"));
    for t in types
        .iter()
        .filter(|t| s(t, "citation") == "16 CFR 314.1(b)" && !s(t, "id").starts_with("other-"))
    {
        assert_eq!(t["covered"], json!(true), "{}", s(t, "id"));
        let named = norm(s(t, "note").split(" (also").next().unwrap_or_default());
        assert!(
            scope_text.contains(&named),
            "{}: {named:?} is named in 314.1(b)",
            s(t, "id")
        );
    }
    // The examples of 314.2(h)(2) are covered and cite their clause.
    for t in types
        .iter()
        .filter(|t| s(t, "citation").starts_with("16 CFR 314.2(h)(2)"))
    {
        assert_eq!(t["covered"], json!(true), "{}", s(t, "id"));
    }
    // Banks, federally insured credit unions, SEC registrants and insurance answer to another regulator.
    for id in [
        "national-bank",
        "state-bank",
        "federally-insured-credit-union",
        "broker-dealer",
        "insurer",
        "insurance-producer",
    ] {
        let t = types.iter().find(|t| s(t, "id") == id).expect(id);
        assert_eq!(t["covered"], json!(false), "{id}");
        assert!(s(t, "citation").starts_with("15 U.S.C. 6805(a)"), "{id}");
    }
}

#[test]
fn effective_from_marks_the_provisions_314_5_delayed() {
    let cat = Catalog::load();
    let mut want: BTreeMap<String, &str> = BTreeMap::new();
    let delayed_2023 = [
        "314.4(a)",
        "314.4(b)(1)",
        "314.4(c)(1)",
        "314.4(c)(2)",
        "314.4(c)(3)",
        "314.4(c)(4)",
        "314.4(c)(5)",
        "314.4(c)(6)",
        "314.4(c)(7)",
        "314.4(c)(8)",
        "314.4(d)(2)",
        "314.4(e)",
        "314.4(f)(3)",
        "314.4(h)",
        "314.4(i)",
    ];
    for root in delayed_2023 {
        for id in cat.subtree(root) {
            want.insert(id, "2023-06-09");
        }
    }
    for id in cat.subtree("314.4(j)") {
        want.insert(id, "2024-05-13");
    }
    let got: BTreeMap<String, &str> = cat
        .controls()
        .iter()
        .filter_map(|c| Some((s(c, "id").to_string(), c["effective_from"].as_str()?)))
        .collect();
    assert_eq!(got, want);
    // The current 314.5 names 314.4(j) and May 13, 2024.
    assert_eq!(
        s(cat.get("314.5"), "text"),
        "Section 314.4(j) is effective as of May 13, 2024."
    );
    let dates: Vec<&str> = cat.doc["effective"]
        .as_array()
        .expect("effective")
        .iter()
        .map(|e| s(e, "date"))
        .collect();
    assert_eq!(dates, ["2022-01-10", "2023-06-09", "2024-05-13"]);
}

#[test]
fn crosswalk_rows_join_existing_controls_to_csf_2_0_subcategories_with_relationship_source_and_rationale() {
    let cat = Catalog::load();
    let csf = csf_subcategories();
    assert_eq!(csf.len(), 106);
    let xw = crosswalk();
    assert_eq!(s(&xw, "from"), "glba-safeguards");
    assert_eq!(s(&xw, "to"), "csf-2.0");
    assert_eq!(s(&xw, "id"), "glba-safeguards-to-csf-2.0");
    let sources: BTreeSet<&str> = xw["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .map(|x| s(x, "id"))
        .collect();
    assert_eq!(sources, BTreeSet::from(["analysis"]));
    let note = s(&xw["sources"][0], "note");
    assert!(
        note.contains("No official") && note.contains("mapping"),
        "the source says no official mapping exists"
    );
    let mut pairs = BTreeSet::new();
    let mut per_control: BTreeMap<&str, usize> = BTreeMap::new();
    for row in xw["mappings"].as_array().expect("mappings") {
        let (from, to) = (s(row, "from"), s(row, "to"));
        assert!(
            cat.index.contains_key(from),
            "crosswalk row from unknown control {from}"
        );
        assert_eq!(cat.role(from), "requirement", "{from} is not assessable but is mapped");
        assert!(csf.contains(to), "{from} maps to {to}, not a CSF 2.0 subcategory");
        assert!(
            ["subset-of", "intersects-with", "equal", "superset-of"].contains(&s(row, "relationship")),
            "{from} → {to}: relationship"
        );
        assert_eq!(
            s(row, "source"),
            "analysis",
            "{from} → {to}: no official mapping exists"
        );
        let why = s(row, "rationale");
        assert!(
            !why.trim().is_empty() && !why.contains('\n'),
            "{from} → {to}: one-line rationale"
        );
        assert!(pairs.insert((from, to)), "duplicate row {from} → {to}");
        *per_control.entry(from).or_default() += 1;
    }
    for (from, n) in per_control {
        assert!((1..=5).contains(&n), "{from} maps to {n} subcategories (1–5 expected)");
    }
}

#[test]
fn every_assignable_leaf_of_314_3_and_314_4_is_mapped_or_listed_unmapped_with_a_reason() {
    let cat = Catalog::load();
    let xw = crosswalk();
    let mapped: BTreeSet<&str> = xw["mappings"]
        .as_array()
        .expect("mappings")
        .iter()
        .map(|r| s(r, "from"))
        .collect();
    let mut unmapped = BTreeSet::new();
    for u in xw["unmapped"].as_array().into_iter().flatten() {
        let id = s(u, "control");
        cat.get(id);
        assert!(!s(u, "reason").trim().is_empty(), "{id}: unmapped without a reason");
        assert!(!mapped.contains(id), "{id} is both mapped and unmapped");
        assert!(unmapped.insert(id), "{id} listed twice as unmapped");
    }
    let mut leaves = 0;
    for c in cat.controls() {
        let id = s(c, "id");
        if !["314.3", "314.4"].contains(&section_of(id)) || !cat.is_assignable(id) {
            continue;
        }
        leaves += 1;
        assert!(
            mapped.contains(id) || unmapped.contains(id),
            "assignable leaf {id} is neither mapped nor listed unmapped"
        );
    }
    // 48 until 314.4(j)(2), which only says when an event counts as discovered, became reference.
    assert_eq!(leaves, 47, "assignable leaves of 314.3–314.4");
    // The headline duties are mapped, MFA to authentication.
    let rows = xw["mappings"].as_array().expect("mappings");
    assert!(rows.iter().any(|r| r["from"] == "314.4(c)(5)" && r["to"] == "PR.AA-03"));
    assert!(rows.iter().any(|r| r["from"] == "314.4(j)(1)" && r["to"] == "RS.CO-02"));
}
