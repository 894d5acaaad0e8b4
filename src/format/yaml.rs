//! YAML → a tree of nodes that remember where they came from.
//!
//! We read the event stream of serde-saphyr's parser (granit-parser) ourselves instead of
//! deserializing straight into types, because a compliance lead needs *every* problem of a
//! file at once, each with its line and column: a duplicate key must not hide a wrong type
//! three lines further down. The tree keeps the position of every key and value, so a JSON
//! Schema error (which names a JSON pointer) can be mapped back to file:line:column.
//!
//! Scalars are resolved with the YAML 1.2 core schema and nothing more: `true`/`false` are
//! booleans, `yes`/`no`/`on`/`off` stay strings, `010` is the integer 10 (not octal 8) and
//! dates stay strings. Aliases are expanded under a budget and nesting is bounded, so an
//! alias bomb or a deeply nested document is refused in bounded time and memory.

use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle, Span};
use std::collections::HashMap;

pub use crate::model::Pos;

#[derive(Debug, Clone)]
pub struct Node {
    pub value: NodeValue,
    pub pos: Pos,
}

#[derive(Debug, Clone)]
pub enum NodeValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub key: String,
    pub key_pos: Pos,
    pub value: Node,
}

/// A problem found while reading the YAML itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum YamlProblem {
    Syntax { pos: Pos, message: String },
    DuplicateKey { key: String, pos: Pos, first: Pos },
    TooComplex { pos: Pos, message: String },
    NonStringKey { pos: Pos },
    MultipleDocuments { pos: Pos },
}

/// Limits that keep hostile input cheap to refuse.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deepest nesting of sequences and mappings.
    pub max_depth: usize,
    /// Most nodes (keys, items, scalars) in the tree, counting every node an alias expands
    /// to. A plain 16 MiB file of three-field entries has about 1.2 million.
    pub max_nodes: usize,
    /// Most bytes of text (keys and scalar values) in the tree, counting every byte an
    /// alias expands to: one long string repeated by aliases is a bomb too.
    pub max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 64,
            max_nodes: 2_000_000,
            max_bytes: 32 * 1024 * 1024,
        }
    }
}

/// The parsed document (if the syntax allowed one) and every problem found on the way.
pub struct Parsed {
    pub root: Option<Node>,
    pub problems: Vec<YamlProblem>,
}

fn pos_of(span: &Span) -> Pos {
    Pos {
        line: span.start.line(),
        column: span.start.col() + 1,
    }
}

/// What a subtree costs: its nodes and the bytes of its text.
#[derive(Debug, Clone, Copy, Default)]
struct Cost {
    nodes: usize,
    bytes: usize,
}

/// An open collection: its items so far, start, anchor id and the cost so far at its start
/// (so an anchored collection knows its size when an alias repeats it).
enum Frame {
    Seq(Vec<Node>, Pos, usize, Cost),
    Map(Vec<Entry>, Pos, usize, Cost, Option<(String, Pos)>, KeyIndex),
}

/// Where each key of a large mapping sits, so finding a duplicate key stays linear in the
/// size of the mapping (small mappings are searched directly).
#[derive(Default)]
struct KeyIndex(Option<HashMap<String, usize>>);

impl KeyIndex {
    /// Mappings up to this many entries are searched without an index.
    const DIRECT: usize = 16;

    fn find(&mut self, entries: &[Entry], key: &str) -> Option<usize> {
        if entries.len() <= Self::DIRECT {
            return entries.iter().position(|e| e.key == key);
        }
        let index = self
            .0
            .get_or_insert_with(|| entries.iter().enumerate().map(|(i, e)| (e.key.clone(), i)).collect());
        index.get(key).copied()
    }

    fn added(&mut self, key: &str, at: usize) {
        if let Some(index) = &mut self.0 {
            index.insert(key.to_string(), at);
        }
    }
}

struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, Cost)>,
    nodes: usize,
    bytes: usize,
    limits: Limits,
    problems: Vec<YamlProblem>,
    root: Option<Node>,
    documents: usize,
}

#[cfg(test)]
fn node_size(node: &Node) -> usize {
    match &node.value {
        NodeValue::Seq(items) => 1 + items.iter().map(node_size).sum::<usize>(),
        NodeValue::Map(entries) => 1 + entries.iter().map(|e| 1 + node_size(&e.value)).sum::<usize>(),
        _ => 1,
    }
}

impl Builder {
    fn cost(&self) -> Cost {
        Cost {
            nodes: self.nodes,
            bytes: self.bytes,
        }
    }

    /// A closed collection counts 1 itself; an alias to it later costs its whole subtree.
    fn push_collection(&mut self, node: Node, anchor: usize, before: Cost) -> Result<(), YamlProblem> {
        if anchor != 0 {
            let subtree = Cost {
                nodes: self.nodes - before.nodes + 1,
                bytes: self.bytes - before.bytes,
            };
            self.anchors.insert(anchor, (node.clone(), subtree));
        }
        self.push(node, 0, Cost { nodes: 1, bytes: 0 })
    }

