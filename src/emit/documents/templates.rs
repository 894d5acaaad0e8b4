//! The template engine: minijinja with strict undefined variables, templates looked up in
//! the workspace's `templates/` folder first and the built-in ones second (same file name
//! wins), and escaping chosen by the template's file name: `.html` templates escape HTML,
//! `.md` templates escape Markdown (pipes, HTML, link and emphasis syntax), others nothing.
//! `none` renders as an empty string, so a missing contract reference leaves a blank, not
//! the word "none", in a document someone signs.

use super::RenderError;
use super::context::Context;
use crate::emit::escape;
use crate::model::Workspace;
use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, Error, ErrorKind, Output, State, UndefinedBehavior};
use std::path::{Component, Path, PathBuf};

const MARKDOWN: &str = "markdown";

/// Fuel for one document (minijinja charges one unit per instruction and one per 64 bytes
/// it produces, output included). Every built-in document of the example's scopes needs
/// less than 50,000; nested loops or a doubling string run out of 2,000,000 in well under a
/// second instead of hanging, and what a template can allocate stays near 128 MB.
pub const DOCUMENT_FUEL: u64 = 2_000_000;

/// Deepest recursion (macros calling macros, includes) a template may use.
pub const DOCUMENT_RECURSION: usize = 100;

/// Largest template file read from the workspace's `templates/` folder.
const MAX_TEMPLATE_BYTES: u64 = 1024 * 1024;

/// Escaping by file name, with a trailing `.j2` ignored: `x.html.j2` escapes HTML.
fn auto_escape(name: &str) -> AutoEscape {
    let name = name.strip_suffix(".j2").unwrap_or(name);
    match name.rsplit('.').next() {
        Some("html" | "htm" | "xml" | "svg") => AutoEscape::Html,
        Some("md" | "markdown") => AutoEscape::Custom(MARKDOWN.into()),
        _ => AutoEscape::None,
    }
}

fn format_value(out: &mut Output, state: &State, value: &Value) -> Result<(), Error> {
    if value.is_none() || value.is_undefined() {
        return Ok(());
    }
    let text = value.to_string();
    let escaped = if value.is_safe() {
        text
    } else {
        match state.auto_escape() {
            AutoEscape::Html => escape::html(&text),
            AutoEscape::Custom(name) if name == MARKDOWN => escape::md_cell(&text),
            _ => text,
        }
    };
    out.write_str(&escaped).map_err(Error::from)
}

/// A template name must stay inside the templates folder.
fn safe_name(name: &str) -> bool {
    let path = Path::new(name);
    !name.is_empty() && !name.contains('\\') && path.components().all(|c| matches!(c, Component::Normal(_)))
}

/// The workspace's templates folder.
pub fn workspace_dir(ws: &Workspace) -> PathBuf {
    ws.root.join("templates")
}

/// Where a template comes from, for error messages: `templates/x` in the workspace or
/// `<builtin>/templates/x`.
fn origin_of(ws_dir: &Path, name: &str) -> String {
    if safe_name(name) && ws_dir.join(name).is_file() {
        format!("templates/{name}")
    } else {
        format!("<builtin>/templates/{name}")
    }
}

fn environment(ws_dir: PathBuf) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(DOCUMENT_FUEL));
    env.set_recursion_limit(DOCUMENT_RECURSION);
    env.set_auto_escape_callback(auto_escape);
    env.set_formatter(|out, state, value| format_value(out, state, value));
    if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
    {
        env.set_syntax(syntax);
    }
    env.add_filter("md_cell", |s: String| escape::md_cell(&s));
    env.add_filter("html", |s: String| Value::from_safe_string(escape::html(&s)));
    env.add_filter("words", |s: String| super::context::duration_words(&s));
    // A value that ends a sentence: a full stop unless it already ends with one (`1-hour RTO.`).
    env.add_filter("sentence", |s: String| {
        let t = s.trim_end();
        if t.ends_with(['.', '!', '?']) {
            t.to_string()
        } else {
            format!("{t}.")
        }
    });
    // The workspace's templates are read under the read policy, confined to templates/: a
    // symbolic link that leaves the folder (to /etc/passwd, to a scope file) is refused, and
    // so is a FIFO or a device.
    let reader = crate::fs::input::Root::new(&ws_dir);
    env.set_loader(move |name| {
        if !safe_name(name) {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("`{name}` is not a template of the templates/ folder (names cannot leave it)"),
            ));
        }
        let own = ws_dir.join(name);
        if std::fs::symlink_metadata(&own).is_ok() {
            let bytes = reader
                .read(&own, MAX_TEMPLATE_BYTES)
                .map_err(|why| Error::new(ErrorKind::InvalidOperation, format!("templates/{name} {why}")))?;
            return String::from_utf8(bytes).map(Some).map_err(|_| {
                Error::new(
                    ErrorKind::InvalidOperation,
                    format!("templates/{name} is not UTF-8 text"),
                )
            });
        }
        Ok(crate::fs::embedded::get(&format!("templates/{name}")).map(str::to_string))
    });
    env
}

