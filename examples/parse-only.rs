//! The benchmark's floor: read every YAML file of a workspace and parse it once with the
//! same parser ctrlmap uses, doing nothing else. `cargo run --release --example parse-only -- DIR`

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: parse-only DIR");
        std::process::exit(2);
    };
    let mut files = 0usize;
    let mut events = 0usize;
    for entry in walkdir::WalkDir::new(&dir).sort_by_file_name().into_iter().flatten() {
        if entry.path().extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        let parser = serde_saphyr::granit_parser::Parser::new_from_str(&text);
        events += parser.take_while(Result::is_ok).count();
        files += 1;
    }
    println!("{files} files, {events} events");
}
