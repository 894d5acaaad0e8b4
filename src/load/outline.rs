//! The top level of a YAML document as the parser sees it, with byte ranges: each key of the
//! root mapping, the shape and extent of its value, and for a list each item's extent.
//!
//! Commands that edit a user's file (`scaffold --write`, `scaffold --reconcile --write`,
//! `evidence add`, `evidence pin`) find what they edit here, never by searching the text: a line
//! inside a multi-line string that happens to read `assignments: []` is part of a string value
//! to the parser, not a key. [`append_to_list`] and [`set_field`] are the edits they share; they
//! keep everything else of the file (comments, quoting, line breaks, CRLF) as it was.

use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle, Span, StructureStyle};

/// How a top-level value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Nothing after the key (`assignments:`), or `null` / `~`.
    Null,
    Scalar,
    /// `- item` lines.
    BlockList,
    /// `[a, b]`, including `[]`.
    FlowList,
    Mapping,
}

/// One item of a top-level list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The first byte of the line that holds the item's `-` (block lists), or of the item.
    pub start: usize,
    /// The byte after the item's last line (its line break included).
    pub end: usize,
    /// The 1-based line of the item's own content (where its first key or value starts): the
    /// line an entry's origin names.
    pub line: usize,
    /// The keys of an item that is a mapping, in order (empty for any other item).
    pub fields: Vec<Field>,
    /// The item is a flow mapping (`{file: a, …}`), or an item of a flow list.
    pub flow: bool,
}

/// One key of a list item that is a mapping, and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub key: String,
    /// The key's first byte and the byte after it.
    pub key_start: usize,
    pub key_end: usize,
    /// The value's bytes as written (for a missing value, `key_end` twice).
    pub value_start: usize,
    pub value_end: usize,
    /// The value is a single scalar (plain or quoted), not a list, a mapping or nothing.
    pub scalar: bool,
}

/// One key of the root mapping and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: String,
    /// The first byte of the key's line.
    pub line_start: usize,
    /// The byte after the key itself.
    pub key_end: usize,
    /// The key's 1-based line.
    pub line: usize,
    pub shape: Shape,
    /// The value's bytes as written: from its first byte to the byte after its last (for
    /// `Shape::Null`, the end of the key itself).
    pub value_start: usize,
    pub value_end: usize,
    /// The items of a list value, in order.
    pub items: Vec<Item>,
    /// The column (0-based) of the first item's `-`, for a block list.
    pub indent: Option<usize>,
}

