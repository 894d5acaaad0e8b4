//! The benchmark's floor: read every YAML file of a workspace and parse it once with the
//! same parser ctrlmap uses, on every core as `check` does, doing nothing else.
//! `cargo run --release --example parse-only -- DIR`
//!
//! With `--with-packages`, each scope file is parsed together with the package files it names
//! (its `package:` and that package's `extends:` chain), once per scope: the floor of the same
//! portfolio written without packages, every scope stating every decision itself, which is the
//! text `check` decides each client from. The other files are parsed once, as without it.
//!
//! With `--tree`, each file is parsed into ctrlmap's own positioned tree
//! (`ctrlmap::format::yaml::parse`: scalars resolved, every key's and value's place kept,
//! duplicate keys and budgets checked), the first step of loading: how much of `check`'s time
//! beyond the floor is that tree.

use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut dir, mut with_packages, mut tree) = (None, false, false);
    for arg in args.by_ref() {
        match arg.as_str() {
            "--with-packages" => with_packages = true,
            "--tree" => tree = true,
            _ => dir = Some(arg),
        }
    }
    let Some(dir) = dir else {
        eprintln!("usage: parse-only [--with-packages] [--tree] DIR");
        std::process::exit(2);
    };
    let files: Vec<PathBuf> = walkdir::WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().and_then(|e| e.to_str()) == Some("yaml"))
        .map(|e| e.into_path())
        .collect();
    // Each package's text and the package it extends, by id (read once: the floor counts
    // parsing, and a scope's package is parsed again for each scope that names it).
    let packages: BTreeMap<String, (String, Option<String>)> = if with_packages {
        files
            .iter()
            .filter(|p| p.parent().and_then(Path::file_name).is_some_and(|n| n == "packages"))
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .filter_map(|text| {
                let id = top_level(&text, "id")?;
                let base = top_level(&text, "extends");
                Some((id, (text, base)))
            })
            .collect()
    } else {
        BTreeMap::new()
    };
    let events: usize = files
        .par_iter()
        .map(|path| {
            let Ok(text) = std::fs::read_to_string(path) else {
                return 0;
            };
            if tree {
                return nodes(&text);
            }
            let mut count = parse(&text);
            let in_scopes = path.parent().and_then(Path::file_name).is_some_and(|n| n == "scopes");
            if with_packages && in_scopes {
                let mut next = top_level(&text, "package");
                let mut hops = 0;
                while let Some((package, base)) = next.as_ref().and_then(|id| packages.get(id)) {
                    count += parse(package);
                    next = base.clone();
                    hops += 1;
                    if hops > 16 {
                        break;
                    }
                }
            }
            count
        })
        .sum();
    println!(
        "{} files, {events} {}",
        files.len(),
        if tree { "nodes" } else { "events" }
    );
}

/// Parse one text to its end: the number of events.
fn parse(text: &str) -> usize {
    serde_saphyr::granit_parser::Parser::new_from_str(text)
        .take_while(Result::is_ok)
        .count()
}

/// Parse one text into ctrlmap's positioned tree: the number of nodes.
fn nodes(text: &str) -> usize {
    fn count(node: &ctrlmap::format::yaml::Node) -> usize {
        use ctrlmap::format::yaml::NodeValue;
        1 + match &node.value {
            NodeValue::Seq(items) => items.iter().map(count).sum(),
            NodeValue::Map(entries) => entries.iter().map(|e| count(&e.value)).sum(),
            _ => 0,
        }
    }
    let parsed = ctrlmap::format::yaml::parse(text, ctrlmap::format::yaml::Limits::default());
    parsed.root.as_ref().map_or(0, count)
}

/// The plain value of a top-level `key: value` line.
fn top_level(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let value = line.strip_prefix(key)?.strip_prefix(':')?;
        let value = value.split('#').next()?.trim();
        (!value.is_empty()).then(|| value.to_string())
    })
}