    /// Would adding `cost` exceed a budget? The problem to report if so.
    fn over_budget(&self, cost: Cost, pos: Pos) -> Option<YamlProblem> {
        if self.nodes.saturating_add(cost.nodes) > self.limits.max_nodes {
            return Some(YamlProblem::TooComplex {
                pos,
                message: format!(
                    "the document has more than {} keys and values (counting what aliases repeat)",
                    self.limits.max_nodes
                ),
            });
        }
        if self.bytes.saturating_add(cost.bytes) > self.limits.max_bytes {
            return Some(YamlProblem::TooComplex {
                pos,
                message: format!(
                    "the document expands to more than {} bytes of text (aliases repeating a long value?)",
                    self.limits.max_bytes
                ),
            });
        }
        None
    }

    /// Attach a finished node to its parent (or make it the root). Fails when a budget is
    /// exhausted.
    fn push(&mut self, node: Node, anchor: usize, cost: Cost) -> Result<(), YamlProblem> {
        if let Some(problem) = self.over_budget(cost, node.pos) {
            return Err(problem);
        }
        self.nodes += cost.nodes;
        self.bytes += cost.bytes;
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), cost));
        }
        match self.stack.last_mut() {
            None => {
                if self.documents <= 1 {
                    self.root = Some(node);
                }
            }
            Some(Frame::Seq(items, ..)) => items.push(node),
            Some(Frame::Map(entries, _, _, _, pending, index)) => match pending.take() {
                None => match node.value {
                    NodeValue::Str(key) => *pending = Some((key, node.pos)),
                    NodeValue::Null | NodeValue::Bool(_) | NodeValue::Int(_) | NodeValue::Float(_) => {
                        // Scalar keys that resolve to other types are still names to a user.
                        let key = scalar_text(&node.value);
                        *pending = Some((key, node.pos));
                    }
                    _ => {
                        self.problems.push(YamlProblem::NonStringKey { pos: node.pos });
                        *pending = Some((String::new(), node.pos));
                    }
                },
                Some((key, key_pos)) => {
                    if let Some(first) = index.find(entries, &key) {
                        self.problems.push(YamlProblem::DuplicateKey {
                            key,
                            pos: key_pos,
                            first: entries[first].key_pos,
                        });
                    } else {
                        index.added(&key, entries.len());
                        entries.push(Entry {
                            key,
                            key_pos,
                            value: node,
                        });
                    }
                }
            },
        }
        Ok(())
    }
}

fn scalar_text(v: &NodeValue) -> String {
    match v {
        NodeValue::Null => "null".into(),
        NodeValue::Bool(b) => b.to_string(),
        NodeValue::Int(i) => i.to_string(),
        NodeValue::Float(f) => f.to_string(),
        NodeValue::Str(s) => s.clone(),
        _ => String::new(),
    }
}

/// Resolve a plain scalar with the YAML 1.2 core schema.
fn resolve_plain(text: &str) -> NodeValue {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return NodeValue::Null,
        "true" | "True" | "TRUE" => return NodeValue::Bool(true),
        "false" | "False" | "FALSE" => return NodeValue::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return NodeValue::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return NodeValue::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return NodeValue::Float(f64::NAN),
        _ => {}
    }
    let bytes = text.as_bytes();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits(unsigned) {
        if let Ok(i) = text.parse::<i64>() {
            return NodeValue::Int(i);
        }
        if let Ok(f) = text.parse::<f64>() {
            return NodeValue::Float(f);
        }
    }
    if let Some(hex) = text.strip_prefix("0x")
        && !hex.is_empty()
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
        && let Ok(i) = i64::from_str_radix(hex, 16)
    {
        return NodeValue::Int(i);
    }
    if let Some(oct) = text.strip_prefix("0o")
        && !oct.is_empty()
        && oct.bytes().all(|b| (b'0'..=b'7').contains(&b))
        && let Ok(i) = i64::from_str_radix(oct, 8)
    {
        return NodeValue::Int(i);
    }
    // Core-schema float: [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
    let looks_float = !bytes.is_empty()
        && unsigned.bytes().any(|b| b.is_ascii_digit())
        && unsigned
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'e' || b == b'E' || b == b'-' || b == b'+')
        && unsigned.bytes().next().is_some_and(|b| b.is_ascii_digit() || b == b'.');
    if looks_float && let Ok(f) = text.parse::<f64>() {
        return NodeValue::Float(f);
    }
    NodeValue::Str(text.to_string())
}