/// The root mapping's entries, in order; `Err` when the text does not parse or its root is
/// not a mapping.
pub fn outline(text: &str) -> Result<Vec<Entry>, String> {
    let mut parser = Parser::new_from_str(text);
    let mut entries: Vec<Entry> = Vec::new();
    // Nesting below the document: 1 inside the root mapping, 2 inside a top-level value, …
    let mut depth = 0usize;
    let mut root_seen = false;
    // At depth 1: whether the next node is a key.
    let mut expect_key = true;
    // At depth 3, inside a list item that is a mapping: whether the next node is a key.
    let mut expect_field_key = false;
    // Whether the current list item is a mapping (only then are its keys recorded).
    let mut item_is_mapping = false;
    let offset = |span: &Span, start: bool| -> usize {
        let marker = if start { span.start } else { span.end };
        marker
            .byte_offset()
            .unwrap_or_else(|| char_to_byte(text, marker.index()))
    };
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| {
            let m = e.marker();
            format!("{}:{}: {}", m.line(), m.col() + 1, e.info())
        })?;
        let (start, mut end) = (offset(&span, true), offset(&span, false));
        // A block scalar's span runs on over the blank lines and indentation after it, up to
        // the next token: its value ends at its last character.
        if let Event::Scalar(_, ScalarStyle::Literal | ScalarStyle::Folded, ..) = &event
            && start <= end
            && end <= text.len()
        {
            end = start + text[start..end].trim_end().len();
        }
        match event {
            Event::MappingStart(style, ..) | Event::SequenceStart(style, ..) => {
                let is_list = matches!(event, Event::SequenceStart(..));
                if depth == 0 {
                    if root_seen || is_list {
                        return Err("the document is not a mapping of keys".into());
                    }
                    root_seen = true;
                } else if depth == 1 {
                    let entry = entries.last_mut().ok_or("a value without a key")?;
                    if expect_key {
                        return Err("a key that is not a plain name".into());
                    }
                    entry.shape = match (is_list, style) {
                        (true, StructureStyle::Block) => Shape::BlockList,
                        (true, StructureStyle::Flow) => Shape::FlowList,
                        (false, _) => Shape::Mapping,
                    };
                    entry.value_start = start;
                    entry.value_end = end;
                } else {
                    item_content(&mut entries, depth, text, start, end, &span);
                    if depth == 2 {
                        // A list item that is a mapping: its keys come next.
                        item_is_mapping = !is_list;
                        if let Some(item) = entries.last_mut().and_then(|e| e.items.last_mut())
                            && item_is_mapping
                        {
                            item.flow |= style == StructureStyle::Flow;
                            expect_field_key = true;
                        }
                    } else if depth == 3 && item_is_mapping {
                        field_value(&mut entries, start, end, false);
                    }
                }
                depth += 1;
            }
            Event::MappingEnd | Event::SequenceEnd => {
                depth = depth.saturating_sub(1);
                if depth == 3 && item_is_mapping {
                    expect_field_key = true;
                    // The closing `]` or `}` of a flow value ends it.
                    if let Some(field) = entries
                        .last_mut()
                        .and_then(|e| e.items.last_mut())
                        .and_then(|i| i.fields.last_mut())
                        && text[..end.min(text.len())].ends_with([']', '}'])
                        && text[field.value_start..].starts_with(['[', '{'])
                    {
                        field.value_end = field.value_end.max(end);
                    }
                }
                if depth == 2 {
                    // The closing `}` of a flow mapping item ends the item.
                    if let Some(item) = entries.last_mut().and_then(|e| e.items.last_mut())
                        && item.flow
                        && text[..end.min(text.len())].ends_with('}')
                    {
                        item.end = item.end.max(end);
                    }
                    expect_field_key = false;
                    item_is_mapping = false;
                }
                if depth == 1 {
                    // The closing `]` or `}` of a flow value ends it; a block value's end event
                    // sits wherever the next token is, so it is not used.
                    if let Some(entry) = entries.last_mut()
                        && matches!(entry.shape, Shape::FlowList | Shape::Mapping)
                        && end > entry.value_end
                        && text[entry.value_start..].starts_with(['[', '{'])
                    {
                        entry.value_end = end;
                    }
                    expect_key = true;
                }
            }
            Event::Scalar(value, style, ..) => {
                if depth == 1 {
                    if expect_key {
                        entries.push(Entry {
                            key: value.into_owned(),
                            line_start: line_start(text, start),
                            key_end: end,
                            line: span.start.line(),
                            shape: Shape::Null,
                            value_start: end,
                            value_end: end,
                            items: Vec::new(),
                            indent: None,
                        });
                        expect_key = false;
                    } else {
                        let entry = entries.last_mut().ok_or("a value without a key")?;
                        let null =
                            style == ScalarStyle::Plain && matches!(&*value, "" | "~" | "null" | "Null" | "NULL");
                        if !null {
                            entry.shape = Shape::Scalar;
                            entry.value_start = start;
                            entry.value_end = end;
                        }
                        expect_key = true;
                    }
                } else if depth >= 2 {
                    if depth == 2 {
                        item_is_mapping = false;
                    }
                    item_content(&mut entries, depth, text, start, end, &span);
                    if depth == 3 && item_is_mapping {
                        if expect_field_key {
                            field_key(&mut entries, value.into_owned(), start, end);
                            expect_field_key = false;
                        } else {
                            let null =
                                style == ScalarStyle::Plain && matches!(&*value, "" | "~" | "null" | "Null" | "NULL");
                            if !null {
                                field_value(&mut entries, start, end, true);
                            }
                            expect_field_key = true;
                        }
                    }
                }
            }
            Event::Alias(_) => {
                if depth == 1 {
                    if expect_key {
                        return Err("a key that is not a plain name".into());
                    }
                    if let Some(entry) = entries.last_mut() {
                        entry.shape = Shape::Scalar;
                        entry.value_start = start;
                        entry.value_end = end;
                    }
                    expect_key = true;
                } else if depth >= 2 {
                    item_content(&mut entries, depth, text, start, end, &span);
                    if depth == 3 && item_is_mapping && !expect_field_key {
                        field_value(&mut entries, start, end, true);
                        expect_field_key = true;
                    }
                }
            }
            _ => {}
        }
    }
    if !root_seen {
        return Err("the document is empty".into());
    }
    Ok(entries)
}

