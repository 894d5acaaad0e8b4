//! The NY DFS catalog (`frameworks/nydfs-500.yaml`) and its CSF 2.0 crosswalk checked against
//! the reference text of 23 NYCRR Part 500 (Second Amendment) kept in
//! `tests/fixtures/reference/nydfs/23-nycrr-500.yaml`, and against the CSF 2.0 core in
//! `tests/fixtures/reference/csf-2.0/csf-2.0-core.json`.

mod support;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

fn read(rel: &str) -> String {
    let path = support::repo().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn yaml(rel: &str) -> Value {
    serde_saphyr::from_str::<Value>(&read(rel)).unwrap_or_else(|e| panic!("parse {rel}: {e}"))
}

fn catalog() -> Value {
    yaml("frameworks/nydfs-500.yaml")
}

fn crosswalk() -> Value {
    yaml("frameworks/crosswalks/nydfs-500-to-csf-2.0.yaml")
}

fn reference_nodes() -> Vec<Value> {
    let doc = yaml("tests/fixtures/reference/nydfs/23-nycrr-500.yaml");
    doc["objects"]["framework"]["requirement_nodes"]
        .as_array()
        .expect("requirement_nodes")
        .clone()
}

/// The reference's text of a paragraph, by its citation (`500.12(a)`).
fn reference_text(id: &str) -> String {
    reference_nodes()
        .iter()
        .find(|n| n["ref_id"].as_str().is_some_and(|r| !r.is_empty() && cite(r) == id))
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

fn controls(cat: &Value) -> &Vec<Value> {
    cat["controls"].as_array().expect("controls array")
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_default()
}

/// `500.12.a.1` → `500.12(a)(1)`.
fn cite(ref_id: &str) -> String {
    let parts: Vec<&str> = ref_id.split('.').collect();
    let mut out = format!("{}.{}", parts[0], parts[1]);
    for p in &parts[2..] {
        out.push_str(&format!("({p})"));
    }
    out
}

/// Section number of a control id: `500.14(a)(2)` → 14.
fn section_of(id: &str) -> u32 {
    id.split('.')
        .nth(1)
        .and_then(|rest| rest.split('(').next())
        .and_then(|n| n.parse().ok())
        .expect("section number")
}

/// Parent id implied by the numbering: `500.14(a)(2)` → `500.14(a)`; sections have none.
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

/// Source defects the catalog repairs (and flags in `text_note`): id, as in source, as in catalog.
const CORRECTIONS: &[(&str, &str, &str)] = &[
    ("500.10(a)(1)", "third- party", "third-party"),
    ("500.0", "servicesindustry", "services industry"),
];

fn corrected(id: &str, text: &str) -> String {
    let mut t = text.to_string();
    for (cid, from, to) in CORRECTIONS {
        if *cid == id {
            t = t.replace(from, to);
        }
    }
    t
}

struct Catalog {
    doc: Value,
    index: HashMap<String, usize>,
    children: HashMap<String, Vec<String>>,
}

impl Catalog {
    fn load() -> Self {
        let doc = catalog();
        let mut index = HashMap::new();
        let mut children: HashMap<String, Vec<String>> = HashMap::new();
        for (i, c) in controls(&doc).iter().enumerate() {
            index.insert(s(c, "id").to_string(), i);
            if let Some(p) = c["parent"].as_str() {
                children.entry(p.to_string()).or_default().push(s(c, "id").to_string());
            }
        }
        Catalog { doc, index, children }
    }
    fn get(&self, id: &str) -> &Value {
        let i = self
            .index
            .get(id)
            .unwrap_or_else(|| panic!("catalog has no control {id}"));
        &controls(&self.doc)[*i]
    }
    fn kids(&self, id: &str) -> &[String] {
        self.children.get(id).map(|v| v.as_slice()).unwrap_or(&[])
    }
    fn role<'a>(&'a self, id: &str) -> &'a str {
        self.get(id)["role"].as_str().unwrap_or("requirement")
    }
    fn is_assignable(&self, id: &str) -> bool {
        self.role(id) == "requirement" && self.kids(id).is_empty()
    }
    /// The paragraph as the regulation prints it: the node's lead-in, then each child as
    /// `(label) text` with its own children, then the closing words (lines after the first).
    fn reassembled(&self, id: &str) -> String {
        let text = s(self.get(id), "text");
        let mut lines = text.lines();
        let mut out = lines.next().unwrap_or_default().to_string();
        for kid in self.kids(id) {
            out.push_str(&format!(" {} {}", &kid[id.len()..], self.reassembled(kid)));
        }
        for closing in lines {
            out.push(' ');
            out.push_str(closing);
        }
        out
    }
}

