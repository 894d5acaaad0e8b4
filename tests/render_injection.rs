//! Hostile user text — `<script>`, `"><img onerror=…>`, `<iframe>`, Markdown pipes and
//! `javascript:` links in client, provider, party, service, duty, evidence, waiver and note
//! fields (scope `hostile` of tests/fixtures/render/northwind) — renders as inert text in every
//! document: the BAA appendix and TPSP summary in both formats, a workspace template, and
//! every HTML and Markdown page of the evidence pack.

mod support;
use ctrlmap::emit::documents::Format;
use ctrlmap::load::Loaded;

const AS_OF: time::Date = time::macros::date!(2026 - 11 - 30);

fn load() -> Loaded {
    let ws = Loaded::load(&support::fixture("render/northwind")).expect("loads");
    assert!(
        ws.diagnostics.is_empty(),
        "{}",
        ctrlmap::emit::diagnostics::render_all(&ws.diagnostics, |f| ws.source(f))
    );
    ws
}

/// Markup the hostile fixture tries to inject; none may survive as markup.
const ACTIVE: [&str; 8] = [
    "<script",
    "<img",
    "<iframe",
    "<svg onload",
    "<marquee",
    "</td></tr><script",
    "<b>",
    "<i>",
];

fn assert_inert_html(name: &str, html: &str) {
    for bad in ACTIVE {
        assert!(!html.contains(bad), "{name}: `{bad}` survived as markup");
    }
    assert!(
        !html.contains("href=\"javascript:") && !html.contains("onerror=alert(1)>"),
        "{name}: live handler or link"
    );
    assert!(
        html.contains("&lt;script&gt;") || html.contains("&lt;img"),
        "{name}: the hostile text is shown, escaped"
    );
}

/// Every table row has as many unescaped pipes as its header, and no HTML or link survives.
fn assert_inert_markdown(name: &str, md: &str) {
    for bad in ACTIVE {
        assert!(!md.contains(bad), "{name}: `{bad}` survived");
    }
    assert!(
        !md.contains("](javascript:") || md.contains("\\](javascript:"),
        "{name}: a live link"
    );
    for (i, _) in md.match_indices("](javascript:") {
        assert_eq!(&md[i - 1..i], "\\", "{name}: link syntax escaped");
    }
    let pipes = |line: &str| {
        let mut n = 0;
        let mut escaped = false;
        for ch in line.chars() {
            if ch == '|' && !escaped {
                n += 1;
            }
            escaped = ch == '\\' && !escaped;
        }
        n
    };
    let mut columns: Option<usize> = None;
    for line in md.lines() {
        if !line.starts_with('|') {
            columns = None;
            continue;
        }
        match columns {
            None => columns = Some(pipes(line)),
            Some(n) => assert_eq!(pipes(line), n, "{name}: a row breaks its table: {line}"),
        }
    }
}

#[test]
fn hostile_text_is_inert_in_the_baa_appendix_and_tpsp_summary() {
    let ws = load();
    let s = ws.scopes.iter().find(|s| s.id == "hostile").expect("scope");
    let baa_md = ctrlmap::emit::documents::baa_appendix(
        &ws,
        s,
        &ctrlmap::assess::assess_scope(&ws, s, &ctrlmap::cli::overrides(&ws), AS_OF),
        Format::Markdown,
    )
    .expect("baa md");
    assert_inert_markdown("baa-appendix.md", &baa_md);
    assert!(
        baa_md.contains("&lt;script&gt;alert('client')&lt;/script&gt; Dental \\| Lending"),
        "the client's name is shown, escaped"
    );
    let baa_html = ctrlmap::emit::documents::baa_appendix(
        &ws,
        s,
        &ctrlmap::assess::assess_scope(&ws, s, &ctrlmap::cli::overrides(&ws), AS_OF),
        Format::Html,
    )
    .expect("baa html");
    assert_inert_html("baa-appendix.html", &baa_html);
    assert!(
        baa_html.contains("&lt;iframe src=//evil.example&gt;"),
        "the party's name is shown, escaped"
    );
    let tpsp_md = ctrlmap::emit::documents::tpsp_summary(
        &ws,
        s,
        &ctrlmap::assess::assess_scope(&ws, s, &ctrlmap::cli::overrides(&ws), AS_OF),
        Format::Markdown,
    )
    .expect("tpsp md");
    assert_inert_markdown("tpsp-summary.md", &tpsp_md);
    let tpsp_html = ctrlmap::emit::documents::tpsp_summary(
        &ws,
        s,
        &ctrlmap::assess::assess_scope(&ws, s, &ctrlmap::cli::overrides(&ws), AS_OF),
        Format::Html,
    )
    .expect("tpsp html");
    assert_inert_html("tpsp-summary.html", &tpsp_html);
}

#[test]
fn hostile_text_is_inert_in_a_workspace_template() {
    let ws = load();
    let s = ws.scopes.iter().find(|s| s.id == "hostile").expect("scope");
    let out = ctrlmap::emit::documents::render_template(
        &ws,
        s,
        &ctrlmap::assess::assess_scope(&ws, s, &ctrlmap::cli::overrides(&ws), AS_OF),
        "client-letter.md.j2",
    )
    .expect("renders");
    assert_inert_markdown("client-letter.md", &out);
}

#[test]
fn hostile_text_is_inert_in_every_page_of_the_pack() {
    let ws = load();
    let s = ws.scopes.iter().find(|s| s.id == "hostile").expect("scope");
    let scratch = support::Scratch::new("pack-hostile");
    let dir = scratch.join("dir");
    ctrlmap::emit::pack::pack(
        &ws,
        s,
        &ctrlmap::assess::assess_scope(&ws, s, &ctrlmap::cli::overrides(&ws), AS_OF),
        AS_OF,
        &dir,
        false,
    )
    .expect("pack");
    let mut pages = 0;
    for entry in walkdir::WalkDir::new(&dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
    {
        let rel = entry
            .path()
            .strip_prefix(&dir)
            .expect("inside")
            .to_string_lossy()
            .into_owned();
        if rel.starts_with("files/") || rel.starts_with("builtin/") {
            continue; // verbatim copies of the inputs, not rendered documents
        }
        let text = std::fs::read_to_string(entry.path()).expect("utf-8");
        if rel.ends_with(".html") {
            pages += 1;
            assert!(!text.contains("<script"), "{rel}: no script element at all");
            for bad in ACTIVE {
                assert!(!text.contains(bad), "{rel}: `{bad}` survived as markup");
            }
        } else if rel.ends_with(".md") {
            assert_inert_markdown(&rel, &text);
        } else if rel.ends_with(".csv") {
            for line in text.lines() {
                assert!(
                    !line.contains(",=") && !line.contains(",\"=") && !line.starts_with('='),
                    "{rel}: formula cell: {line}"
                );
            }
        }
    }
    assert!(
        pages >= 6,
        "index, evidence, matrices, BAA and TPSP pages checked ({pages})"
    );
}
