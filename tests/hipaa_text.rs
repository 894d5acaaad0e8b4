//! Every HIPAA control's text compared, word for word, with the secondary copy of 45 CFR Part 164
//! (164.302–164.318, 164.400–164.414) in `tests/fixtures/reference/hipaa/secondary-45cfr164/`,
//! and every paragraph of that copy accounted for in the catalog.
//!
//! The comparison normalises only whitespace, quote characters (curly to straight) and the copy's
//! markup (Markdown links, the `&#40;` entity, the `>` quotation markers that show nesting).
//! Everything else that differs is an intended difference, listed below with its reason; a listed
//! difference that no longer occurs fails the test, so the list cannot go stale.
//!
//! The expected text of a control is read from the copy by its citation: the paragraph with that
//! number, without the regulation's heading (`Standard: Access control.`, `Risk analysis
//! (Required).`), which the catalog carries as `title` and `requirement`. Sub-paragraphs the
//! catalog does not carry as controls of their own are expected inline, with their numbers. A
//! standard whose paragraph is only a number (`(1)`) is read from its `(i) Standard: …` paragraph.
//! A section carried as a single control is the whole section.

mod support;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const COPY: &str = "tests/fixtures/reference/hipaa/secondary-45cfr164";

/// Intended differences: (control, the copy's words, the catalog's words, why).
const DIFFERENCES: &[(&str, &str, &str, &str)] = &[
    (
        "164.306(c)",
        "§ 164.308, § 164.310, § 164.312, § 164.314 and § 164.316",
        "§§ 164.308, 164.310, 164.312, 164.314 and 164.316",
        "the copy links each section and prints a § inside each link; the control's text_source, a reproduction of the current eCFR (govregs), prints “§§ 164.308, 164.310, …”",
    ),
    (
        "164.306(d)(3)",
        "must--",
        "must—",
        "the copy writes the regulation's em dash as two hyphens",
    ),
    (
        "164.306(d)(3)(ii)",
        "associate--",
        "associate—",
        "the copy writes the regulation's em dash as two hyphens",
    ),
    (
        "164.306(d)(3)(ii)(B)",
        "appropriate-- (1)",
        "appropriate— (1)",
        "the copy writes the regulation's em dash as two hyphens",
    ),
    (
        "164.314(a)(2)(i)",
        "will-- (A)",
        "will— (A)",
        "the copy writes the regulation's em dash as two hyphens",
    ),
    (
        "164.314(b)(2)",
        "sponsor to-- (i)",
        "sponsor to— (i)",
        "the copy writes the regulation's em dash as two hyphens",
    ),
    (
        "164.310(d)(2)(ii)",
        "re- use",
        "re-use",
        "a line-break hyphen left in the copy (the heading of the same paragraph reads “Media re-use”)",
    ),
    (
        "164.402",
        "re- identification",
        "re-identification",
        "a line-break hyphen left in the copy",
    ),
    (
        "164.404(d)(2)",
        "out-of- date",
        "out-of-date",
        "a line-break hyphen left in the copy (the same paragraph also prints “out-of-date”)",
    ),
];

/// Headings that are not the control's title: (control, the heading the copy prints).
const HEADINGS: &[(&str, &str)] = &[("164.314(b)(2)", "Implementation specifications (Required).")];

/// Paragraphs of the copy that are neither a control nor inline in one: (paragraph, the
/// controls whose `text_note` quotes its words, why).
const QUOTED_IN_NOTES: &[(&str, &[&str], &str)] = &[
    (
        "164.308(a)",
        &["164.308"],
        "the lead-in of 164.308(a) (“A covered entity or business associate must, in accordance with § 164.306:”) governs standards (a)(1) to (a)(8); the catalog has no node 164.308(a) (its standards sit under the section) and quotes the lead-in in the section's note",
    ),
    (
        "164.308(a)(5)(ii)",
        &[
            "164.308(a)(5)(ii)(A)",
            "164.308(a)(5)(ii)(B)",
            "164.308(a)(5)(ii)(C)",
            "164.308(a)(5)(ii)(D)",
        ],
        "the lead-in “Implementation specifications. Implement:” completes each specification's text (“Periodic security updates.”); the reference structure has no node for it, so each specification's note quotes it",
    ),
];