#[test]
fn every_numbered_element_of_the_reference_appears_in_official_numbering_in_order_with_its_text() {
    let cat = Catalog::load();
    let mut last: Option<(usize, String)> = None;
    let mut checked_2_to_19 = 0;
    for node in reference_nodes() {
        let Some(ref_id) = node["ref_id"].as_str() else {
            continue;
        };
        let id = cite(ref_id);
        let pos = *cat
            .index
            .get(&id)
            .unwrap_or_else(|| panic!("reference element {ref_id} ({id}) is missing from the catalog"));
        if let Some((prev, prev_id)) = &last {
            assert!(
                pos > *prev,
                "{id} comes before {prev_id} in the catalog but after it in the regulation"
            );
        }
        last = Some((pos, id.clone()));
        let Some(desc) = node["description"].as_str().filter(|d| !d.trim().is_empty()) else {
            continue;
        };
        let expected = norm(&corrected(&id, desc));
        let actual = if desc.contains("\n(1) ") {
            norm(&cat.reassembled(&id))
        } else {
            norm(s(cat.get(&id), "text"))
        };
        assert_eq!(actual, expected, "text of {id} differs from the reference");
        if (2..=19).contains(&section_of(&id)) {
            checked_2_to_19 += 1;
        }
    }
    assert!(
        checked_2_to_19 > 150,
        "only {checked_2_to_19} texts of 500.2–500.19 were compared"
    );
}

#[test]
fn repaired_source_defects_are_flagged_in_the_text_note() {
    let cat = Catalog::load();
    for (id, from, to) in CORRECTIONS {
        let c = cat.get(id);
        assert!(
            s(c, "text").contains(to) && !s(c, "text").contains(from),
            "{id} should read {to:?}"
        );
        assert!(
            s(c, "text_note").contains(from),
            "{id}: text_note should say that {from:?} was repaired"
        );
    }
}

#[test]
fn unnumbered_lead_ins_of_the_reference_are_the_text_of_their_section_node() {
    let cat = Catalog::load();
    let nodes = reference_nodes();
    let urn_to_ref: HashMap<&str, &str> = nodes
        .iter()
        .filter_map(|n| Some((n["urn"].as_str()?, n["ref_id"].as_str()?)))
        .collect();
    let mut lead_ins: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for n in nodes.iter().filter(|n| n["ref_id"].as_str().is_none()) {
        let parent = urn_to_ref[n["parent_urn"].as_str().expect("unnumbered node has a parent")];
        lead_ins
            .entry(cite(parent))
            .or_default()
            .push(s(n, "description").to_string());
    }
    let sections: Vec<&str> = lead_ins.keys().map(String::as_str).collect();
    assert_eq!(sections, ["500.0", "500.18", "500.23", "500.3", "500.5"]);
    for (section, paragraphs) in &lead_ins {
        let expected = norm(&corrected(section, &paragraphs.join(" ")));
        assert_eq!(norm(s(cat.get(section), "text")), expected, "lead-in of {section}");
    }
    let defs = cat.get("500.1");
    assert!(s(defs, "text").starts_with("For purposes of this Part only, the following definitions shall apply"));
}

