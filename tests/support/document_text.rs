//! The text of a document in each format, its markup taken away, so the Markdown, the HTML and
//! the Word copy of one document can be compared word for word (used by
//! `tests/render_baa_exhibit.rs`).

#![allow(dead_code)]

use std::io::Read;
use std::path::Path;

/// Every part of a Word document that holds text, by name.
pub fn docx_parts(path: &Path) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).expect("docx")).expect("a zip");
    (0..archive.len())
        .map(|i| {
            let mut e = archive.by_index(i).expect("entry");
            let mut text = String::new();
            e.read_to_string(&mut text).expect("utf-8");
            (e.name().map(|n| n.to_string()).unwrap_or_default(), text)
        })
        .collect()
}

pub fn unescape_xml(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

// --- the text of each format ---------------------------------------------------------------

/// The words of a Word document's body: runs joined, paragraphs and cells apart.
pub fn docx_words(document_xml: &str) -> Vec<String> {
    let mut text = String::new();
    for para in document_xml.split("<w:p>").skip(1) {
        let para = para.split("</w:p>").next().unwrap_or_default();
        for piece in para.split("<w:t").skip(1) {
            let Some(start) = piece.find('>') else { continue };
            let body = &piece[start + 1..];
            if let Some(end) = body.find("</w:t>") {
                text.push_str(&unescape_xml(&body[..end]));
            }
        }
        text.push(' ');
    }
    words(&text)
}

/// The words of the HTML: the masthead and the main content and footer, without the page's
/// head, the table of contents (links to the headings) and the heading numbers (Word numbers
/// its headings itself).
pub fn html_words(html: &str) -> Vec<String> {
    let body = html.split("<body>").nth(1).expect("body");
    let mut text = String::new();
    let mut rest = body;
    // Drop the <nav> blocks.
    while let Some(i) = rest.find("<nav") {
        text.push_str(&rest[..i]);
        rest = rest[i..].split_once("</nav>").map_or("", |(_, r)| r);
    }
    text.push_str(rest);
    // Heading numbers: "<h2>3. Title" and "<h3 id=…>5.1 Title".
    let mut out = String::new();
    for (i, piece) in text.split("<h").enumerate() {
        if i == 0 {
            out.push_str(piece);
            continue;
        }
        out.push_str("<h");
        match piece.split_once('>') {
            Some((attrs, after)) if piece.starts_with('2') || piece.starts_with('3') => {
                out.push_str(attrs);
                out.push('>');
                let after = after.trim_start();
                let skip = after
                    .find(' ')
                    .filter(|&k| after[..k].chars().all(|c| c.is_ascii_digit() || c == '.'));
                out.push_str(skip.map_or(after, |k| &after[k..]));
            }
            _ => out.push_str(piece),
        }
    }
    // Tags apart from their text.
    let mut plain = String::new();
    let mut in_tag = false;
    for c in out.chars() {
        match c {
            '<' => {
                in_tag = true;
                plain.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => plain.push(c),
            _ => {}
        }
    }
    words(&unescape_xml(&plain))
}

/// The words of the Markdown, its syntax taken away: headings' marks and numbers, quotes'
/// marks, table pipes and rules, bullets, emphasis, line breaks and escapes.
pub fn md_words(md: &str) -> Vec<String> {
    let mut text = String::new();
    for line in md.lines() {
        let line = line.trim();
        if line == "---" || (line.starts_with('|') && line.trim_matches(|c| c == '|' || c == '-').is_empty()) {
            continue;
        }
        let line = if let Some(h) = line.strip_prefix('#') {
            let h = h.trim_start_matches('#').trim_start();
            match h.split_once(' ') {
                Some((n, rest)) if n.chars().all(|c| c.is_ascii_digit() || c == '.') && !n.is_empty() => rest,
                _ => h,
            }
        } else {
            line.strip_prefix("> ")
                .or_else(|| line.strip_prefix("- "))
                .unwrap_or(line)
        };
        // Cells: split on pipes that are not escaped.
        let mut cell = String::new();
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    if let Some(n) = chars.next() {
                        cell.push(n);
                    }
                }
                '|' => cell.push(' '),
                _ => cell.push(c),
            }
        }
        text.push_str(&cell.replace("**", "").replace("<br>", " "));
        text.push(' ');
    }
    words(&unescape_xml(&text))
}

/// Words, with the em dash that marks an empty cell or introduces a citation left out (the
/// formats set a citation apart differently: a dash, a line of its own).
/// Markdown shows a backtick of user text as an apostrophe (so no code span opens): the
/// comparison does the same.
pub fn words(text: &str) -> Vec<String> {
    text.split_whitespace()
        .filter(|w| *w != "—")
        .map(|w| w.replace('`', "'"))
        .collect()
}

pub fn first_difference(a: &[String], b: &[String]) -> String {
    let i = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let show = |v: &[String]| v[i.saturating_sub(8)..(i + 8).min(v.len())].join(" ");
    format!("at word {i}:\n  {}\n  {}", show(a), show(b))
}