/// Record an event inside a top-level value: a new item when it starts one (depth 2 of a
/// list), and in any case the extent of the value and of its current item.
fn item_content(entries: &mut [Entry], depth: usize, text: &str, start: usize, end: usize, span: &Span) {
    let Some(entry) = entries.last_mut() else { return };
    if depth == 2 && matches!(entry.shape, Shape::BlockList | Shape::FlowList) {
        let mut item_start = start;
        if entry.shape == Shape::BlockList {
            // The `-` before the item, on its line or a line above.
            let before = text[..start].trim_end_matches([' ', '\t', '\r', '\n']);
            if before.ends_with('-') {
                item_start = line_start(text, before.len() - 1);
                if entry.indent.is_none() {
                    entry.indent = Some(before.len() - 1 - line_start(text, before.len() - 1));
                }
            } else {
                item_start = line_start(text, start);
            }
        }
        if let Some(previous) = entry.items.last_mut() {
            previous.end = previous.end.min(item_start);
        }
        entry.items.push(Item {
            start: item_start,
            end,
            line: span.start.line(),
            fields: Vec::new(),
            flow: entry.shape == Shape::FlowList,
        });
    }
    entry.value_end = entry.value_end.max(end);
    if let Some(item) = entry.items.last_mut() {
        item.end = item.end.max(end);
        // Anything deeper than a field's key belongs to the last field's value.
        if depth > 3
            && let Some(field) = item.fields.last_mut()
        {
            field.value_end = field.value_end.max(end);
        }
    }
}

/// A key of the current list item (a mapping).
fn field_key(entries: &mut [Entry], key: String, start: usize, end: usize) {
    if let Some(item) = entries.last_mut().and_then(|e| e.items.last_mut()) {
        item.fields.push(Field {
            key,
            key_start: start,
            key_end: end,
            value_start: end,
            value_end: end,
            scalar: false,
        });
    }
}

/// The value of the current item's last key starts here (a scalar, or a list or mapping).
fn field_value(entries: &mut [Entry], start: usize, end: usize, scalar: bool) {
    if let Some(field) = entries
        .last_mut()
        .and_then(|e| e.items.last_mut())
        .and_then(|i| i.fields.last_mut())
    {
        field.value_start = start;
        field.value_end = end;
        field.scalar = scalar;
    }
}

/// The first byte of the line holding byte `at`.
pub fn line_start(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].rfind('\n').map_or(0, |k| k + 1)
}

/// The byte after the line break of the line holding byte `at` (the end of the text when
/// it has none).
pub fn line_end(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    text[at..].find('\n').map_or(text.len(), |k| at + k + 1)
}

fn char_to_byte(text: &str, chars: usize) -> usize {
    text.char_indices().nth(chars).map_or(text.len(), |(b, _)| b)
}

impl Entry {
    /// The byte after the value's last line (line break included): where text that follows
    /// the value goes. The end of a block list is that of its last item.
    pub fn after(&self, text: &str) -> usize {
        let last = match self.shape {
            Shape::BlockList => self.items.last().map_or(self.value_end, |i| i.end),
            _ => self.value_end,
        };
        // A value's last byte may be its line break already (a block scalar).
        if last > 0 && text.as_bytes().get(last - 1) == Some(&b'\n') {
            last
        } else {
            line_end(text, last)
        }
    }
}

