//! Generate a realistic MSP portfolio for benchmarks: `cargo run --release --example
//! gen-portfolio -- N DIR`.
//!
//! The services, packages, parties, evidence and `ctrlmap.yaml` are copied from
//! `examples/northwind-msp`; the N client scopes are made from its scope files, each copy with
//! its own id and client name and a deterministic variation of its profile and incident-notice
//! window (so the portfolio is not N identical files), cycling through the example's clients on
//! its healthcare, insurance and tax-preparer packages. Each
//! client gets its own copy of its evidence files under `evidence/<scope id>/`, as a real
//! portfolio has, so every scope's evidence is read and hashed on its own.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn copy_dir(src: &Path, dst: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dst)?;
    for entry in std::fs::read_dir(src)? {
        let entry = entry?;
        let target = dst.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// A small deterministic generator (xorshift), so the same N gives the same portfolio.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: gen-portfolio N DIR");
        std::process::exit(2);
    }
    let n: usize = args[1].parse()?;
    let dir = PathBuf::from(&args[2]);
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/northwind-msp");
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    for folder in ["services", "packages", "parties"] {
        copy_dir(&example.join(folder), &dir.join(folder))?;
    }
    std::fs::copy(example.join("ctrlmap.yaml"), dir.join("ctrlmap.yaml"))?;
    std::fs::create_dir_all(dir.join("scopes"))?;
    let mut templates = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(example.join("scopes"))?
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        let text = std::fs::read_to_string(&path)?;
        let id = text
            .lines()
            .find_map(|l| l.strip_prefix("id: "))
            .unwrap_or_default()
            .trim()
            .to_string();
        let name = text
            .lines()
            .find_map(|l| l.trim_start().strip_prefix("name: "))
            .unwrap_or_default()
            .trim()
            .to_string();
        templates.push((id, name, text));
    }
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let towns = [
        "Albany", "Buffalo", "Cortland", "Elmira", "Geneva", "Hudson", "Ithaca", "Kingston", "Oneonta", "Utica",
    ];
    let windows = ["4h", "12h", "24h", "48h"];
    for i in 0..n {
        let (id, name, text) = &templates[i % templates.len()];
        let new_id = format!("{id}-{i:05}");
        let town = rng.pick(&towns);
        let mut scope = text.replacen(&format!("id: {id}"), &format!("id: {new_id}"), 1);
        if !name.is_empty() {
            scope = scope.replacen(
                &format!("name: {name}"),
                &format!("name: {name} of {town} (client {i})"),
                1,
            );
        }
        let window = rng.pick(&windows);
        let mut out = String::new();
        // A scope that takes its SLA from its package gets a window of its own.
        // (Into its own `sla:` block when it has one: a second `sla:` key would be E002.)
        if !scope.contains("incident_notification:") {
            scope = match scope.find("\nsla:\n") {
                Some(at) => {
                    let end = at + "\nsla:\n".len();
                    format!("{}  incident_notification: {window}\n{}", &scope[..end], &scope[end..])
                }
                None => format!("{scope}sla:\n  incident_notification: {window}\n"),
            };
        }
        for line in scope.lines() {
            if line.trim_start().starts_with("incident_notification:") {
                let indent = &line[..line.len() - line.trim_start().len()];
                let _ = writeln!(out, "{indent}incident_notification: {window}");
            } else if line.trim_start().starts_with("employees:") {
                let indent = &line[..line.len() - line.trim_start().len()];
                let _ = writeln!(out, "{indent}employees: {}", 10 + rng.next() % 400);
            } else if let Some(file) = line.trim_start().strip_prefix("- file: evidence/") {
                let indent = &line[..line.len() - line.trim_start().len()];
                let folder = dir.join("evidence").join(&new_id);
                std::fs::create_dir_all(&folder)?;
                std::fs::copy(example.join("evidence").join(file), folder.join(file))?;
                let _ = writeln!(out, "{indent}- file: evidence/{new_id}/{file}");
            } else {
                let _ = writeln!(out, "{line}");
            }
        }
        std::fs::write(dir.join("scopes").join(format!("{new_id}.yaml")), out)?;
    }
    println!("wrote {n} scopes to {}", dir.display());
    Ok(())
}
