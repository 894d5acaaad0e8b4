//! The benchmark's floor: read every YAML file of a workspace and parse it once with the
//! same parser ctrlmap uses, on every core as `check` does, doing nothing else.
//! `cargo run --release --example parse-only -- DIR`

use rayon::prelude::*;

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: parse-only DIR");
        std::process::exit(2);
    };
    let files: Vec<std::path::PathBuf> = walkdir::WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().and_then(|e| e.to_str()) == Some("yaml"))
        .map(|e| e.into_path())
        .collect();
    let events: usize = files
        .par_iter()
        .map(|path| {
            let Ok(text) = std::fs::read_to_string(path) else {
                return 0;
            };
            let parser = serde_saphyr::granit_parser::Parser::new_from_str(&text);
            parser.take_while(Result::is_ok).count()
        })
        .sum();
    println!("{} files, {events} events", files.len());
}