#[test]
fn numbered_items_printed_inline_in_the_reference_are_split_into_official_numbering() {
    let cat = Catalog::load();
    let expected: &[(&str, &[&str])] = &[
        ("500.1(d)", &["(1)", "(2)"]),
        ("500.1(g)", &["(1)", "(2)", "(3)"]),
        ("500.1(j)", &["(1)", "(2)", "(3)"]),
        ("500.1(k)", &["(1)", "(2)", "(3)"]),
        ("500.1(k)(2)", &["(i)", "(ii)", "(iii)", "(iv)", "(v)"]),
        ("500.1(k)(3)", &["(i)", "(ii)", "(iii)"]),
        ("500.1(o)", &["(1)", "(2)"]),
        ("500.1(s)", &["(1)", "(2)", "(3)", "(4)"]),
        ("500.19(a)", &["(1)", "(2)", "(3)"]),
        ("500.22(b)", &["(1)", "(2)", "(3)"]),
        ("500.22(d)", &["(1)", "(2)", "(3)", "(4)"]),
    ];
    for (parent, labels) in expected {
        let want: Vec<String> = labels.iter().map(|l| format!("{parent}{l}")).collect();
        assert_eq!(cat.kids(parent), want.as_slice(), "children of {parent}");
        for kid in &want {
            assert!(!s(cat.get(kid), "text").is_empty(), "{kid} carries its text");
        }
    }
    // The closing words after the last item stay on the parent, after its lead-in.
    assert!(s(cat.get("500.1(d)"), "text").ends_with("a cybersecurity program with the covered entity."));
    assert!(
        s(cat.get("500.19(a)"), "text").ends_with("500.14(a)(1), (a)(2), and (b), 500.15 and 500.16 of this Part.")
    );
    // Every reference paragraph with inline items is reassembled exactly from the split nodes.
    let mut split = 0;
    for node in reference_nodes() {
        let (Some(ref_id), Some(desc)) = (node["ref_id"].as_str(), node["description"].as_str()) else {
            continue;
        };
        if desc.contains("\n(1) ") {
            let id = cite(ref_id);
            assert!(
                !cat.kids(&id).is_empty(),
                "{id} prints items inline in the reference but has no child nodes"
            );
            assert_eq!(norm(&cat.reassembled(&id)), norm(desc), "{id} reassembled");
            split += 1;
        }
    }
    assert_eq!(split, 9);
}

#[test]
fn class_a_condition_is_on_exactly_500_2c_500_7c_and_500_14b() {
    let cat = Catalog::load();
    let mut flagged = BTreeSet::new();
    for c in controls(&cat.doc) {
        if c.get("applies_when").is_some_and(|w| w["fact"] == "class_a") {
            assert_eq!(
                c["applies_when"],
                serde_json::json!({"fact": "class_a", "eq": true}),
                "{}",
                s(c, "id")
            );
            assert!(
                s(c, "text").starts_with("Each class A company shall"),
                "{} text is not Class-A-only",
                s(c, "id")
            );
            flagged.insert(s(c, "id").to_string());
        }
    }
    let want: BTreeSet<String> = ["500.2(c)", "500.7(c)", "500.14(b)"]
        .iter()
        .map(|x| x.to_string())
        .collect();
    assert_eq!(flagged, want);
    // No other paragraph of 500.2–500.19 in the reference addresses class A companies only.
    for node in reference_nodes() {
        let (Some(ref_id), Some(desc)) = (node["ref_id"].as_str(), node["description"].as_str()) else {
            continue;
        };
        let id = cite(ref_id);
        if (2..=19).contains(&section_of(&id)) && desc.starts_with("Each class A company") {
            assert!(
                want.contains(&id),
                "{id} is class-A-only in the reference but not flagged"
            );
        }
    }
}

#[test]
fn notice_of_exemption_and_ceasing_to_qualify_bind_only_an_entity_that_is_exempt() {
    let cat = Catalog::load();
    let conditional: BTreeSet<String> = controls(&cat.doc)
        .iter()
        .filter(|c| c.get("applies_when").is_some_and(|w| w["fact"] != "class_a"))
        .map(|c| s(c, "id").to_string())
        .collect();
    assert_eq!(
        conditional,
        ["500.19(f)", "500.19(h)"].iter().map(|x| x.to_string()).collect()
    );
    for id in ["500.19(f)", "500.19(h)"] {
        assert_eq!(
            cat.get(id)["applies_when"],
            serde_json::json!({"fact": "exempt", "eq": true}),
            "{id}"
        );
    }
    // The rule's own words say whom each binds.
    let text = |id: &str| reference_text(id);
    assert!(text("500.19(f)").starts_with("A covered entity that qualifies for any of the above exemptions"));
    assert!(text("500.19(h)").starts_with("In the event that a covered entity ceases to qualify for an exemption"));
}

