//! One file read, parsed and validated (schema), ready to be typed: the read policy's refusals,
//! YAML problems and schema errors become diagnostics, and values that failed their schema
//! are pruned so typing uses only the rest.
//!
//! May use: `model`, `fs`, `format`.

use super::*;

/// One file read, parsed and validated, not yet recorded in the workspace.
pub(super) struct Prepared {
    pub(super) file: String,
    pub(super) text: Option<String>,
    pub(super) sha256: Option<String>,
    pub(super) diagnostics: Vec<Diagnostic>,
    pub(super) doc: Option<(Kind, Doc)>,
}

impl Prepared {
    fn failed(file: &str, diagnostic: Diagnostic) -> Prepared {
        Prepared {
            file: file.to_string(),
            text: None,
            sha256: None,
            diagnostics: vec![diagnostic],
            doc: None,
        }
    }
}

/// The diagnostic for a file the read policy refused (nothing of it is shown: a link to
/// `/proc/self/environ` must not print the environment).
pub(super) fn refused(file: &str, why: &Refusal) -> Diagnostic {
    let code = match why {
        Refusal::TooLarge { .. } => Code::E013,
        _ => Code::E016,
    };
    Diagnostic::new(file, Pos::START, code, format!("the file {why}"), why.help())
}

/// Read a workspace file and prepare it (no shared state: runs in parallel).
pub(super) fn prepare_file(
    reader: &Root,
    schemas: &Schemas,
    rel: &str,
    path: &Path,
    expected: Option<Kind>,
    options: LoadOptions,
) -> Prepared {
    match reader.read(path, MAX_INPUT_BYTES) {
        Ok(bytes) => prepare_bytes(schemas, rel, bytes, expected, options),
        Err(why) => Prepared::failed(rel, refused(rel, &why)),
    }
}