/// Parse one YAML document. Never panics; every problem is returned, positioned.
pub fn parse(text: &str, limits: Limits) -> Parsed {
    let mut b = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        bytes: 0,
        limits,
        problems: Vec::new(),
        root: None,
        documents: 0,
    };
    let mut parser = Parser::new_from_str(text);
    while let Some(next) = parser.next_event() {
        let (event, span) = match next {
            Ok(ok) => ok,
            Err(err) => {
                let m = err.marker();
                let pos = Pos {
                    line: m.line(),
                    column: m.col() + 1,
                };
                let message = err.info().to_string();
                b.problems.push(if message.contains("recursion limit") {
                    YamlProblem::TooComplex {
                        pos,
                        message: format!("nesting is too deep ({message})"),
                    }
                } else {
                    YamlProblem::Syntax { pos, message }
                });
                return Parsed {
                    root: None,
                    problems: b.problems,
                };
            }
        };
        let pos = pos_of(&span);
        let outcome = match event {
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => Ok(()),
            Event::DocumentStart(..) => {
                b.documents += 1;
                if b.documents == 2 {
                    b.problems.push(YamlProblem::MultipleDocuments { pos });
                }
                Ok(())
            }
            Event::Scalar(text, style, anchor, tag) => {
                let bytes = text.len();
                let value = if style == ScalarStyle::Plain && tag.is_none() {
                    resolve_plain(&text)
                } else {
                    NodeValue::Str(text.into_owned())
                };
                b.push(Node { value, pos }, anchor, Cost { nodes: 1, bytes })
            }
            Event::SequenceStart(_, anchor, _) => {
                if b.stack.len() >= limits.max_depth {
                    Err(YamlProblem::TooComplex {
                        pos,
                        message: format!("nesting is deeper than {} levels", limits.max_depth),
                    })
                } else {
                    b.stack.push(Frame::Seq(Vec::new(), pos, anchor, b.cost()));
                    Ok(())
                }
            }
            Event::MappingStart(_, anchor, _) => {
                if b.stack.len() >= limits.max_depth {
                    Err(YamlProblem::TooComplex {
                        pos,
                        message: format!("nesting is deeper than {} levels", limits.max_depth),
                    })
                } else {
                    b.stack
                        .push(Frame::Map(Vec::new(), pos, anchor, b.cost(), None, KeyIndex::default()));
                    Ok(())
                }
            }
            Event::SequenceEnd | Event::MappingEnd => match b.stack.pop() {
                Some(Frame::Seq(items, start, anchor, before)) => {
                    let node = Node {
                        value: NodeValue::Seq(items),
                        pos: start,
                    };
                    b.push_collection(node, anchor, before)
                }
                Some(Frame::Map(entries, start, anchor, before, ..)) => {
                    let node = Node {
                        value: NodeValue::Map(entries),
                        pos: start,
                    };
                    b.push_collection(node, anchor, before)
                }
                None => Ok(()),
            },
            Event::Alias(id) => match b.anchors.get(&id) {
                Some((node, cost)) => {
                    let cost = *cost;
                    // Check the budgets before cloning, so a bomb never allocates.
                    match b.over_budget(cost, pos) {
                        Some(problem) => Err(problem),
                        None => {
                            let mut node = node.clone();
                            node.pos = pos;
                            b.push(node, 0, cost)
                        }
                    }
                }
                None => Err(YamlProblem::Syntax {
                    pos,
                    message: "alias refers to an unknown anchor".into(),
                }),
            },
            _ => Ok(()),
        };
        if let Err(problem) = outcome {
            b.problems.push(problem);
            return Parsed {
                root: None,
                problems: b.problems,
            };
        }
    }
    Parsed {
        root: b.root,
        problems: b.problems,
    }
}

impl Node {
    /// Convert to JSON for schema validation and typed deserialization.
    pub fn to_json(&self) -> serde_json::Value {
        self.clone().take_json()
    }

    /// Convert to JSON, moving the string values out instead of copying them: the tree keeps
    /// its keys and positions (all that locating a pointer needs) and its strings are left
    /// empty. For loading, where the tree is only used for positions afterwards.
    pub fn take_json(&mut self) -> serde_json::Value {
        use serde_json::Value;
        match &mut self.value {
            NodeValue::Null => Value::Null,
            NodeValue::Bool(b) => Value::Bool(*b),
            NodeValue::Int(i) => Value::from(*i),
            NodeValue::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            NodeValue::Str(s) => Value::String(std::mem::take(s)),
            NodeValue::Seq(items) => Value::Array(items.iter_mut().map(Node::take_json).collect()),
            NodeValue::Map(entries) => Value::Object(
                entries
                    .iter_mut()
                    .map(|e| (e.key.clone(), e.value.take_json()))
                    .collect(),
            ),
        }
    }