#[test]
fn only_the_covered_entity_can_perform_the_duties_the_part_gives_its_own_people() {
    let cat = Catalog::load();
    let responsible: BTreeSet<String> = controls(&cat.doc)
        .iter()
        .filter(|c| c["retained"]["responsible"] == Value::Bool(true))
        .map(|c| s(c, "id").to_string())
        .collect();
    // 500.11(b)'s guidelines are part of the entity's 500.11(a) policies, for which it stays
    // accountable; drafting them is a task others may perform. 500.17(b)(2): "signed by the
    // covered entity's highest-ranking executive and its CISO".
    let want: BTreeSet<String> = [
        "500.4(a)(1)",
        "500.4(a)(2)",
        "500.4(a)(3)",
        "500.4(d)",
        "500.11(a)",
        "500.17(b)(2)",
    ]
    .iter()
    .map(|x| x.to_string())
    .collect();
    assert_eq!(responsible, want);
    // What reaches the parts: the board's own acts of 500.4(d)(1)-(4) ("The senior governing
    // body ... shall exercise oversight ..., including by"), not the tasks 500.11(a)(1)-(4) that
    // the entity's policies address; the CISO who co-signs under 500.17(b)(2) may be a provider's
    // employee (500.4(a): "The CISO may be employed by ... a third-party service provider").
    assert_eq!(cat.get("500.4(d)")["retained"]["parts"], "retained");
    assert_eq!(cat.get("500.11(a)")["retained"]["parts"], "delegable");
    assert_eq!(cat.get("500.17(b)(2)")["retained"]["joint"], Value::Bool(true));
    let accountable: BTreeSet<String> = controls(&cat.doc)
        .iter()
        .filter(|c| c["retained"]["accountable"] == Value::Bool(true))
        .map(|c| s(c, "id").to_string())
        .collect();
    for id in ["500.11(a)", "500.11(b)", "500.17(a)", "500.17(b)", "500.17(c)"] {
        assert!(
            accountable.contains(id),
            "{id} keeps accountability with the covered entity"
        );
    }
    // Each quotes the regulation's words for what only the covered entity can do.
    for (id, words) in [
        ("500.4(a)(1)", "retain responsibility for compliance with this Part"),
        (
            "500.4(a)(2)",
            "designate a senior member of the covered entity’s personnel responsible for direction and oversight of the third-party service provider",
        ),
        (
            "500.4(d)",
            "The senior governing body of the covered entity shall exercise oversight",
        ),
        (
            "500.17(b)(2)",
            "shall be signed by the covered entity’s highest-ranking executive and its CISO",
        ),
    ] {
        assert!(norm(s(&cat.get(id)["retained"], "note")).contains(&norm(words)), "{id}");
        assert!(
            norm(&reference_text(id)).contains(&norm(words)),
            "{id}: {words:?} is the rule's text"
        );
    }
}

#[test]
fn every_parent_with_its_own_text_decides_whether_it_is_a_row_or_a_roll_up() {
    let cat = Catalog::load();
    for c in controls(&cat.doc) {
        let id = s(c, "id");
        let role = c["role"].as_str().unwrap_or("requirement");
        if role == "requirement" && c.get("text").is_some() && !cat.kids(id).is_empty() {
            let own = &c["own_duty"];
            assert!(
                own["decision"] == "row" || own["decision"] == "rollup",
                "{id} has its own text and parts but no own_duty decision"
            );
            assert!(s(own, "reason").len() > 20, "{id}: own_duty needs a reason");
        } else {
            assert!(c.get("own_duty").is_none(), "{id}: own_duty only on parents with text");
        }
    }
    // 500.12(a) is a duty of its own unless the limited exemption holds (its own words).
    let mfa = &cat.get("500.12(a)")["own_duty"];
    assert_eq!(mfa["decision"], "row");
    assert_eq!(
        mfa["when"],
        serde_json::json!({"not": {"fact": "exemptions", "contains": "500.19(a)"}})
    );
    assert!(reference_text("500.12(a)").contains("for any individual accessing any information systems"));
}