/// Names of the templates a workspace can render: its own and the built-in ones.
pub fn available(ws: &Workspace) -> Vec<String> {
    let mut names: Vec<String> = crate::fs::embedded::FILES
        .iter()
        .filter_map(|(p, _)| p.strip_prefix("templates/"))
        .filter(|n| !n.starts_with('_'))
        .map(str::to_string)
        .collect();
    let dir = workspace_dir(ws);
    for entry in walkdir::WalkDir::new(&dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        // Links are listed too: the loader reads them only if they stay inside the folder.
        if (entry.file_type().is_file() || entry.path_is_symlink())
            && let Ok(rel) = entry.path().strip_prefix(&dir)
        {
            names.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    names.sort();
    names.dedup();
    names
}

/// Find a template by its file name, or by its name without extensions when that is unique
/// (`letter` finds `letter.md.j2`).
pub fn find(ws: &Workspace, name: &str) -> Result<String, RenderError> {
    let names = available(ws);
    if names.iter().any(|n| n == name) {
        return Ok(name.to_string());
    }
    let prefix = format!("{name}.");
    let matching: Vec<&String> = names.iter().filter(|n| n.starts_with(&prefix)).collect();
    match matching.as_slice() {
        [one] => Ok((*one).clone()),
        _ => Err(RenderError::UnknownTemplate {
            name: name.to_string(),
            available: if matching.is_empty() {
                names.join(", ")
            } else {
                matching.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            },
        }),
    }
}

/// A template environment for one workspace, to render several documents with one set of
/// compiled templates (the evidence pack renders a page per framework).
pub struct Renderer {
    env: Environment<'static>,
    dir: PathBuf,
}

impl Renderer {
    pub fn new(ws: &Workspace) -> Renderer {
        let dir = workspace_dir(ws);
        Renderer {
            env: environment(dir.clone()),
            dir,
        }
    }

    /// Render one template (by file name) with a context.
    pub fn render(&self, name: &str, ctx: &Context) -> Result<String, RenderError> {
        let fail = |e: Error| template_error(&self.dir, name, &e);
        let template = self.env.get_template(name).map_err(fail)?;
        template.render(Value::from(minijinja::value::Serde(ctx))).map_err(fail)
    }
}

/// Render one template (by file name) with a context.
pub fn render(ws: &Workspace, name: &str, ctx: &Context) -> Result<String, RenderError> {
    Renderer::new(ws).render(name, ctx)
}

fn template_error(dir: &Path, requested: &str, e: &Error) -> RenderError {
    // Only the requested template itself can be "unknown"; a template it includes that is
    // missing or refused is an error at the line of the include.
    if e.line().is_none()
        && e.name().is_none_or(|n| n == requested)
        && (e.kind() == ErrorKind::TemplateNotFound || !safe_name(requested))
    {
        return RenderError::UnknownTemplate {
            name: requested.to_string(),
            available: String::new(),
        };
    }
    let name = e.name().unwrap_or(requested);
    let message = match e.detail() {
        Some(detail) => format!("{}: {detail}", e.kind()),
        None => e.kind().to_string(),
    };
    RenderError::Template {
        file: origin_of(dir, name),
        line: e.line().unwrap_or(0),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_str(name: &str, source: &str, ctx: Value) -> Result<String, Error> {
        let mut env = environment(PathBuf::from("/nonexistent"));
        env.add_template_owned(name.to_string(), source.to_string())?;
        env.get_template(name)?.render(ctx)
    }

    #[test]
    fn html_templates_escape_user_text() {
        let out = render_str(
            "t.html.j2",
            "<p>{{ x }}</p>",
            minijinja::context! { x => "\"><img src=x onerror=alert(1)>" },
        )
        .expect("render");
        assert_eq!(out, "<p>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</p>");
    }

    #[test]
    fn markdown_templates_escape_pipes_and_html() {
        let out = render_str("t.md.j2", "| {{ x }} |", minijinja::context! { x => "a | b <script>" }).expect("render");
        assert_eq!(out, "| a \\| b &lt;script&gt; |");
    }

    #[test]
    fn none_renders_empty_and_undefined_is_an_error() {
        assert_eq!(
            render_str("t.txt", "[{{ x }}]", minijinja::context! { x => () }).expect("render"),
            "[]"
        );
        let err = render_str("t.txt", "line one\n{{ nope }}", minijinja::context! {}).expect_err("strict");
        assert_eq!(err.kind(), ErrorKind::UndefinedError);
        assert_eq!(err.line(), Some(2));
    }

    #[test]
    fn template_names_cannot_leave_the_folder() {
        assert!(safe_name("letter.md.j2"));
        assert!(safe_name("letters/intro.md.j2"));
        assert!(!safe_name("../secret"));
        assert!(!safe_name("/etc/passwd"));
        assert!(!safe_name("a\\b"));
    }
}
