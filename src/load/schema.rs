//! JSON Schema validation, with every error mapped back to the YAML line and column and
//! turned into a diagnostic a user can act on.

use crate::format::yaml::Node;
use crate::model::diagnostic::{Code, Diagnostic, closest};
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value;

/// The kinds of file a workspace holds, one schema each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Catalog,
    Crosswalk,
    Service,
    Scope,
    Policy,
    Config,
    Package,
    Party,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Catalog,
        Kind::Crosswalk,
        Kind::Service,
        Kind::Scope,
        Kind::Policy,
        Kind::Config,
        Kind::Package,
        Kind::Party,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Catalog => "catalog",
            Kind::Crosswalk => "crosswalk",
            Kind::Service => "service",
            Kind::Scope => "scope",
            Kind::Policy => "policy",
            Kind::Config => "config",
            Kind::Package => "package",
            Kind::Party => "party",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == text)
    }

    pub fn schema_path(self) -> String {
        format!("schemas/{}.schema.json", self.name())
    }

    /// Where files of this kind sit in a workspace, as globs from its root (for an editor's
    /// `yaml.schemas` setting, which `init` writes).
    pub fn globs(self) -> &'static [&'static str] {
        match self {
            Kind::Catalog => &["frameworks/*.yaml", "frameworks/*.yml"],
            Kind::Crosswalk => &["frameworks/crosswalks/**/*.yaml", "frameworks/crosswalks/**/*.yml"],
            Kind::Service => &["services/**/*.yaml", "services/**/*.yml"],
            Kind::Scope => &["scopes/**/*.yaml", "scopes/**/*.yml"],
            Kind::Policy => &["policies/**/*.yaml", "policies/**/*.yml"],
            Kind::Config => &["ctrlmap.yaml", "ctrlmap.yml"],
            Kind::Package => &["packages/**/*.yaml", "packages/**/*.yml"],
            Kind::Party => &["parties/**/*.yaml", "parties/**/*.yml"],
        }
    }
}

/// Where the scope and service schemas find a control reference (`"$ref":
/// "controls.schema.json"`, resolved against their `$id`).
pub const CONTROLS_URI: &str = "https://ctrlmap.dev/schemas/controls.schema.json";

/// The control reference schema `load` validates with: the pattern alone. Editors get the
/// generated one with every built-in control (`emit::editor_schema`); here the reference
/// checks that follow report an unknown control with the closest ids (E009), and one
/// pattern per reference keeps validation fast.
fn controls_for_validation() -> Value {
    serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": CONTROLS_URI,
        "type": "string",
        "pattern": "^[a-z0-9.-]+:.+$",
        "description": "Control reference `FRAMEWORK:CONTROL`, e.g. `csf-2.0:PR.DS-11` or `hipaa:164.308(a)(7)(ii)(A)`."
    })
}

/// Compiled validators for every kind, built once per run.
pub struct Schemas {
    validators: Vec<(Kind, Value, jsonschema::Validator)>,
    /// The control reference schema, for errors found inside it.
    controls: Value,
}

impl Schemas {
    /// Compile the embedded schemas. A failure here is a bug in ctrlmap, not user input.
    pub fn builtin() -> Result<Schemas, String> {
        let controls = controls_for_validation();
        let registry = jsonschema::Registry::new()
            .add(CONTROLS_URI, controls.clone())
            .and_then(|r| r.prepare())
            .map_err(|e| format!("{CONTROLS_URI}: {e}"))?;
        let mut validators = Vec::new();
        for kind in Kind::ALL {
            let path = kind.schema_path();
            let Some(text) = crate::fs::embedded::get(&path) else {
                continue;
            };
            let schema: Value = serde_json::from_str(text).map_err(|e| format!("{path}: {e}"))?;
            let validator = jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .should_validate_formats(true)
                .with_registry(&registry)
                .build(&schema)
                .map_err(|e| format!("{path}: {e}"))?;
            validators.push((kind, schema, validator));
        }
        Ok(Schemas { validators, controls })
    }