fn deadline<'a>(cat: &'a Catalog, id: &str, event: &str) -> &'a Value {
    cat.get(id)["deadlines"]
        .as_array()
        .and_then(|ds| ds.iter().find(|d| d["event"] == event))
        .unwrap_or_else(|| panic!("{id} has no {event} deadline"))
}

#[test]
fn notices_to_the_superintendent_carry_the_72h_24h_30d_and_april_15_deadlines() {
    let cat = Catalog::load();
    let incident = deadline(&cat, "500.17(a)(1)", "cybersecurity-incident");
    assert_eq!(s(incident, "within"), "72h");
    assert_eq!(s(incident, "notify"), "superintendent");
    assert!(s(incident, "from").starts_with("determining that a cybersecurity incident has occurred"));
    let notice = deadline(&cat, "500.17(c)(1)", "extortion-payment");
    assert_eq!(s(notice, "within"), "24h");
    let explanation = deadline(&cat, "500.17(c)(2)", "extortion-payment");
    assert_eq!(s(explanation, "within"), "30d");
    let annual = deadline(&cat, "500.17(b)(1)", "annual");
    assert_eq!(s(annual, "annually_by"), "04-15");
    assert_eq!(s(annual, "notify"), "superintendent");
    assert!(s(cat.get("500.17(b)(1)"), "text").contains("by April 15"));
    // Deadline texts quote the rule: each is the control's own text (the annual one abridged).
    for (id, words) in [
        ("500.17(a)(1)", "72 hours"),
        ("500.17(c)(1)", "24 hours"),
        ("500.17(c)(2)", "30 days"),
    ] {
        let d = &cat.get(id)["deadlines"][0];
        assert_eq!(norm(s(d, "text")), norm(s(cat.get(id), "text")), "{id} deadline text");
        assert!(s(d, "text").contains(words));
    }
    assert!(
        s(annual, "text")
            .starts_with("Annually each covered entity shall submit to the superintendent electronically by April 15")
    );
    let mut all = Vec::new();
    for c in controls(&cat.doc).iter().filter(|c| s(c, "id").starts_with("500.17")) {
        for d in c["deadlines"].as_array().into_iter().flatten() {
            all.push(format!("{}:{}{}", s(c, "id"), s(d, "within"), s(d, "annually_by")));
        }
    }
    assert_eq!(
        all,
        [
            "500.17(a)(1):72h",
            "500.17(b)(1):04-15",
            "500.17(c)(1):24h",
            "500.17(c)(2):30d"
        ]
    );
}

fn exemption<'a>(cat: &'a Catalog, citation: &str) -> &'a Value {
    cat.doc["exemptions"]
        .as_array()
        .expect("exemptions")
        .iter()
        .find(|e| e["citation"] == citation)
        .unwrap_or_else(|| panic!("no exemption for {citation}"))
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("id list")
        .iter()
        .map(|x| x.as_str().expect("id").to_string())
        .collect()
}

