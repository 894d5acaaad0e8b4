//! Where a command writes. Every command reads `-o` the same way: `FORMAT=FILE` when the
//! part before the first `=` names a format the command writes, a path otherwise; a part
//! before `=` that is neither (`sarf=x.sarif`) is a usage mistake, never a file name. Before
//! anything is written, the outputs of a run are compared with each other and with the
//! run's inputs by the files they resolve to, so no report is silently lost and no scope,
//! service or configuration file is replaced by a report.

use crate::fs::input::display_path;
use crate::model::diagnostic::{Code, Diagnostic, closest};
use std::path::{Component, Path, PathBuf};

/// Read one `-o TEXT` of a command that writes the `formats` named (empty for a command
/// that writes one report, whose format is its `--format`): the format it names, if any,
/// and the file. A file whose name holds `=` is written with a folder: `./a=b`.
pub(crate) fn parse_output(
    text: &str,
    formats: &[&str],
    command: &str,
) -> Result<(Option<String>, PathBuf), Diagnostic> {
    let Some((prefix, file)) = text.split_once('=') else {
        return Ok((None, PathBuf::from(text)));
    };
    if prefix.contains(['/', '\\']) {
        return Ok((None, PathBuf::from(text)));
    }
    let named = formats.iter().find(|f| f.eq_ignore_ascii_case(prefix));
    if let Some(format) = named {
        if file.is_empty() {
            return Err(Diagnostic::on_command_line(
                Code::E022,
                format!("-o `{text}`: no file after `=`"),
                format!("write `-o {format}=FILE`"),
            ));
        }
        return Ok((Some(format.to_string()), PathBuf::from(file)));
    }
    let as_path = format!("a file whose name holds `=` is written with its folder: `-o ./{text}`");
    let help = if formats.is_empty() {
        format!("`{command}` writes one report, in its --format, to `-o FILE`; {as_path}")
    } else {
        let guess = closest(prefix, formats.iter().copied(), 1);
        let known = formats.join(", ");
        match guess.first() {
            Some(g) => format!("did you mean `-o {g}={file}`? Formats: {known}; {as_path}"),
            None => format!("formats: {known}; {as_path}"),
        }
    };
    let what = if prefix.is_empty() {
        "no format before `=`".to_string()
    } else if formats.is_empty() {
        format!("`{prefix}=` names a format, and `{command}` has no `-o FORMAT=FILE`")
    } else {
        format!("`{prefix}` is not a format of `{command}`")
    };
    Err(Diagnostic::on_command_line(
        Code::E022,
        format!("-o `{text}`: {what}"),
        help,
    ))
}

/// [`parse_output`] for a command that writes one report (`matrix`, `render`, `diff`,
/// `pack`): the file, or the usage mistake.
pub(crate) fn plain_output(path: &Path, command: &str) -> Result<PathBuf, Diagnostic> {
    match path.to_str() {
        Some(text) => parse_output(text, &[], command).map(|(_, file)| file),
        None => Ok(path.to_path_buf()),
    }
}

/// An output of a run: the file as given and the argument that named it (`-o sarif=x`).
pub(crate) struct Output<'a> {
    pub file: &'a Path,
    pub flag: String,
}

/// An input of a run: the file, its path as a workspace file (`scopes/a.yaml`; `None` for
/// a file named on the command line), and what it is in words (`a scope file`).
pub(crate) struct Input {
    pub file: PathBuf,
    pub in_workspace: Option<String>,
    pub what: String,
}

/// Every way a run's outputs would overwrite each other or an input, by resolved paths
/// (`a.out` and `./a.out` are one file; so is an output that is a link to an input). One
/// E022 each.
pub(crate) fn overwrites(outputs: &[Output], inputs: &[Input]) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let resolved: Vec<PathBuf> = outputs.iter().map(|o| resolve(o.file)).collect();
    for (i, out) in outputs.iter().enumerate() {
        if let Some(first) = (0..i).find(|&j| resolved[j] == resolved[i]) {
            problems.push(Diagnostic::on_command_line(
                Code::E022,
                format!(
                    "`{}` and `{}` name the same file ({}): one report would be lost",
                    outputs[first].flag,
                    out.flag,
                    display_path(out.file)
                ),
                "give each report its own file",
            ));
            continue;
        }
        // Only an input with the same file name can be the same file (a portfolio has
        // thousands of inputs: most are passed over without a look at the disk).
        let name = resolved[i].file_name();
        let same = |input: &&Input| input.file.file_name() == name && resolve(&input.file) == resolved[i];
        if let Some(input) = inputs.iter().find(same) {
            let message = format!(
                "`{}` names a file this run reads ({}): the report would replace it",
                out.flag, input.what
            );
            let help = "write the report to another file; ctrlmap never replaces what it reads";
            problems.push(match &input.in_workspace {
                Some(rel) => Diagnostic::about_file(rel, Code::E022, message, help),
                None => Diagnostic::on_command_line(Code::E022, message, help),
            });
        }
    }
    problems
}

/// Whether `path` (resolved as [`resolve`] does) is inside the workspace folder `root`.
fn inside_workspace(root: &Path, path: &Path) -> bool {
    root.canonicalize().is_ok_and(|root| resolve(path).starts_with(root))
}