/// Sections of the copy the catalog does not carry, and why.
const NOT_CARRIED: &[(&str, &str)] = &[(
    "164.318",
    "compliance dates of 2005 and 2006 for the first implementation; the catalog records them in `effective` (checked below)",
)];

/// Paragraphs that are only a number or a heading introducing their sub-paragraphs.
const EMPTY_LEAD_INS: &[&str] = &[
    "",
    "Implementation specifications:",
    "Implementation specifications (Required).",
];

// ------------------------------------------------------------------------------------------
// The copy
// ------------------------------------------------------------------------------------------

struct Para {
    /// Citation, e.g. `164.308(a)(1)(ii)(A)`; the section id for unnumbered paragraphs.
    id: String,
    labels: Vec<String>,
    /// The paragraph's words after its number, markup removed, whitespace collapsed.
    body: String,
}

struct Section {
    id: String,
    paras: Vec<Para>,
    /// The Federal Register source note, when the copy prints one.
    note: Option<String>,
}

impl Section {
    fn get(&self, id: &str) -> Option<&Para> {
        self.paras
            .iter()
            .find(|p| p.labels.is_empty() == (id == self.id) && p.id == id)
    }
    /// Numbered paragraphs directly under `id`, in order.
    fn children(&self, id: &str) -> Vec<&Para> {
        let depth = if id == self.id { 0 } else { id.matches('(').count() };
        self.paras
            .iter()
            .filter(|p| !p.labels.is_empty() && p.labels.len() == depth + 1)
            .filter(|p| id == self.id || p.id.starts_with(&format!("{id}(")))
            .collect()
    }
    /// The unnumbered paragraphs at the top of the section (its lead-in).
    fn lead_in(&self) -> String {
        self.paras
            .iter()
            .take_while(|p| p.labels.is_empty())
            .map(|p| p.body.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
    /// The whole section in order, numbers included.
    fn whole(&self) -> String {
        self.paras.iter().map(render).collect::<Vec<_>>().join(" ")
    }
}

fn render(p: &Para) -> String {
    match p.labels.last() {
        Some(l) if p.body.is_empty() => format!("({l})"),
        Some(l) => format!("({l}) {}", p.body),
        None => p.body.clone(),
    }
}

/// Markdown links `[text](url)` → `text`; `&#40;` → `(`.
fn unmark(s: &str) -> String {
    let s = s.replace("&#40;", "(");
    let mut out = String::new();
    let mut rest = s.as_str();
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find("](").map(|c| open + c) else {
            break;
        };
        let Some(end) = rest[close..].find(')').map(|e| close + e) else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(&rest[open + 1..close]);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Whitespace collapsed, curly quotes straightened.
fn norm(s: &str) -> String {
    s.replace(['\u{201c}', '\u{201d}'], "\"")
        .replace(['\u{2018}', '\u{2019}'], "'")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

const ROMAN: [&str; 10] = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"];

fn load_section(path: &Path) -> Section {
    let name = path.file_name().and_then(|n| n.to_str()).expect("file name");
    let mut parts = name.split('-');
    let id = format!("{}.{}", parts.next().expect("part"), parts.next().expect("section"));
    let mut raw = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    // The source note `[68 FR 8376, Feb. 20, 2003, …]` closes the file.
    let mut note = None;
    if let Some(at) = raw.rfind("\n[")
        && norm(&raw[at..]).contains(" FR ")
    {
        note = Some(norm(&raw[at..]));
        raw.truncate(at);
    }
    let mut blocks: Vec<Vec<&str>> = vec![Vec::new()];
    for line in raw.lines() {
        if line.trim().is_empty() {
            blocks.push(Vec::new());
        } else if let Some(b) = blocks.last_mut() {
            b.push(line);
        }
    }
    let mut paras = Vec::new();
    // (level, label, depth of `>` markers)
    let mut stack: Vec<(u8, String, usize)> = Vec::new();
    for block in blocks.iter().filter(|b| !b.is_empty()) {
        let marker = |l: &str| l.len() - l.trim_start_matches(|c: char| c == '>' || c.is_whitespace()).len();
        let depth = block[0][..marker(block[0])].matches('>').count();
        let text = norm(&unmark(
            &block.iter().map(|l| &l[marker(l)..]).collect::<Vec<_>>().join(" "),
        ));
        let label = text
            .strip_prefix('(')
            .and_then(|t| t.split_once(')'))
            .filter(|(l, _)| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric()));
        let Some((label, body)) = label else {
            paras.push(Para {
                id: id.clone(),
                labels: Vec::new(),
                body: text,
            });
            continue;
        };
        let level: u8 = if label.chars().all(|c| c.is_ascii_digit()) {
            if stack.iter().any(|(l, _, d)| *l == 4 && depth > *d) {
                5
            } else {
                2
            }
        } else if label.chars().all(|c| c.is_ascii_uppercase()) {
            4
        } else if ROMAN.contains(&label) && stack.iter().any(|(l, _, _)| *l >= 2) {
            3
        } else {
            1
        };
        stack.retain(|(l, _, _)| *l < level);
        stack.push((level, label.to_string(), depth));
        let labels: Vec<String> = stack.iter().map(|(_, l, _)| l.clone()).collect();
        paras.push(Para {
            id: format!("{id}{}", labels.iter().map(|l| format!("({l})")).collect::<String>()),
            labels,
            body: body.trim().to_string(),
        });
    }
    Section { id, paras, note }
}

fn copy() -> BTreeMap<String, Section> {
    let dir = support::repo().join(COPY);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| {
            let s = load_section(p);
            (s.id.clone(), s)
        })
        .collect()
}

// ------------------------------------------------------------------------------------------
// The catalog
// ------------------------------------------------------------------------------------------

fn catalog() -> Value {
    let path = support::repo().join("frameworks/hipaa.yaml");
    let text = std::fs::read_to_string(&path).expect("read the HIPAA catalog");
    serde_saphyr::from_str(&text).expect("parse the HIPAA catalog")
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_default()
}

fn section_of(id: &str) -> &str {
    id.split('(').next().expect("section")
}

/// The paragraph's words without its heading: `Standard: Title.`, `Title (Required).`, …
fn strip_heading(id: &str, body: &str, title: &str) -> String {
    if let Some((_, h)) = HEADINGS.iter().find(|(c, _)| *c == id) {
        return body
            .strip_prefix(h)
            .unwrap_or_else(|| panic!("{id}: the copy's heading is not “{h}”: {body}"))
            .trim()
            .to_string();
    }
    let lower = body.to_lowercase();
    for prefix in [
        "standard: ",
        "implementation specification: ",
        "implementation specifications: ",
        "",
    ] {
        for suffix in [" (required).", " (addressable).", ".", " --"] {
            let heading = format!("{prefix}{}{suffix}", norm(title).to_lowercase());
            if lower.starts_with(&heading) {
                return body[heading.len()..].trim().to_string();
            }
        }
    }
    body.to_string()
}

struct Expected {
    /// The paragraph of the copy read for the control.
    para: String,
    text: String,
    /// Paragraphs of the copy the control's text carries inline.
    inline: Vec<String>,
}

fn expected(copy: &BTreeMap<String, Section>, ids: &BTreeSet<String>, c: &Value, has_children: bool) -> Expected {
    let id = s(c, "id");
    let sec = copy
        .get(section_of(id))
        .unwrap_or_else(|| panic!("{id}: the copy has no section {}", section_of(id)));
    if id == sec.id {
        if s(c, "text").is_empty() || has_children {
            return Expected {
                para: id.to_string(),
                text: sec.lead_in(),
                inline: Vec::new(),
            };
        }
        return Expected {
            para: id.to_string(),
            text: sec.whole(),
            inline: sec.paras.iter().map(|p| p.id.clone()).collect(),
        };
    }
    let mut para = sec
        .get(id)
        .unwrap_or_else(|| panic!("{id}: no such paragraph in the copy"));
    // A standard printed as `(1)` with its text in `(i) Standard: …`.
    if s(c, "level") == "standard"
        && para.body.is_empty()
        && let Some(std) = sec.get(&format!("{id}(i)"))
        && std.body.starts_with("Standard:")
    {
        para = std;
    }
    let mut text = strip_heading(id, &para.body, s(c, "title"));
    let mut inline = Vec::new();
    fn add(sec: &Section, p: &Para, text: &mut String, inline: &mut Vec<String>) {
        text.push(' ');
        text.push_str(&render(p));
        inline.push(p.id.clone());
        for k in sec.children(&p.id) {
            add(sec, k, text, inline);
        }
    }
    for k in sec.children(&para.id) {
        if !ids.contains(&k.id) {
            add(sec, k, &mut text, &mut inline);
        }
    }
    Expected {
        para: para.id.clone(),
        text: text.trim().to_string(),
        inline,
    }
}

struct Check {
    /// Paragraphs of the copy accounted for.
    covered: BTreeSet<String>,
    failures: Vec<String>,
}

fn check_catalog() -> Check {
    let copy = copy();
    let cat = catalog();
    let controls = cat["controls"].as_array().expect("controls");
    let ids: BTreeSet<String> = controls.iter().map(|c| s(c, "id").to_string()).collect();
    let parents: BTreeSet<&str> = controls.iter().filter_map(|c| c["parent"].as_str()).collect();
    let mut covered = BTreeSet::new();
    let mut failures = Vec::new();
    let mut used_differences = BTreeSet::new();
    for c in controls {
        let id = s(c, "id");
        let e = expected(&copy, &ids, c, parents.contains(id));
        covered.insert(e.para.clone());
        covered.insert(id.to_string());
        covered.extend(e.inline.iter().cloned());
        let text = s(c, "text");
        if text.is_empty() {
            // No text: the paragraph has none of its own beyond its heading, or the control's
            // note quotes its lead-in.
            let note = norm(s(c, "text_note"));
            if !(e.text.is_empty() || note.contains(&norm(&e.text))) {
                failures.push(format!(
                    "{id} carries no text, but the copy has “{}” (quote it in text_note or carry it)",
                    e.text
                ));
            }
            continue;
        }
        let mut want = e.text.clone();
        for (i, (cid, theirs, ours, _)) in DIFFERENCES.iter().enumerate() {
            if *cid == id {
                if !want.contains(theirs) {
                    failures.push(format!(
                        "{id}: listed difference “{theirs}” no longer occurs in the copy"
                    ));
                }
                want = want.replace(theirs, ours);
                used_differences.insert(i);
            }
        }
        if norm(text) != norm(&want) {
            failures.push(format!(
                "{id} differs from the copy\n  catalog: {}\n  copy:    {}",
                norm(text),
                norm(&want)
            ));
        }
    }
    for (i, (cid, ..)) in DIFFERENCES.iter().enumerate() {
        if !used_differences.contains(&i) {
            failures.push(format!("listed difference for {cid}: no such control with text"));
        }
    }
    // Paragraphs quoted in notes.
    for (para, controls_quoting, _) in QUOTED_IN_NOTES {
        let sec = &copy[section_of(para)];
        let body = &sec.get(para).unwrap_or_else(|| panic!("no paragraph {para}")).body;
        for q in controls_quoting.iter() {
            let c = controls
                .iter()
                .find(|c| s(c, "id") == *q)
                .unwrap_or_else(|| panic!("no control {q}"));
            if !norm(s(c, "text_note")).contains(&norm(body)) {
                failures.push(format!("{q}: text_note does not quote the words of {para}: “{body}”"));
            }
        }
        covered.insert(para.to_string());
    }
    Check { covered, failures }
}

#[test]
fn every_hipaa_control_text_is_the_regulations_words_as_in_the_secondary_copy() {
    let check = check_catalog();
    assert!(
        check.failures.is_empty(),
        "{} problem(s):\n{}",
        check.failures.len(),
        check.failures.join("\n")
    );
}

#[test]
fn every_paragraph_of_the_copy_is_a_control_inline_in_one_or_a_listed_exception() {
    let copy = copy();
    let check = check_catalog();
    let mut missing = Vec::new();
    for sec in copy.values() {
        if NOT_CARRIED.iter().any(|(id, _)| *id == sec.id) {
            continue;
        }
        for p in &sec.paras {
            let accounted = check.covered.contains(&p.id) || EMPTY_LEAD_INS.contains(&p.body.as_str());
            if !accounted {
                missing.push(format!("{}: “{}”", p.id, p.body));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "paragraphs of the copy not in the catalog:\n{}",
        missing.join("\n")
    );
}

#[test]
fn subpart_d_is_carried_whole_section_by_section() {
    let copy = copy();
    let cat = catalog();
    let roots: Vec<&str> = cat["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .filter(|c| c.get("parent").is_none())
        .map(|c| s(c, "id"))
        .collect();
    let sections: Vec<&str> = copy
        .keys()
        .map(String::as_str)
        .filter(|id| !NOT_CARRIED.iter().any(|(n, _)| n == id))
        .collect();
    assert_eq!(roots, sections, "the catalog's sections are the copy's, in order");
    for d in [
        "164.400", "164.402", "164.404", "164.406", "164.408", "164.410", "164.412", "164.414",
    ] {
        assert!(roots.contains(&d), "Subpart D section {d}");
    }
}

#[test]
fn sections_not_carried_are_reflected_elsewhere() {
    // 164.318: “no later than April 20, 2005” / “April 20, 2006” are the catalog's effective dates.
    let copy = copy();
    let cat = catalog();
    let dates: Vec<&str> = cat["effective"]
        .as_array()
        .expect("effective")
        .iter()
        .map(|e| s(e, "date"))
        .collect();
    let months = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let whole = copy["164.318"].whole();
    let mut found = 0;
    for (m, month) in months.iter().enumerate() {
        let mut rest = whole.as_str();
        while let Some(at) = rest.find(&format!("{month} ")) {
            let after = &rest[at + month.len() + 1..];
            let (day, year) = after.split_once(", ").expect("day, year");
            let year: String = year.chars().take(4).collect();
            let iso = format!("{year}-{:02}-{:02}", m + 1, day.parse::<u32>().expect("day"));
            assert!(
                dates.contains(&iso.as_str()),
                "164.318 date {iso} is in the catalog's effective dates"
            );
            found += 1;
            rest = after;
        }
    }
    assert!(found >= 2, "164.318 names its compliance dates");
    // 164.400: the date Subpart D applies from.
    assert!(copy["164.400"].whole().contains("September 23, 2009"));
    assert!(dates.contains(&"2009-09-23"));
}

/// `78 FR 5693` and `78 FR 5693–5695` in a text, as (volume, first page, last page).
fn fr_citations(text: &str) -> Vec<(u32, u32, u32)> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, '(' | ';' | '['))
        .collect();
    let mut out = Vec::new();
    for w in words.windows(3) {
        if w[1] != "FR" {
            continue;
        }
        let Ok(vol) = w[0].parse::<u32>() else { continue };
        let pages: String = w[2].chars().take_while(|c| c.is_ascii_digit() || *c == '–').collect();
        let (first, last) = pages.split_once('–').unwrap_or((&pages, &pages));
        if let (Ok(a), Ok(b)) = (first.parse::<u32>(), last.parse::<u32>()) {
            out.push((vol, a, b));
        }
    }
    out
}

#[test]
fn the_catalog_names_every_amendment_the_copy_s_source_notes_cite() {
    let copy = copy();
    let cat = catalog();
    let mut stated = fr_citations(s(&cat, "version"));
    for n in cat["notes"].as_array().expect("notes") {
        stated.extend(fr_citations(n.as_str().unwrap_or_default()));
    }
    let mut cited = BTreeSet::new();
    for sec in copy.values() {
        for c in fr_citations(sec.note.as_deref().unwrap_or_default()) {
            cited.insert(c);
        }
    }
    assert!(
        cited.len() >= 5,
        "the copy's source notes cite the rulemakings: {cited:?}"
    );
    for (vol, page, _) in &cited {
        assert!(
            stated.iter().any(|(v, a, b)| v == vol && a <= page && page <= b),
            "{vol} FR {page} (a source note of the copy) is named in the catalog's version or notes"
        );
    }
}

#[test]
fn every_control_with_text_names_a_listed_source_and_the_secondary_copy_is_listed_as_such() {
    let cat = catalog();
    let sources: BTreeMap<&str, &Value> = cat["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .map(|x| (s(x, "id"), x))
        .collect();
    let copy = sources
        .values()
        .find(|x| s(x, "note").contains(COPY))
        .expect("the secondary copy is a source, naming its fixture copy");
    assert!(
        s(copy, "note").starts_with("A secondary copy, not the eCFR"),
        "it says what it is"
    );
    assert_ne!(
        copy["official"],
        Value::Bool(true),
        "a secondary copy is not the official text"
    );
    for x in sources.values() {
        assert!(
            s(x, "retrieved").len() == 10,
            "source {} records when it was retrieved",
            s(x, "id")
        );
    }
    for c in cat["controls"].as_array().expect("controls") {
        if c.get("text").is_some() {
            let src = s(c, "text_source");
            assert!(
                sources.contains_key(src),
                "{}: text_source `{src}` is listed",
                s(c, "id")
            );
        }
    }
}