#[test]
fn limited_exemption_thresholds_are_20_employees_7_5m_revenue_and_15m_assets() {
    let cat = Catalog::load();
    let ex = exemption(&cat, "500.19(a)");
    let tests = ex["when"]["any"].as_array().expect("500.19(a): any of three tests");
    assert_eq!(tests.len(), 3);
    assert!(tests.contains(&serde_json::json!({"fact": "employees", "lt": 20})));
    assert!(tests.contains(&serde_json::json!({"fact": "gross_revenue_usd", "each_lt": 7500000})));
    assert!(tests.contains(&serde_json::json!({"fact": "total_assets_usd", "lt": 15000000})));
    assert_eq!(
        ids(&ex["exempts"]),
        [
            "500.4",
            "500.5",
            "500.6",
            "500.8",
            "500.10",
            "500.14(a)(1)",
            "500.14(a)(2)",
            "500.14(b)",
            "500.15",
            "500.16"
        ]
    );
    let reference = reference_nodes();
    let text = reference
        .iter()
        .find(|n| n["ref_id"] == "500.19.a")
        .map(|n| s(n, "description"))
        .expect("500.19.a");
    for words in [
        "(1) fewer than 20 employees and independent contractors",
        "(2) less than $7,500,000 in gross annual revenue in each of the last three fiscal years",
        "(3) less than $15,000,000 in year-end total assets",
        "sections 500.4, 500.5, 500.6, 500.8, 500.10, 500.14(a)(1), (a)(2), and (b), 500.15 and 500.16 of this Part",
    ] {
        assert!(text.contains(words), "500.19(a) in the reference says {words:?}");
    }
    assert!(s(ex, "note").contains("500.19(a)"));
}

/// Sections listed in an exemption's text: "... requirements of sections 500.2, ..., 500.15 and 500.16 of this Part".
fn listed_sections(text: &str) -> Vec<String> {
    let start = text.find("requirements of sections ").expect("section list") + "requirements of sections ".len();
    let end = start + text[start..].find(" of this Part").expect("end of list");
    text[start..end]
        .replace(" and ", ", ")
        .split(", ")
        .map(str::to_string)
        .collect()
}

#[test]
fn each_exemption_of_500_19_is_a_flag_condition_lifting_what_its_text_lifts() {
    let cat = Catalog::load();
    let reference = reference_nodes();
    let text_of = |ref_id: &str| {
        reference
            .iter()
            .find(|n| n["ref_id"] == ref_id)
            .map(|n| s(n, "description").to_string())
            .expect(ref_id)
    };
    for letter in ["b", "c", "d", "e", "g"] {
        let ex = exemption(&cat, &format!("500.19({letter})"));
        assert_eq!(
            ex["when"],
            serde_json::json!({"fact": "flags", "contains": format!("nydfs-500.19({letter})")}),
            "500.19({letter})"
        );
        assert!(
            norm(s(ex, "note")).contains(&norm(&text_of(&format!("500.19.{letter}")))),
            "500.19({letter}) note quotes the rule"
        );
    }
    for letter in ["c", "d"] {
        let ex = exemption(&cat, &format!("500.19({letter})"));
        assert_eq!(
            ids(&ex["exempts"]),
            listed_sections(&text_of(&format!("500.19.{letter}"))),
            "500.19({letter}) exempts"
        );
    }
    // "exempt from this Part" / "from the requirements of this Part": everything but the notice of exemption.
    for letter in ["b", "e"] {
        assert!(text_of(&format!("500.19.{letter}")).contains("this Part"));
        assert_eq!(
            ids(&exemption(&cat, &format!("500.19({letter})"))["still_applies"]),
            ["500.19(f)"]
        );
    }
    assert!(ids(&exemption(&cat, "500.19(g)")["still_applies"]).is_empty());
    for ex in cat.doc["exemptions"].as_array().expect("exemptions") {
        assert!(
            ex.get("exempts").is_some() != ex.get("still_applies").is_some(),
            "{}: exempts or still_applies",
            s(ex, "id")
        );
        for key in ["exempts", "still_applies"] {
            for id in ex[key].as_array().into_iter().flatten() {
                cat.get(id.as_str().expect("id"));
            }
        }
        cat.get(s(ex, "citation"));
    }
}

#[test]
fn control_ids_are_unique() {
    let cat = catalog();
    let mut seen = BTreeSet::new();
    for c in controls(&cat) {
        assert!(
            seen.insert(s(c, "id").to_string()),
            "duplicate control id {}",
            s(c, "id")
        );
    }
}

