//! Escaping of user-written text for the output it lands in.
//!
//! Terminal text and Markdown are read by people *and* by machines: a CI log turns a line
//! that starts with `::` into a GitHub workflow command (and `##[` anywhere in a line into a
//! legacy one), and a terminal obeys escape sequences. So no user string reaches them raw:
//! control characters (and the invisible bidirectional overrides) are shown as `\u{1b}`,
//! and a line that would start a workflow command starts with `\` instead.

use std::borrow::Cow;

/// Characters that must not reach a terminal or a log as they are: C0 controls (tab and
/// line feed are handled by the callers), DEL, C1 controls, and the invisible characters
/// that reorder or break text (bidirectional overrides and isolates, line and paragraph
/// separators).
pub fn is_hidden_control(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        | '\u{2028}' | '\u{2029}')
}

/// Write `c` as `\u{…}`.
pub fn push_visible(out: &mut String, c: char) {
    out.push_str(&format!("\\u{{{:x}}}", c as u32));
}

/// One user value on one line of terminal text: line breaks folded to spaces, every other
/// control character made visible (`ESC` becomes `\u{1b}`).
pub fn terminal_line(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c == '\n' || c == '\r' || is_hidden_control(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push(' '),
            c if is_hidden_control(c) => push_visible(&mut out, c),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The last pass over text meant for a terminal, a CI log or a Markdown file: control
/// characters other than line feed and tab made visible (with `keep_sgr`, the colour
/// sequences `ESC [ … m` that ctrlmap itself paints are kept), a line whose first visible
/// characters are `::` prefixed with `\`, and `##[` written `#\#[` — so no output line can
/// be read as a GitHub workflow command. In Markdown `\:` and `\#` render as `:` and `#`.
pub fn terminal_text(text: &str, keep_sgr: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let body = line.trim_start_matches([' ', '\t']);
        let indent = &line[..line.len() - body.len()];
        out.push_str(indent);
        // A CI log runs `::name …::` lines as workflow commands. The `::: file:line:col` of a
        // rendered diagnostic's second excerpt has no name and no second `::`, so it is not one.
        let excerpt_origin = body.starts_with("::: ") && !body[4..].contains("::");
        if body.starts_with("::") && !excerpt_origin {
            out.push('\\');
        }
        let mut rest = body;
        while let Some(c) = rest.chars().next() {
            if c == '\u{1b}'
                && keep_sgr
                && let Some(len) = sgr_len(rest)
            {
                out.push_str(&rest[..len]);
                rest = &rest[len..];
                continue;
            }
            if rest.starts_with("##[") {
                out.push_str("#\\#[");
                rest = &rest[3..];
                continue;
            }
            if c == '\r' && rest.len() == 1 {
                out.push('\r'); // a CRLF line ending stays one
            } else if is_hidden_control(c) || c == '\r' {
                push_visible(&mut out, c);
            } else {
                out.push(c);
            }
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// Length of a colour sequence `ESC [ digits ; digits m` at the start of `s`.
fn sgr_len(s: &str) -> Option<usize> {
    let body = s.strip_prefix("\u{1b}[")?;
    let n = body.bytes().take_while(|b| b.is_ascii_digit() || *b == b';').count();
    (body.as_bytes().get(n) == Some(&b'm')).then_some(2 + n + 1)
}

/// Text safe inside a Markdown table cell: pipes escaped, newlines folded, HTML inert, no
/// link, emphasis or escape syntax (`\` is escaped too, so `\[x\](url)` stays text), no
/// control characters, and no leading `::` a CI log would run.
pub fn md_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    if s.trim_start().starts_with("::") {
        out.push('\\');
    }
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
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
            c if is_hidden_control(c) => push_visible(&mut out, c),
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
    fn markdown_cells_escape_backslashes_so_escaped_links_stay_text() {
        assert_eq!(
            md_cell("\\[phish\\](https://evil.example/login)"),
            "\\\\\\[phish\\\\\\](https://evil.example/login)"
        );
        assert_eq!(md_cell("::warning x"), "\\::warning x");
        assert_eq!(md_cell("a\u{1b}[2Jb"), "a\\u{1b}\\[2Jb");
    }

    #[test]
    fn terminal_lines_fold_breaks_and_show_controls() {
        assert_eq!(
            terminal_line("NW\n::warning file=x::forged"),
            "NW ::warning file=x::forged"
        );
        assert_eq!(terminal_line("a\u{1b}]0;title\u{7}b"), "a\\u{1b}]0;title\\u{7}b");
        assert_eq!(terminal_line("\u{202e}txt.exe"), "\\u{202e}txt.exe");
        assert!(matches!(terminal_line("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_second_excerpt_header_is_kept_and_cannot_hide_a_command() {
        assert_eq!(
            terminal_text(" ::: scopes/a.yaml:2:5\n", false),
            " ::: scopes/a.yaml:2:5\n"
        );
        assert_eq!(
            terminal_text("::: x::error::forged\n", false),
            "\\::: x::error::forged\n"
        );
    }

    #[test]
    fn terminal_text_cannot_start_a_workflow_command() {
        let out = terminal_text("ok\n  ::warning file=x::forged\nx ##[error]y\n", false);
        assert_eq!(out, "ok\n  \\::warning file=x::forged\nx #\\#[error]y\n");
        assert_eq!(terminal_text("\u{1b}[31mred\u{1b}[0m", true), "\u{1b}[31mred\u{1b}[0m");
        assert_eq!(terminal_text("\u{1b}[31mred", false), "\\u{1b}[31mred");
        assert_eq!(terminal_text("\u{1b}]8;;x\u{7}", true), "\\u{1b}]8;;x\\u{7}");
        assert_eq!(terminal_text("a\r\nb", false), "a\r\nb");
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