    /// Validate a document; returns the diagnostics and the JSON pointers of the invalid
    /// values (so the typed phase can leave them out and still use the rest).
    pub fn validate(&self, kind: Kind, file: &str, root: &Node, doc: &Value) -> (Vec<Diagnostic>, Vec<String>) {
        let Some((_, schema, validator)) = self.validators.iter().find(|(k, _, _)| *k == kind) else {
            return (Vec::new(), Vec::new());
        };
        let mut diags = Vec::new();
        let mut bad = Vec::new();
        // The common case, a valid file, takes the fast path.
        if validator.is_valid(doc) {
            return (diags, bad);
        }
        for error in validator.iter_errors(doc) {
            let pointer = error.instance_path().as_str().to_string();
            // The schema the failing keyword sits in: this kind's, or the control reference's.
            let keyword_schema = error.absolute_keyword_location().and_then(|uri| {
                let within = if uri.as_str().starts_with(CONTROLS_URI) {
                    &self.controls
                } else {
                    schema
                };
                let frag = uri.fragment().map(|f| f.as_str().to_string())?;
                parent_pointer(&frag).and_then(|p| within.pointer(&p).cloned())
            });
            match error.kind() {
                ValidationErrorKind::AdditionalProperties { unexpected } => {
                    let known: Vec<String> = keyword_schema
                        .as_ref()
                        .and_then(|s| s.get("properties"))
                        .and_then(Value::as_object)
                        .map(|o| o.keys().cloned().collect())
                        .unwrap_or_default();
                    for key in unexpected {
                        let pos = root.key_pos(&pointer, key).unwrap_or_else(|| root.locate(&pointer));
                        let suggestions = closest(key, known.iter().map(String::as_str), 1);
                        let help = match suggestions.first() {
                            Some(s) => format!("did you mean `{s}`? Known keys here: {}", known.join(", ")),
                            None => format!("remove it; known keys here: {}", known.join(", ")),
                        };
                        diags.push(Diagnostic::new(
                            file,
                            pos,
                            Code::E003,
                            format!("unknown key `{key}`"),
                            help,
                        ));
                    }
                }
                ValidationErrorKind::Required { property } => {
                    let name = property.as_str().unwrap_or_default();
                    let described = keyword_schema
                        .as_ref()
                        .and_then(|s| s.pointer(&format!("/properties/{name}/description")))
                        .and_then(Value::as_str)
                        .map(|d| format!(" ({d})"))
                        .unwrap_or_default();
                    diags.push(Diagnostic::new(
                        file,
                        root.locate(&pointer),
                        Code::E005,
                        format!("missing required field `{name}`"),
                        format!("add `{name}:` here{described}"),
                    ));
                    bad.push(pointer);
                }
                ValidationErrorKind::Type { kind } => {
                    // Say it in YAML words: a list, a mapping.
                    let word = |t: String| match t.as_str() {
                        "array" => "list".to_string(),
                        "object" => "mapping".to_string(),
                        _ => t,
                    };
                    let expected = match kind {
                        TypeKind::Single(t) => word(t.to_string()),
                        TypeKind::Multiple(ts) => {
                            ts.iter().map(|t| word(t.to_string())).collect::<Vec<_>>().join(" or ")
                        }
                    };
                    let found = json_type(error.instance());
                    let hint = if expected == "boolean" && found == "string" {
                        "write `true` or `false` (YAML 1.1 words such as `yes`/`no` are strings here)".to_string()
                    } else {
                        format!("write {} here", article(&expected))
                    };
                    diags.push(Diagnostic::new(
                        file,
                        root.locate(&pointer),
                        Code::E004,
                        format!("{} must be {}, found {found}", describe(&pointer), article(&expected)),
                        hint,
                    ));
                    bad.push(pointer);
                }
                ValidationErrorKind::Format { format } if format == "date" => {
                    diags.push(Diagnostic::new(
                        file,
                        root.locate(&pointer),
                        Code::E006,
                        format!("{} is not a valid date: {}", describe(&pointer), error.instance()),
                        "write a calendar date as YYYY-MM-DD, e.g. 2026-03-31",
                    ));
                    bad.push(pointer);
                }
                ValidationErrorKind::Constant { expected_value } if pointer == "/kind" => {
                    diags.push(Diagnostic::new(
                        file,
                        root.locate(&pointer),
                        Code::E014,
                        format!("`kind` must be {expected_value} in this file"),
                        "set `kind:` to the kind of file this folder holds",
                    ));
                    bad.push(pointer);
                }
                ValidationErrorKind::Enum { options } => {
                    let allowed: Vec<String> = options
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                                .collect()
                        })
                        .unwrap_or_default();
                    let given = error
                        .instance()
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| error.instance().to_string());
                    let help = match closest(&given, allowed.iter().map(String::as_str), 1).first() {
                        Some(s) => format!("did you mean `{s}`? Allowed: {}", allowed.join(", ")),
                        None => format!("allowed: {}", allowed.join(", ")),
                    };
                    diags.push(Diagnostic::new(
                        file,
                        root.locate(&pointer),
                        Code::E007,
                        format!("{} has an invalid value `{given}`", describe(&pointer)),
                        help,
                    ));
                    bad.push(pointer);
                }
                _ => {
                    let description = keyword_schema
                        .as_ref()
                        .and_then(|s| s.get("description"))
                        .and_then(Value::as_str)
                        .unwrap_or("see the file formats in docs/file-formats.md");
                    diags.push(Diagnostic::new(
                        file,
                        root.locate(&pointer),
                        Code::E007,
                        format!("{} is invalid: {}", describe(&pointer), error),
                        description.to_string(),
                    ));
                    bad.push(pointer);
                }
            }
        }
        (diags, bad)
    }
}

fn article(word: &str) -> String {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {word}")
    } else {
        format!("a {word}")
    }
}

fn parent_pointer(fragment: &str) -> Option<String> {
    let i = fragment.rfind('/')?;
    Some(fragment[..i].to_string())
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing (null)",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// `/assignments/2/responsible` → "`assignments[2].responsible`".
pub fn describe(pointer: &str) -> String {
    if pointer.is_empty() {
        return "the document".into();
    }
    let mut out = String::new();
    for token in pointer.split('/').skip(1) {
        if token.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{token}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(token);
        }
    }
    format!("`{out}`")
}