#[test]
fn every_parent_exists_precedes_its_children_and_matches_the_numbering() {
    let cat = catalog();
    let mut seen = BTreeSet::new();
    let levels = ["section", "paragraph", "subparagraph", "clause", "subclause"];
    for c in controls(&cat) {
        let id = s(c, "id");
        assert_eq!(
            c["parent"].as_str(),
            numbered_parent(id),
            "{id}: parent follows the numbering"
        );
        if let Some(p) = c["parent"].as_str() {
            assert!(seen.contains(p), "{id}: parent {p} missing or after it");
        }
        assert_eq!(s(c, "level"), levels[id.matches('(').count()], "{id}: level");
        assert!(!s(c, "title").is_empty(), "{id}: title");
        assert!(
            c.get("text").is_some() || c.get("text_note").is_some(),
            "{id}: text or text_note"
        );
        seen.insert(id.to_string());
    }
    let sections: Vec<u32> = controls(&cat)
        .iter()
        .filter(|c| c.get("parent").is_none())
        .map(|c| section_of(s(c, "id")))
        .collect();
    assert_eq!(sections, (0..=24).collect::<Vec<_>>());
}

#[test]
fn effective_from_dates_follow_the_transitional_periods_of_500_22() {
    let cat = Catalog::load();
    let allowed = ["2023-12-01", "2024-04-29", "2024-11-01", "2025-05-01", "2025-11-01"];
    for c in controls(&cat.doc) {
        if let Some(date) = c["effective_from"].as_str() {
            assert!(allowed.contains(&date), "{}: {date} is not a 500.22 date", s(c, "id"));
            let notes = c["notes"]
                .as_array()
                .map(|n| n.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" "))
                .unwrap_or_default();
            assert!(
                notes.contains("500.22(") && notes.contains(date),
                "{}: a note quotes the 500.22 basis",
                s(c, "id")
            );
        }
    }
    let want = [
        ("500.17(a)(1)", "2023-12-01"), // 500.22(d)(1): 30 days, 500.17
        ("500.17(c)(1)", "2023-12-01"),
        ("500.2(c)", "2024-04-29"), // 500.22(c): 180 days
        ("500.3", "2024-04-29"),
        ("500.14(a)(3)", "2024-04-29"),
        ("500.4(d)", "2024-11-01"), // 500.22(d)(2): one year, 500.4, 500.15, 500.16, 500.19(a)
        ("500.15(a)", "2024-11-01"),
        ("500.16(e)", "2024-11-01"),
        ("500.19(a)", "2024-11-01"),
        ("500.5(a)(2)", "2025-05-01"), // 500.22(d)(3): 18 months
        ("500.7(c)", "2025-05-01"),
        ("500.14(a)(2)", "2025-05-01"),
        ("500.14(b)", "2025-05-01"),
        ("500.12(a)", "2025-11-01"), // 500.22(d)(4): two years, 500.12 and 500.13(a)
        ("500.13(a)", "2025-11-01"),
    ];
    for (id, date) in want {
        assert_eq!(cat.get(id)["effective_from"].as_str(), Some(date), "{id}");
    }
    // Duties carried over unchanged from the 2017 Part keep the catalog's dates.
    for id in ["500.6(a)(1)", "500.11(a)", "500.13(b)", "500.14(a)(1)", "500.10(a)(2)"] {
        assert!(
            cat.get(id).get("effective_from").is_none(),
            "{id} has no transitional date"
        );
    }
}

#[test]
fn accountability_stays_with_the_covered_entity_for_the_ciso_board_reporting_and_certification() {
    let cat = Catalog::load();
    for (id, quote) in [
        ("500.4(a)", "retain responsibility for compliance with this Part"),
        ("500.4(c)", "retain responsibility for compliance with this Part"),
        ("500.17(b)", "highest-ranking executive and its CISO"),
    ] {
        let a = &cat.get(id)["retained"];
        assert_eq!(a["accountable"], Value::Bool(true), "{id}");
        assert!(s(a, "note").contains(quote), "{id}: note quotes {quote:?}");
    }
}