impl Item {
    /// The item's whole lines: from its first line to the end of its last (its line break
    /// included).
    pub fn lines(&self, text: &str) -> std::ops::Range<usize> {
        let end = if self.end > 0 && text.as_bytes().get(self.end - 1) == Some(&b'\n') {
            self.end
        } else {
            line_end(text, self.end)
        };
        self.start..end
    }
}

/// The line break a text uses: `\r\n` when its first line ends so, else `\n`. Text added to
/// a file is written with it, so a CRLF file stays CRLF throughout.
pub fn line_break(text: &str) -> &'static str {
    match text.find('\n') {
        Some(k) if k > 0 && text.as_bytes()[k - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// `lines` (written with `\n`) with each line break as `eol`.
fn with_breaks(lines: &str, eol: &str) -> String {
    if eol == "\n" {
        lines.to_string()
    } else {
        lines.replace('\n', eol)
    }
}

/// Why a top-level list could not take new items; the line is the key's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListEdit {
    /// The text does not parse as a mapping of keys.
    Unparsed(String),
    /// The list is written in flow style (`key: [a, b]`) with items.
    Flow { line: usize },
    /// The key holds something other than a list.
    NotAList { line: usize },
}

impl ListEdit {
    /// What went wrong, for a message after `FILE:` (a line number first when there is one).
    pub fn describe(&self, key: &str) -> String {
        match self {
            ListEdit::Unparsed(why) => format!(" the file does not parse ({why})"),
            ListEdit::Flow { line } => format!(
                "{line}: `{key}:` is written in flow style (`[…]`); write it as a block list (one `- ` item per entry) and run again"
            ),
            ListEdit::NotAList { line } => format!("{line}: `{key}:` is not a list"),
        }
    }
}

/// `text` with `items` added to its top-level list `key`: at the end of a block list, with
/// the list's indentation; in place of `key: []` or an empty `key:` (a comment on that line
/// stays); or, when there is no such key, as a new `key:` at the end of the file, after the
/// comment lines `header` (may be empty). `items` are block-list items written from column 0
/// with `\n` line breaks (`- a: 1\n  b: 2\n`); they are indented to the list and written
/// with the file's own line breaks. Where the list is comes from the parsed document.
pub fn append_to_list(text: &str, key: &str, items: &str, header: &str) -> Result<String, ListEdit> {
    let entries = outline(text).map_err(ListEdit::Unparsed)?;
    let eol = line_break(text);
    let indented = |by: usize| -> String {
        let pad = " ".repeat(by);
        let mut out = String::with_capacity(items.len() + by * 8);
        for line in items.lines() {
            if !line.is_empty() {
                out.push_str(&pad);
            }
            out.push_str(line);
            out.push_str(eol);
        }
        out
    };
    let mut new = String::with_capacity(text.len() + items.len() + 64);
    let Some(list) = entries.iter().find(|e| e.key == key) else {
        new.push_str(text);
        if !new.is_empty() && !new.ends_with('\n') {
            new.push_str(eol);
        }
        if !header.is_empty() {
            new.push_str(eol);
            new.push_str(&with_breaks(header, eol));
        }
        new.push_str(key);
        new.push(':');
        new.push_str(eol);
        new.push_str(&indented(2));
        return Ok(new);
    };
    match list.shape {
        Shape::BlockList => {
            let at = list.after(text);
            new.push_str(&text[..at]);
            if !new.ends_with('\n') {
                new.push_str(eol);
            }
            new.push_str(&indented(list.indent.unwrap_or(2)));
            new.push_str(&text[at..]);
        }
        Shape::Null | Shape::FlowList if list.shape == Shape::Null || list.items.is_empty() => {
            // `key:` or `key: []`: the value goes, a comment on the line stays.
            let line_end = line_end(text, list.value_end);
            new.push_str(&text[..list.key_end]);
            new.push(':');
            let rest = text[list.value_end..line_end]
                .trim_end_matches(['\n', '\r'])
                .trim_start();
            if rest.starts_with('#') {
                new.push_str("  ");
                new.push_str(rest);
            }
            new.push_str(eol);
            new.push_str(&indented(2));
            new.push_str(&text[line_end..]);
        }
        Shape::FlowList | Shape::Null => return Err(ListEdit::Flow { line: list.line }),
        Shape::Scalar | Shape::Mapping => return Err(ListEdit::NotAList { line: list.line }),
    }
    Ok(new)
}

/// One change to a list item's field: its `key` set to the scalar `value` (written as given:
/// quote it first if it needs quotes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldEdit<'a> {
    pub item: &'a Item,
    pub key: &'a str,
    pub value: String,
}

