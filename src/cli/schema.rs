//! `ctrlmap schema [KIND]` and `ctrlmap schema --write DIR`: the JSON Schemas embedded in
//! this binary (the ones `load` validates against), for editors and other tools.
//!
//! A schema's `$id` (`https://ctrlmap.dev/schemas/…`) is its name only, not an address
//! anything is served from: editors find a schema through the `# yaml-language-server:
//! $schema=…` line at the top of a file, which points at a file on disk. The scope and
//! service schemas refer to `controls.schema.json` next to them, generated from the built-in
//! catalogs when it is printed or written (`emit::editor_schema`), so editors complete
//! every control id with its title.

use crate::load::schema::Kind;
use anyhow::Result;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct SchemaArgs {
    /// The schema to print: service, scope, package, party, catalog, crosswalk, policy, config, or
    /// controls (a control reference, generated from the built-in catalogs).
    #[arg(value_enum, required_unless_present = "write", conflicts_with = "write")]
    pub kind: Option<SchemaKind>,
    /// Write every schema into this folder (created if missing) as KIND.schema.json, atomically.
    #[arg(long, value_name = "DIR")]
    pub write: Option<PathBuf>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaKind {
    Service,
    Scope,
    Catalog,
    Crosswalk,
    Policy,
    Config,
    Controls,
    Package,
    Party,
}

impl SchemaKind {
    fn kind(self) -> Option<Kind> {
        Some(match self {
            SchemaKind::Service => Kind::Service,
            SchemaKind::Scope => Kind::Scope,
            SchemaKind::Catalog => Kind::Catalog,
            SchemaKind::Crosswalk => Kind::Crosswalk,
            SchemaKind::Policy => Kind::Policy,
            SchemaKind::Config => Kind::Config,
            SchemaKind::Package => Kind::Package,
            SchemaKind::Party => Kind::Party,
            SchemaKind::Controls => return None,
        })
    }
}

/// Every schema as (file name, text), in a fixed order: the embedded ones, then the control
/// reference schema they refer to.
pub(crate) fn files() -> Result<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = Kind::ALL
        .into_iter()
        .filter_map(|k| {
            let path = k.schema_path();
            let text = crate::fs::embedded::get(&path)?;
            Some((format!("{}.schema.json", k.name()), text.to_string()))
        })
        .collect();
    out.push((crate::emit::editor_schema::FILE.to_string(), controls()?));
    Ok(out)
}

/// The control reference schema, from the built-in catalogs.
fn controls() -> Result<String> {
    let ws = crate::load::Loaded::builtin().map_err(|e| anyhow::anyhow!(e))?;
    Ok(crate::emit::editor_schema::controls_schema(&ws))
}

pub fn run(args: SchemaArgs) -> Result<u8> {
    if let Some(dir) = args.write {
        if std::fs::symlink_metadata(&dir).is_ok_and(|m| !m.is_dir()) {
            return Err(super::fail(&format!(
                "{} exists and is not a folder; give a folder to write the schemas into",
                crate::fs::input::display_path(&dir)
            )));
        }
        std::fs::create_dir_all(&dir).map_err(|e| {
            super::fail(&format!(
                "{}: cannot create it: {e}",
                crate::fs::input::display_path(&dir)
            ))
        })?;
        let written = files()?;
        for (name, text) in &written {
            super::write_file(&dir.join(name), text.as_bytes())?;
        }
        crate::emit::terminal::print(
            &format!(
                "wrote {} schemas to {}\n",
                written.len(),
                crate::fs::input::display_path(&dir)
            ),
            false,
        )?;
        return Ok(0);
    }
    let Some(kind) = args.kind else {
        return Err(super::fail(
            "name a schema (service, scope, catalog, crosswalk, policy, config, controls) or give --write DIR",
        ));
    };
    let Some(kind) = kind.kind() else {
        crate::emit::terminal::print_raw(controls()?.as_bytes())?;
        return Ok(0);
    };
    let path = kind.schema_path();
    match crate::fs::embedded::get(&path) {
        Some(text) => {
            crate::emit::terminal::print_raw(text.as_bytes())?;
            Ok(0)
        }
        None => Err(anyhow::anyhow!("{path} is not built into this binary")),
    }
}