#[test]
fn crosswalk_rows_point_at_existing_controls_and_csf_2_0_subcategories() {
    let cat = Catalog::load();
    let xw = crosswalk();
    let csf = csf_subcategories();
    assert_eq!(csf.len(), 106);
    assert_eq!(
        (s(&xw, "id"), s(&xw, "from"), s(&xw, "to")),
        ("nydfs-500-to-csf-2.0", "nydfs-500", "csf-2.0")
    );
    let sources: Vec<&Value> = xw["sources"].as_array().expect("sources").iter().collect();
    let analysis = sources
        .iter()
        .find(|x| x["id"] == "analysis")
        .expect("an `analysis` source");
    assert!(
        s(analysis, "note").contains("No official"),
        "the analysis source says no official mapping exists"
    );
    let mut per_control: BTreeMap<String, usize> = BTreeMap::new();
    let mut pairs = BTreeSet::new();
    for row in xw["mappings"].as_array().expect("mappings") {
        let (from, to) = (s(row, "from"), s(row, "to"));
        assert_eq!(cat.role(from), "requirement", "{from} is a requirement");
        assert!(csf.contains(to), "{from} → {to}: not a CSF 2.0 subcategory");
        assert!(
            ["subset-of", "intersects-with"].contains(&s(row, "relationship")),
            "{from} → {to}: relationship"
        );
        assert_eq!(s(row, "source"), "analysis", "{from} → {to}: source");
        assert!(!s(row, "rationale").trim().is_empty(), "{from} → {to}: rationale");
        assert!(pairs.insert((from.to_string(), to.to_string())), "{from} → {to} twice");
        *per_control.entry(from.to_string()).or_default() += 1;
    }
    for (from, n) in per_control {
        assert!((1..=5).contains(&n), "{from} maps to {n} subcategories");
    }
}

#[test]
fn every_assignable_leaf_of_500_2_to_500_19_is_mapped_or_listed_as_unmapped() {
    let cat = Catalog::load();
    let xw = crosswalk();
    let mapped: BTreeSet<&str> = xw["mappings"]
        .as_array()
        .expect("mappings")
        .iter()
        .map(|r| s(r, "from"))
        .collect();
    let mut unmapped = BTreeSet::new();
    for u in xw["unmapped"].as_array().expect("unmapped") {
        let id = s(u, "control");
        assert!(cat.is_assignable(id), "unmapped {id} is an assignable control");
        assert!(!s(u, "reason").trim().is_empty(), "unmapped {id} gives a reason");
        assert!(!mapped.contains(id), "{id} is both mapped and unmapped");
        unmapped.insert(id);
    }
    let mut leaves = 0;
    for c in controls(&cat.doc) {
        let id = s(c, "id");
        if (2..=19).contains(&section_of(id)) && cat.is_assignable(id) {
            leaves += 1;
            assert!(
                mapped.contains(id) || unmapped.contains(id),
                "assignable leaf {id} is neither mapped nor unmapped"
            );
        }
    }
    assert!(leaves > 100, "only {leaves} assignable leaves in 500.2–500.19");
}

#[test]
fn catalog_header_identifies_23_nycrr_part_500_as_amended_in_2023() {
    let cat = catalog();
    assert_eq!(s(&cat, "kind"), "catalog");
    assert_eq!(s(&cat, "id"), "nydfs-500");
    assert_eq!(
        s(&cat, "title"),
        "Cybersecurity Requirements for Financial Services Companies"
    );
    assert_eq!(s(&cat, "citation"), "23 NYCRR Part 500");
    assert_eq!(s(&cat, "authority"), "New York State Department of Financial Services");
    assert!(s(&cat, "source_url").starts_with("https://www.dfs.ny.gov/"));
    let dates: Vec<&str> = cat["effective"]
        .as_array()
        .expect("effective")
        .iter()
        .map(|e| s(e, "date"))
        .collect();
    for d in [
        "2017-03-01",
        "2023-11-01",
        "2023-12-01",
        "2024-04-29",
        "2024-11-01",
        "2025-05-01",
        "2025-11-01",
    ] {
        assert!(dates.contains(&d), "effective dates include {d}");
    }
    let source_ids: BTreeSet<&str> = cat["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .map(|x| s(x, "id"))
        .collect();
    for c in controls(&cat) {
        if let Some(src) = c["text_source"].as_str() {
            assert!(
                source_ids.contains(src),
                "{}: text_source {src} is declared",
                s(c, "id")
            );
        }
    }
}