/// `text` with each edit made: a field that holds a scalar gets the new value in place (a
/// quoted value keeps its quote marks); an empty one gets the value after its colon; a
/// missing one becomes a new line `key: value` after the item's last line, at the
/// indentation of the item's keys (for a flow mapping item, `, key: value` before its `}`).
/// `Err` names the item's line when its field holds a list or a mapping.
pub fn set_fields(text: &str, edits: &[FieldEdit<'_>]) -> Result<String, usize> {
    let eol = line_break(text);
    // (at, replace up to, new text), made from the end of the file back.
    let mut splices: Vec<(usize, usize, String)> = Vec::with_capacity(edits.len());
    for edit in edits {
        let item = edit.item;
        match item.fields.iter().find(|f| f.key == edit.key) {
            Some(f) if f.scalar => {
                let old = &text[f.value_start..f.value_end];
                let quote = old.chars().next().filter(|c| *c == '"' || *c == '\'');
                let value = match quote {
                    Some(q) if !edit.value.starts_with(['"', '\'']) => format!("{q}{}{q}", edit.value),
                    _ => edit.value.clone(),
                };
                splices.push((f.value_start, f.value_end, value));
            }
            Some(f) if f.value_start == f.key_end => {
                let colon = text[f.key_end..].find(':').map_or(f.key_end, |k| f.key_end + k + 1);
                splices.push((colon, colon, format!(" {}", edit.value)));
            }
            Some(_) => return Err(item.line),
            None if item.flow => {
                let close = text[..item.end].rfind('}').ok_or(item.line)?;
                let before = text[..close].trim_end();
                let sep = if before.ends_with(['{', ',']) { " " } else { ", " };
                splices.push((close, close, format!("{sep}{}: {}", edit.key, edit.value)));
            }
            None => {
                let first = item.fields.first().ok_or(item.line)?;
                let column = first.key_start - line_start(text, first.key_start);
                let at = item.lines(text).end;
                let mut line = String::new();
                if at > 0 && !text[..at].ends_with('\n') {
                    line.push_str(eol);
                }
                line.push_str(&" ".repeat(column));
                line.push_str(&format!("{}: {}", edit.key, edit.value));
                line.push_str(eol);
                splices.push((at, at, line));
            }
        }
    }
    splices.sort_by_key(|(at, to, _)| (*at, *to));
    let mut new = String::with_capacity(text.len() + splices.len() * 80);
    let mut cursor = 0;
    for (at, to, value) in splices {
        if at < cursor {
            continue;
        }
        new.push_str(&text[cursor..at]);
        new.push_str(&value);
        cursor = to;
    }
    new.push_str(&text[cursor..]);
    Ok(new)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry<'a>(entries: &'a [Entry], key: &str) -> &'a Entry {
        entries.iter().find(|e| e.key == key).expect("key")
    }

    #[test]
    fn a_key_inside_a_quoted_string_is_no_key() {
        let text = "kind: scope\nnotes: \"first line\n  assignments: []\n  last\"\nclient_owned:\n  - control: a:b\n";
        let entries = outline(text).expect("parses");
        let keys: Vec<&str> = entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["kind", "notes", "client_owned"]);
        let notes = entry(&entries, "notes");
        assert_eq!(notes.shape, Shape::Scalar);
        assert_eq!(
            &text[notes.value_start..notes.value_end],
            "\"first line\n  assignments: []\n  last\""
        );
    }

    #[test]
    fn block_list_items_run_from_their_dash_line_to_their_last_line() {
        let text = "a: 1\nlist:\n  # about x\n  - control: x\n    duty: >-\n      two\n      lines\n  -\n    control: y\nafter: 2\n";
        let entries = outline(text).expect("parses");
        let list = entry(&entries, "list");
        assert_eq!(list.shape, Shape::BlockList);
        assert_eq!(list.indent, Some(2));
        assert_eq!(list.items.len(), 2);
        assert_eq!(
            &text[list.items[0].lines(text)],
            "  - control: x\n    duty: >-\n      two\n      lines\n"
        );
        assert_eq!(list.items[0].line, 4);
        assert_eq!(&text[list.items[1].lines(text)], "  -\n    control: y\n");
        assert_eq!(&text[list.after(text)..], "after: 2\n");
    }

    #[test]
    fn empty_and_flow_values_are_told_apart() {
        let text = "a: []\nb:\nc: [x, y]  # comment\nd: ~\n";
        let entries = outline(text).expect("parses");
        assert_eq!(entry(&entries, "a").shape, Shape::FlowList);
        assert!(entry(&entries, "a").items.is_empty());
        assert_eq!(entry(&entries, "b").shape, Shape::Null);
        let c = entry(&entries, "c");
        assert_eq!(c.shape, Shape::FlowList);
        assert_eq!(&text[c.value_start..c.value_end], "[x, y]");
        assert_eq!(c.items.len(), 2);
        assert_eq!(entry(&entries, "d").shape, Shape::Null);
    }

    #[test]
    fn a_document_that_is_not_a_mapping_is_refused() {
        assert!(outline("- a\n- b\n").is_err());
        assert!(outline("a: [\n").is_err());
        assert!(outline("").is_err());
    }

    #[test]
    fn the_keys_of_mapping_items_are_found_with_their_values() {
        let text = "evidence:\n  - file: a.md\n    controls: [\"x:1\", \"x:2\"]\n    title: |\n      sha256: not a key\n    sha256: \"00\"\n  - {file: b.md, owner: msp}\n";
        let entries = outline(text).expect("parses");
        let list = entry(&entries, "evidence");
        let keys: Vec<&str> = list.items[0].fields.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["file", "controls", "title", "sha256"]);
        let value = |f: &Field| &text[f.value_start..f.value_end];
        assert_eq!(value(&list.items[0].fields[1]), "[\"x:1\", \"x:2\"]");
        assert!(!list.items[0].fields[1].scalar);
        assert_eq!(value(&list.items[0].fields[3]), "\"00\"");
        assert!(list.items[1].flow);
        assert_eq!(
            &text[list.items[1].start..list.items[1].end],
            "  - {file: b.md, owner: msp}"
        );
    }

    #[test]
    fn set_fields_replaces_in_place_adds_a_line_or_adds_to_a_flow_item() {
        let text = "evidence:\n  - file: a.md  # first\n    sha256: \"00\"\n  - file: b.md\n    title: >-\n      folded\n  - {file: c.md}\nnext: 1\n";
        let entries = outline(text).expect("parses");
        let items = &entry(&entries, "evidence").items;
        let edits: Vec<FieldEdit> = items
            .iter()
            .map(|item| FieldEdit {
                item,
                key: "sha256",
                value: "ff".into(),
            })
            .collect();
        let new = set_fields(text, &edits).expect("edited");
        assert_eq!(
            new,
            "evidence:\n  - file: a.md  # first\n    sha256: \"ff\"\n  - file: b.md\n    title: >-\n      folded\n    sha256: ff\n  - {file: c.md, sha256: ff}\nnext: 1\n"
        );
    }

    #[test]
    fn append_to_list_keeps_crlf_and_refuses_a_flow_list_with_items() {
        let text = "a: 1\r\nlist: []\r\n";
        let new = append_to_list(text, "list", "- x: 1\n  y: 2\n", "").expect("appended");
        assert_eq!(new, "a: 1\r\nlist:\r\n  - x: 1\r\n    y: 2\r\n");
        assert_eq!(
            append_to_list("list: [1]\n", "list", "- 2\n", ""),
            Err(ListEdit::Flow { line: 1 })
        );
        assert_eq!(
            append_to_list("list: 1\n", "list", "- 2\n", ""),
            Err(ListEdit::NotAList { line: 1 })
        );
    }
}
