//! The top level of a YAML document as the parser sees it, with byte ranges: each key of the
//! root mapping, the shape and extent of its value, and for a list each item's extent.
//!
//! Commands that edit a user's file (`scaffold --write`, `scaffold --reconcile --write`) find
//! what they edit here, never by searching the text: a line inside a multi-line quoted string
//! that happens to read `assignments: []` is part of a string value to the parser, not a key.

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
                }
                depth += 1;
            }
            Event::MappingEnd | Event::SequenceEnd => {
                depth = depth.saturating_sub(1);
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
                    item_content(&mut entries, depth, text, start, end, &span);
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
        });
    }
    entry.value_end = entry.value_end.max(end);
    if let Some(item) = entry.items.last_mut() {
        item.end = item.end.max(end);
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
}
