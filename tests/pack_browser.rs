//! The evidence pack in a real browser: headless Chromium loads index.html and a matrix page
//! of the example dental pack (examples/northwind-msp) from disk, and the DOM it builds has the matrix rows and the SVG charts; a screenshot and a
//! print-to-PDF come out non-empty; the hostile fixture's pack has no script or image
//! elements in its DOM. Set CTRLMAP_SCREENSHOTS=DIR to keep the screenshots and PDFs.

use ctrlmap::load::Loaded;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const AS_OF: time::Date = time::macros::date!(2026 - 11 - 30);
const CHROMIUM: &str = "/usr/bin/chromium";

/// Run Chromium; its standard output goes to a file (a pipe would fill up and block it).
fn chromium(profile: &Path, args: &[String]) -> String {
    let out_path = profile.with_extension("stdout");
    let out = std::fs::File::create(&out_path).expect("stdout file");
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdout(out)
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium (apt-get install chromium)");
    let started = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish within 120 s: {args:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    String::from_utf8_lossy(&std::fs::read(&out_path).unwrap_or_default()).into_owned()
}

fn url(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn non_empty(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.len() > 1000)
}

/// Build the pack of a scope of a workspace (relative to the crate); the number of its HIPAA rows.
fn build(workspace: &str, scope: &str, dir: &Path) -> usize {
    let ws = Loaded::load(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(workspace)).expect("loads");
    assert!(ws.diagnostics.is_empty(), "{}", ws.render_diagnostics());
    let s = ws.scopes.iter().find(|s| s.id == scope).expect("scope");
    ctrlmap::emit::pack::pack(
        &ws,
        s,
        &ctrlmap::assess::assess_scope(&ws, s, &ctrlmap::cli::overrides(&ws), AS_OF),
        AS_OF,
        dir,
        false,
    )
    .expect("pack");
    ctrlmap::resolve::resolve(&ws, s)
        .rows
        .iter()
        .filter(|r| &*r.framework == "hipaa")
        .count()
}

#[test]
#[ignore = "needs chromium; .ci/run runs it"]
fn the_pack_renders_in_headless_chromium() {
    let root = std::env::temp_dir().join(format!("ctrlmap-browser-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let profile = root.join("profile");
    let dir = root.join("pack");
    let hipaa_rows = build("examples/northwind-msp", "riverside-dental", &dir);
    let index = dir.join("index.html");
    let matrix = dir.join("matrix/hipaa.html");

    let dom = chromium(&profile, &["--dump-dom".into(), url(&index)]);
    assert!(
        dom.contains("<h1>Riverside Dental Group, PLLC</h1>"),
        "index.html loaded:\n{}",
        &dom[..dom.len().min(2000)]
    );
    assert!(
        dom.matches("<svg class=\"chart\"").count() >= 3,
        "three SVG charts in the DOM"
    );
    assert!(
        dom.matches("class=\"fill-msp\"").count() >= 2 && dom.contains("<g class=\"legend\">"),
        "bars and legends drawn"
    );
    assert!(
        dom.contains("id=\"findings\"") && dom.contains("<table class=\"findings\">"),
        "findings table"
    );

    let dom = chromium(&profile, &["--dump-dom".into(), url(&matrix)]);
    let rows = dom
        .split("<tbody>")
        .nth(1)
        .map(|b| b.matches("<tr").count())
        .unwrap_or(0);
    assert_eq!(rows, hipaa_rows, "every HIPAA matrix row is in the DOM");

    let shots = std::env::var_os("CTRLMAP_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("shots"));
    std::fs::create_dir_all(&shots).expect("mkdir");
    for (name, page) in [("index", &index), ("matrix-hipaa", &matrix)] {
        let png = shots.join(format!("{name}.png"));
        let pdf = shots.join(format!("{name}.pdf"));
        chromium(
            &profile,
            &[
                "--window-size=1280,2000".into(),
                format!("--screenshot={}", png.display()),
                url(page),
            ],
        );
        chromium(
            &profile,
            &[
                "--no-pdf-header-footer".into(),
                format!("--print-to-pdf={}", pdf.display()),
                url(page),
            ],
        );
        assert!(non_empty(&png), "{name}: screenshot written");
        assert!(non_empty(&pdf), "{name}: PDF written");
        assert!(
            std::fs::read(&pdf).is_ok_and(|b| b.starts_with(b"%PDF")),
            "{name}: a PDF"
        );
    }

    // The hostile fixture: its text must not become elements.
    let hostile = root.join("hostile");
    build("tests/fixtures/render/northwind", "hostile", &hostile);
    for page in [
        "index.html",
        "baa-appendix.html",
        "tpsp-summary.html",
        "evidence.html",
        "matrix/hipaa.html",
    ] {
        let dom = chromium(&profile, &["--dump-dom".into(), url(&hostile.join(page))]);
        assert!(dom.contains("</html>"), "{page} loaded");
        for element in ["<script", "<img", "<iframe", "<marquee", "<svg onload"] {
            assert!(!dom.contains(element), "{page}: a {element} element in the DOM");
        }
    }
    let _ = std::fs::remove_dir_all(&root);
}
