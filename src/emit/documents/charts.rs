//! Chart geometry for the evidence pack: stacked bars of controls by owner (per framework and
//! per CSF 2.0 function). Positions are computed here and
//! drawn as inline SVG by the templates, with the legend inside the SVG, so a chart reads
//! the same on screen, on paper and when copied out of the page.

use crate::model::Workspace;
use crate::model::text::shorten;
use crate::resolve::{Matrix, Summary};
use serde::Serialize;
use std::collections::BTreeMap;

const WIDTH: f64 = 920.0;
const LABEL_WIDTH: f64 = 200.0;
const BAR_X: f64 = 212.0;
const BAR_WIDTH: f64 = 560.0;
const BAR_HEIGHT: f64 = 22.0;
const BAR_GAP: f64 = 14.0;
const TOP: f64 = 6.0;
const LEGEND_GAP: f64 = 18.0;
const LEGEND_ROW: f64 = 20.0;
/// A rough width of one character of the 12px legend text, to lay the legend out.
const CHAR_WIDTH: f64 = 6.3;

/// Owners in the order the charts stack them: the provider's share first.
const OWNERS: [Summary; 6] = [
    Summary::Msp,
    Summary::Shared,
    Summary::Client,
    Summary::ThirdParty,
    Summary::Unassigned,
    Summary::NotApplicable,
];