/// The file a path names, as far as it can be known before it is written: resolved through
/// links when it exists, else its folder resolved and its name kept, else made absolute and
/// cleaned of `.` and `..`.
fn resolve(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    if let Ok(real) = absolute.canonicalize() {
        return real;
    }
    let clean = lexically_clean(&absolute);
    match (clean.parent(), clean.file_name()) {
        (Some(parent), Some(name)) => parent.canonicalize().map_or_else(|_| clean.clone(), |p| p.join(name)),
        _ => clean,
    }
}

fn lexically_clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The workspace files a run reads, for [`overwrites`]: configuration, catalogs, services,
/// scopes and policy packs as found when the workspace was loaded.
pub(crate) fn workspace_inputs(ws: &crate::model::Workspace) -> Vec<Input> {
    ws.files.iter().map(|(rel, path)| workspace_input(rel, path)).collect()
}

/// A workspace file (`scopes/a.yaml`) as an input, named for what it is.
fn workspace_input(rel: &str, path: &Path) -> Input {
    Input {
        file: path.to_path_buf(),
        in_workspace: Some(rel.to_string()),
        what: match rel.split('/').next() {
            Some("scopes") => "a scope file",
            Some("services") => "a service file",
            Some("frameworks") => "a catalog or crosswalk",
            Some("policies") => "a policy pack",
            Some("ctrlmap.yaml" | "ctrlmap.yml") => "the workspace's configuration",
            _ => "a workspace file",
        }
        .to_string(),
    }
}

/// The evidence files of scopes, as inputs (an evidence file is hashed and copied into
/// packs: a report must not replace it).
pub(crate) fn evidence_inputs<'a>(
    root: &Path,
    scopes: impl IntoIterator<Item = &'a crate::model::Scope>,
) -> Vec<Input> {
    let mut out = Vec::new();
    for scope in scopes {
        for e in scope.evidence.iter().flatten() {
            if let Ok(path) = crate::fs::evidence::evidence_path(root, &e.file) {
                out.push(Input {
                    file: path,
                    in_workspace: Some(e.file.clone()),
                    what: format!("evidence of scope `{}`", scope.id),
                });
            }
        }
    }
    out
}

/// For a command that writes one file (`-o FILE` of `matrix`, `render`, `diff`): stop
/// before anything is written when the file has a `FORMAT=` prefix or is an input of the
/// workspace `ws` (a scope, a service, the configuration, evidence). The problems are
/// rendered like every input problem (exit 2).
pub(crate) fn refuse_bad_output(ws: &crate::load::Loaded, output: Option<&Path>, command: &str) -> anyhow::Result<()> {
    let Some(path) = output else {
        return Ok(());
    };
    let mut problems = Vec::new();
    if let Err(d) = plain_output(path, command) {
        problems.push(d);
    }
    let mut inputs = workspace_inputs(ws);
    inputs.extend(evidence_inputs(&ws.root, &ws.scopes));
    // A one-scope load knows the other scopes' files and evidence only when it reads them:
    // only when the output lands inside the workspace, where they live.
    if (ws.scopes_unlisted || !ws.unread_scopes.is_empty()) && inside_workspace(&ws.root, path) {
        let others = ws.other_scope_files();
        if ws.scopes_unlisted {
            inputs.extend(others.iter().map(|(rel, file, _)| workspace_input(rel, file)));
        }
        for chunk in others.chunks(64) {
            inputs.extend(evidence_inputs(&ws.root, &ws.reload_scopes(chunk)));
        }
    }
    let output = Output {
        file: path,
        flag: format!("-o {}", display_path(path)),
    };
    problems.extend(overwrites(&[output], &inputs));
    if problems.is_empty() {
        return Ok(());
    }
    let base = super::PathBase::for_workspace(&ws.root);
    Err(super::Failure::Input(format!(
        "{}\nerror: {}; nothing was written\n",
        super::common::rendered(ws, &problems, &base),
        crate::emit::counted(problems.len(), "problem", "problems")
    ))
    .into())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHECK: &[&str] = &["text", "json", "markdown", "sarif", "github", "junit", "gitlab"];

    #[test]
    fn a_known_format_prefix_names_the_format() {
        let (format, file) = parse_output("SARIF=out/x.sarif", CHECK, "check").expect("a format");
        assert_eq!((format.as_deref(), file), (Some("sarif"), PathBuf::from("out/x.sarif")));
    }

    #[test]
    fn a_typo_before_the_equals_sign_is_a_usage_mistake_with_the_closest_format() {
        let d = parse_output("sarf=x.sarif", CHECK, "check").expect_err("a mistake");
        assert_eq!(d.code, Code::E022);
        assert!(d.help.contains("did you mean `-o sarif=x.sarif`?"), "{}", d.help);
        assert!(d.help.contains("`-o ./sarf=x.sarif`"), "{}", d.help);
    }

    #[test]
    fn a_path_with_a_folder_may_hold_an_equals_sign() {
        let (format, file) = parse_output("./a=b", CHECK, "check").expect("a path");
        assert_eq!((format, file), (None, PathBuf::from("./a=b")));
        assert!(parse_output("plain.txt", CHECK, "check").is_ok());
    }

    #[test]
    fn a_command_with_one_report_takes_no_format_prefix() {
        let d = plain_output(Path::new("csv=x.csv"), "matrix").expect_err("a mistake");
        assert!(d.message.contains("`matrix` has no `-o FORMAT=FILE`"), "{}", d.message);
    }

    #[test]
    fn cleaning_a_path_drops_dots() {
        assert_eq!(lexically_clean(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
    }
}