    /// Follow a JSON pointer (`/controls/3/id`) and return the node there.
    pub fn at(&self, pointer: &str) -> Option<&Node> {
        let mut node = self;
        for token in pointer.split('/').skip(1) {
            let token: std::borrow::Cow<str> = if token.contains('~') {
                token.replace("~1", "/").replace("~0", "~").into()
            } else {
                token.into()
            };
            node = match &node.value {
                NodeValue::Seq(items) => items.get(token.parse::<usize>().ok()?)?,
                NodeValue::Map(entries) => &entries.iter().find(|e| e.key == *token)?.value,
                _ => return None,
            };
        }
        Some(node)
    }

    /// Position of a key inside the mapping at `pointer`.
    pub fn key_pos(&self, pointer: &str, key: &str) -> Option<Pos> {
        match &self.at(pointer)?.value {
            NodeValue::Map(entries) => entries.iter().find(|e| e.key == key).map(|e| e.key_pos),
            _ => None,
        }
    }

    /// The position best describing `pointer`: the value if it exists, else the closest
    /// existing ancestor.
    pub fn locate(&self, pointer: &str) -> Pos {
        let mut p = pointer.to_string();
        loop {
            if let Some(n) = self.at(&p) {
                return n.pos;
            }
            match p.rfind('/') {
                Some(i) => p.truncate(i),
                None => return self.pos,
            }
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            NodeValue::Str(s) => Some(s),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Node {
        let parsed = parse(text, Limits::default());
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        parsed.root.expect("a document")
    }

    #[test]
    fn yaml_1_1_booleans_and_octals_are_not_resolved() {
        let r = root("a: yes\nb: NO\nc: 010\nd: on\ne: true\nf: 2026-01-15\n");
        let j = r.to_json();
        assert_eq!(j["a"], "yes");
        assert_eq!(j["b"], "NO");
        assert_eq!(j["c"], 10);
        assert_eq!(j["d"], "on");
        assert_eq!(j["e"], true);
        assert_eq!(j["f"], "2026-01-15");
    }

    #[test]
    fn quoted_scalars_stay_strings() {
        let j = root("a: 'true'\nb: \"12\"\n").to_json();
        assert_eq!(j["a"], "true");
        assert_eq!(j["b"], "12");
    }

    #[test]
    fn positions_are_one_based_and_point_at_keys_and_values() {
        let r = root("kind: scope\nclient:\n  name: X\n");
        assert_eq!(r.key_pos("/client", "name"), Some(Pos { line: 3, column: 3 }));
        assert_eq!(r.locate("/client/name"), Pos { line: 3, column: 9 });
        assert_eq!(r.locate("/client/missing"), Pos { line: 3, column: 3 });
    }

    #[test]
    fn duplicate_keys_are_reported_and_parsing_goes_on() {
        let parsed = parse("a: 1\nb: 2\na: 3\nc: 4\n", Limits::default());
        assert_eq!(
            parsed.problems,
            vec![YamlProblem::DuplicateKey {
                key: "a".into(),
                pos: Pos { line: 3, column: 1 },
                first: Pos { line: 1, column: 1 }
            }]
        );
        let j = parsed.root.expect("root").to_json();
        assert_eq!(j["a"], 1);
        assert_eq!(j["c"], 4);
    }

    #[test]
    fn alias_bomb_is_refused_without_expanding_it() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let parsed = parse(&text, Limits::default());
        assert!(parsed.root.is_none());
        assert!(matches!(parsed.problems[0], YamlProblem::TooComplex { .. }));
    }

    #[test]
    fn one_long_string_repeated_by_aliases_is_refused_before_it_is_copied() {
        let mut text = format!("a: &big \"{}\"\nlist:\n", "x".repeat(1024 * 1024));
        for _ in 0..1000 {
            text.push_str("  - *big\n");
        }
        let parsed = parse(&text, Limits::default());
        assert!(parsed.root.is_none());
        assert!(
            matches!(&parsed.problems[0], YamlProblem::TooComplex { message, .. } if message.contains("bytes")),
            "{:?}",
            parsed.problems
        );
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let parsed = parse(&text, Limits::default());
        assert!(parsed.root.is_none());
        assert!(
            matches!(parsed.problems[0], YamlProblem::TooComplex { .. }),
            "{:?}",
            parsed.problems
        );
    }

    #[test]
    fn syntax_errors_carry_a_position() {
        let parsed = parse("a: [1, 2\nb: 3\n", Limits::default());
        assert!(matches!(parsed.problems[0], YamlProblem::Syntax { .. }));
    }

    #[test]
    fn small_aliases_expand() {
        let j = root("base: &b {x: 1}\nother: *b\n").to_json();
        assert_eq!(j["other"]["x"], 1);
        // map + key + sequence + two items
        assert_eq!(node_size(&root("a: [1, 2]")), 5);
    }
}
