//! Write the hostile zips of issue 21 from a genuine pack zip, for `scripts/bench.sh pack`:
//! `hostile-pack GENUINE.zip OUT_DIR` writes OUT_DIR/bomb.zip (10,000 entries sharing one
//! deflated body of 400 MiB), OUT_DIR/overrun.zip (the genuine pack with one evidence entry
//! replaced by 400 MiB of zeros that claims the genuine size) and OUT_DIR/forged.zip (a forged
//! index.html before the genuine one).

#[path = "../tests/support/hostile_zip.rs"]
mod hostile_zip;

use hostile_zip::{Entry, entries_of, zip, zip_sharing};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(genuine), Some(out)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: hostile-pack GENUINE.zip OUT_DIR");
        std::process::exit(2);
    };
    let out = std::path::Path::new(out);
    std::fs::create_dir_all(out).expect("create OUT_DIR");
    let entries = entries_of(std::path::Path::new(genuine));
    let top = entries[0].0.split('/').next().unwrap_or("pack").to_string();
    let genuine_entries = || -> Vec<Entry> { entries.iter().map(|(n, b)| Entry::file(n.clone(), b.clone())).collect() };

    let mut names: Vec<Vec<u8>> = entries.iter().map(|(n, _)| n.clone().into_bytes()).collect();
    names.extend((names.len()..10_000).map(|i| format!("{top}/files/evidence/copy-{i}.pdf").into_bytes()));
    let body = Entry::zeros(format!("{top}/files/evidence/big.pdf"), 400 << 20);
    std::fs::write(out.join("bomb.zip"), zip_sharing(&body, &names)).expect("write bomb.zip");

    let mut overrun = genuine_entries();
    if let Some(e) = overrun
        .iter_mut()
        .find(|e| e.name.starts_with(format!("{top}/files/evidence/").as_bytes()))
    {
        let size = match &e.body {
            hostile_zip::Body::Bytes(b) => b.len() as u64,
            hostile_zip::Body::Zeros(n) => *n,
        };
        *e = Entry {
            declared: Some(size),
            ..Entry::zeros(e.name.clone(), 400 << 20)
        };
    }
    std::fs::write(out.join("overrun.zip"), zip(&overrun)).expect("write overrun.zip");

    let mut forged = genuine_entries();
    let at = forged
        .iter()
        .position(|e| e.name == format!("{top}/index.html").as_bytes())
        .unwrap_or(0);
    forged.insert(at, Entry::file(format!("{top}/index.html"), "<p>All clear.</p>"));
    std::fs::write(out.join("forged.zip"), zip(&forged)).expect("write forged.zip");
}