/// Prepare a file from its bytes: UTF-8, YAML, kind and schema.
pub(super) fn prepare_bytes(
    schemas: &Schemas,
    rel: &str,
    bytes: Vec<u8>,
    expected: Option<Kind>,
    options: LoadOptions,
) -> Prepared {
    let sha = crate::model::digest::sha256_hex(&bytes);
    let mut prepared = match String::from_utf8(bytes) {
        Ok(text) => prepare_text(schemas, rel, text, expected, options),
        Err(e) => Prepared::failed(
            rel,
            Diagnostic::new(
                rel,
                Pos::START,
                Code::E001,
                format!(
                    "the file is not UTF-8 text (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                ),
                "save the file as UTF-8",
            ),
        ),
    };
    prepared.sha256 = Some(sha);
    prepared
}

/// Parse a file's text, check its kind and validate it against its schema.
pub(super) fn prepare_text(
    schemas: &Schemas,
    file: &str,
    text: String,
    expected: Option<Kind>,
    options: LoadOptions,
) -> Prepared {
    let parsed = crate::format::yaml::parse(&text, Limits::default());
    let mut out = Prepared {
        file: file.to_string(),
        text: None,
        sha256: None,
        diagnostics: parsed.problems.iter().map(|p| yaml_diagnostic(file, p)).collect(),
        doc: None,
    };
    let Some(mut root) = parsed.root else {
        if out.diagnostics.is_empty() && !options.allow_empty {
            let what = expected.map_or("file", |k| k.name());
            out.diagnostics.push(Diagnostic::new(
                file,
                Pos::START,
                Code::E020,
                format!("the file is empty (or holds only comments): it defines no {what}, and would be skipped"),
                format!("write the {what} (start with `kind: {what}`), delete the file, or pass `--allow-empty` to skip empty files"),
            ));
        }
        out.text = Some(text);
        return out;
    };
    let json = root.take_json();
    let kind_text = json.get("kind").and_then(Value::as_str);
    let kind = match kind_text.and_then(Kind::parse) {
        Some(k) => k,
        None => {
            let expected_name = expected.map_or(
                "one of catalog, crosswalk, service, scope, package, party, policy, config".to_string(),
                |k| format!("`{}`", k.name()),
            );
            let (pos, message) = match kind_text {
                Some(k) => (root.locate("/kind"), format!("unknown kind `{k}`")),
                None if json.get("kind").is_some() => (
                    root.locate("/kind"),
                    format!("`kind` must be a word, not {}", json_type(&json["kind"])),
                ),
                None if json.is_object() => (root.pos, "missing `kind`".to_string()),
                None => (root.pos, "the file is not a mapping with a `kind`".to_string()),
            };
            out.diagnostics.push(Diagnostic::new(
                file,
                pos,
                Code::E014,
                message,
                format!("start the file with `kind:` set to {expected_name}"),
            ));
            out.text = Some(text);
            return out;
        }
    };
    if let Some(expected) = expected
        && expected != kind
        && !(expected == Kind::Catalog && kind == Kind::Crosswalk)
    {
        out.diagnostics.push(Diagnostic::new(
            file,
            root.locate("/kind"),
            Code::E014,
            format!("a `{}` file in the folder for `{}` files", kind.name(), expected.name()),
            format!("move the file to the folder for {} files, or fix `kind`", kind.name()),
        ));
        out.text = Some(text);
        return out;
    }
    let (diags, bad) = schemas.validate(kind, file, &root, &json);
    out.diagnostics.extend(diags);
    let json = prune(json, &bad);
    out.doc = Some((
        kind,
        Doc {
            file: file.into(),
            root,
            json,
        },
    ));
    out.text = Some(text);
    out
}

fn yaml_diagnostic(file: &str, problem: &YamlProblem) -> Diagnostic {
    match problem {
        YamlProblem::Syntax { pos, message } => Diagnostic::new(
            file,
            *pos,
            Code::E001,
            format!("invalid YAML: {message}"),
            "fix the YAML syntax at this point (check indentation, brackets and quotes)",
        ),
        YamlProblem::DuplicateKey { key, pos, first } => Diagnostic::new(
            file,
            *pos,
            Code::E002,
            format!(
                "duplicate key `{key}` (first defined at line {}, column {})",
                first.line, first.column
            ),
            "remove one of them; YAML keeps only one value per key",
        ),
        YamlProblem::TooComplex { pos, message } => Diagnostic::new(
            file,
            *pos,
            Code::E013,
            format!("refused: {message}"),
            "write the data out plainly; ctrlmap bounds alias expansion and nesting",
        ),
        YamlProblem::NonStringKey { pos } => Diagnostic::new(
            file,
            *pos,
            Code::E004,
            "a mapping key must be a plain name",
            "write the key as a string",
        ),
        YamlProblem::MultipleDocuments { pos } => Diagnostic::new(
            file,
            *pos,
            Code::E001,
            "more than one YAML document in the file",
            "keep one document per file (remove the extra `---`)",
        ),
    }
}

/// Leave out the values that failed their schema, so the typed phase uses only the rest.
/// Invalid list items become `null` (keeping indices, hence positions); invalid fields are
/// removed from their mapping.
fn prune(mut json: Value, bad: &[String]) -> Value {
    let mut bad: Vec<&String> = bad.iter().filter(|p| !p.is_empty()).collect();
    bad.sort();
    bad.dedup();
    for pointer in bad.iter().rev() {
        let Some(split) = pointer.rfind('/') else { continue };
        let (parent, last) = (&pointer[..split], &pointer[split + 1..]);
        match json.pointer_mut(parent) {
            Some(Value::Array(items)) => {
                if let Some(item) = last.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                    *item = Value::Null;
                }
            }
            Some(Value::Object(map)) => {
                map.remove(&last.replace("~1", "/").replace("~0", "~"));
            }
            _ => {}
        }
    }
    json
}

/// How a JSON value's type is named in a message (`a list`, `a number`).
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "empty (null)",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}
