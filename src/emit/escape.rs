//! Escaping of user-written text for the output it lands in.

/// Text safe inside a Markdown table cell: pipes escaped, newlines folded, HTML inert.
pub fn md_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '|' => out.push_str("\\|"),
            '\n' | '\r' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '`' => out.push('\''),
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            '*' => out.push_str("\\*"),
            '_' => out.push_str("\\_"),
            _ => out.push(ch),
        }
    }
    out
}

/// Text safe as an HTML text node or attribute value.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

/// A CSV cell that a spreadsheet will not execute: cells starting with `=`, `+`, `-`, `@`,
/// tab or carriage return get a leading apostrophe (OWASP's advice for CSV injection).
pub fn csv_cell(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_cells_cannot_break_the_table_or_inject_html() {
        assert_eq!(md_cell("a|b\n<script>"), "a\\|b &lt;script&gt;");
    }

    #[test]
    fn csv_formulas_are_neutralised() {
        for s in ["=1+1", "+1", "-1", "@SUM(A1)", "\t=x"] {
            assert!(csv_cell(s).starts_with('\''), "{s}");
        }
        assert_eq!(csv_cell("plain"), "plain");
    }

    #[test]
    fn html_escapes_quotes_and_tags() {
        assert_eq!(html("\"><img onerror=x>"), "&quot;&gt;&lt;img onerror=x&gt;");
    }
}