#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    pub id: String,
    pub title: String,
    /// One sentence that says what the chart shows, for screen readers and print.
    pub description: String,
    pub width: f64,
    pub height: f64,
    pub label_width: f64,
    pub bar_x: f64,
    pub bar_width: f64,
    pub bar_height: f64,
    pub bars: Vec<Bar>,
    pub legend: Vec<LegendItem>,
    pub legend_y: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Bar {
    pub label: String,
    pub sublabel: Option<String>,
    pub y: f64,
    pub total: usize,
    /// Text after the bar, e.g. `57 controls`.
    pub total_label: String,
    pub segments: Vec<Segment>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Segment {
    /// CSS class suffix: `msp`, `shared`, …, `critical`, `high`, …, `waived`.
    pub key: String,
    pub label: String,
    pub count: usize,
    /// Share of the bar's total, 0–100, one decimal.
    pub percent: f64,
    pub x: f64,
    pub width: f64,
    /// Wide enough to print the count inside.
    pub show_count: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct LegendItem {
    pub key: String,
    pub label: String,
    pub x: f64,
    pub y: f64,
}

/// `GOVERN` → `Govern`; titles already in mixed case stay as they are.
fn title_case(title: &str) -> String {
    if title.chars().any(|c| c.is_lowercase()) {
        return title.to_string();
    }
    let mut chars = title.chars();
    chars
        .next()
        .map(|c| c.to_string() + &chars.as_str().to_lowercase())
        .unwrap_or_default()
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn legend(items: &[(String, String)], top: f64) -> (Vec<LegendItem>, f64) {
    let mut out = Vec::new();
    let (mut x, mut y) = (0.0, top);
    for (key, label) in items {
        let w = 14.0 + 6.0 + label.chars().count() as f64 * CHAR_WIDTH + 22.0;
        if x > 0.0 && x + w > WIDTH {
            x = 0.0;
            y += LEGEND_ROW;
        }
        out.push(LegendItem {
            key: key.clone(),
            label: label.clone(),
            x: round1(x),
            y: round1(y),
        });
        x += w;
    }
    (out, y + LEGEND_ROW)
}

fn stacked(label: String, sublabel: Option<String>, y: f64, parts: &[(String, String, usize)], unit: &str) -> Bar {
    let total: usize = parts.iter().map(|p| p.2).sum();
    let mut x = BAR_X;
    let mut segments = Vec::new();
    for (key, seg_label, count) in parts.iter().filter(|p| p.2 > 0) {
        let share = *count as f64 / total as f64;
        let width = BAR_WIDTH * share;
        segments.push(Segment {
            key: key.clone(),
            label: seg_label.clone(),
            count: *count,
            percent: round1(share * 100.0),
            x: round1(x),
            width: round1(width),
            show_count: width >= 8.0 + 7.0 * count.to_string().len() as f64,
        });
        x += width;
    }
    Bar {
        label,
        sublabel,
        y: round1(y),
        total,
        total_label: format!("{total} {unit}"),
        segments,
    }
}

fn finish(id: &str, title: &str, description: String, bars: Vec<Bar>, legend_items: &[(String, String)]) -> Chart {
    let bars_bottom = TOP + bars.len() as f64 * (BAR_HEIGHT + BAR_GAP) - BAR_GAP;
    let legend_y = bars_bottom + LEGEND_GAP;
    let (legend, bottom) = legend(legend_items, legend_y);
    Chart {
        id: id.to_string(),
        title: title.to_string(),
        description,
        width: WIDTH,
        height: round1(bottom),
        label_width: LABEL_WIDTH,
        bar_x: BAR_X,
        bar_width: BAR_WIDTH,
        bar_height: BAR_HEIGHT,
        bars,
        legend,
        legend_y: round1(legend_y),
    }
}

fn owner_parts(counts: &BTreeMap<Summary, usize>) -> Vec<(String, String, usize)> {
    OWNERS
        .iter()
        .map(|s| {
            (
                s.as_str().to_string(),
                s.label().to_string(),
                counts.get(s).copied().unwrap_or(0),
            )
        })
        .collect()
}

fn owner_legend() -> Vec<(String, String)> {
    OWNERS
        .iter()
        .map(|s| {
            (
                s.as_str().to_string(),
                if *s == Summary::NotApplicable {
                    "Not applicable".to_string()
                } else {
                    s.label().to_string()
                },
            )
        })
        .collect()
}

/// Share of assignable controls by owner, one bar per framework.
pub fn by_framework(ws: &Workspace, matrix: &Matrix) -> Chart {
    let mut bars = Vec::new();
    for (n, f) in matrix.frameworks.iter().enumerate() {
        let mut counts: BTreeMap<Summary, usize> = BTreeMap::new();
        for r in matrix.rows.iter().filter(|r| *r.framework == *f.id && r.assignable) {
            *counts.entry(r.summary).or_default() += 1;
        }
        let label = ws
            .framework(&f.id)
            .map(|fw| fw.short_title().to_string())
            .unwrap_or_else(|| f.id.clone());
        bars.push(stacked(
            label,
            Some(shorten(&f.version, 32)),
            TOP + n as f64 * (BAR_HEIGHT + BAR_GAP),
            &owner_parts(&counts),
            "controls",
        ));
    }
    finish(
        "chart-frameworks",
        "Controls by owner, per framework",
        "Share of each framework's assignable controls owned by the MSP, shared, the client, a third party, unassigned or not applicable.".into(),
        bars,
        &owner_legend(),
    )
}

/// Share of CSF 2.0 subcategories by owner, one bar per CSF function; `None` when CSF does
/// not apply.
pub fn by_csf_function(ws: &Workspace, matrix: &Matrix) -> Option<Chart> {
    let csf = ws.framework("csf-2.0")?;
    if !matrix.frameworks.iter().any(|f| f.id == "csf-2.0") {
        return None;
    }
    let mut per_function: Vec<(String, String, BTreeMap<Summary, usize>)> = csf
        .controls
        .iter()
        .enumerate()
        .filter(|(i, _)| csf.parent_index(*i).is_none())
        .map(|(_, c)| (c.id.clone(), c.title.clone(), BTreeMap::new()))
        .collect();
    for r in matrix
        .rows
        .iter()
        .filter(|r| &*r.framework == "csf-2.0" && r.assignable)
    {
        let Some(i) = csf.index(&r.id) else { continue };
        let root = csf.ancestors(i).last().copied().unwrap_or(i);
        if let Some(entry) = per_function.iter_mut().find(|(id, _, _)| *id == csf.controls[root].id) {
            *entry.2.entry(r.summary).or_default() += 1;
        }
    }
    per_function.retain(|(_, _, counts)| !counts.is_empty());
    let bars = per_function
        .iter()
        .enumerate()
        .map(|(n, (id, title, counts))| {
            stacked(
                format!("{} ({id})", title_case(title)),
                None,
                TOP + n as f64 * (BAR_HEIGHT + BAR_GAP),
                &owner_parts(counts),
                "subcategories",
            )
        })
        .collect();
    Some(finish(
        "chart-csf",
        "CSF 2.0 functions: subcategories by owner",
        "Share of the NIST CSF 2.0 subcategories of each function owned by the MSP, shared, the client, a third party, unassigned or not applicable.".into(),
        bars,
        &owner_legend(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stacked_segments_fill_the_bar_in_owner_order() {
        let parts = vec![
            ("msp".to_string(), "MSP".to_string(), 3),
            ("shared".to_string(), "Shared".to_string(), 0),
            ("client".to_string(), "Client".to_string(), 1),
        ];
        let bar = stacked("X".into(), None, 0.0, &parts, "controls");
        assert_eq!(bar.total, 4);
        assert_eq!(bar.segments.len(), 2, "empty shares are not drawn");
        assert_eq!(bar.segments[0].percent, 75.0);
        assert_eq!(bar.segments[1].x, round1(BAR_X + BAR_WIDTH * 0.75));
        let end = bar.segments[1].x + bar.segments[1].width;
        assert!(
            (end - (BAR_X + BAR_WIDTH)).abs() < 0.2,
            "segments end at the bar's end: {end}"
        );
    }

    #[test]
    fn legend_wraps_to_the_chart_width() {
        let items: Vec<(String, String)> = (0..12)
            .map(|i| (format!("k{i}"), "A rather long legend label".to_string()))
            .collect();
        let (legend, bottom) = legend(&items, 100.0);
        assert!(legend.iter().all(|l| l.x < WIDTH));
        assert!(legend.last().is_some_and(|l| l.y > 100.0), "wrapped to a second row");
        assert!(bottom > 120.0);
    }
}
