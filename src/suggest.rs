//! How user text appears in what jailgen prints: the one place that words "unknown X" (the "did
//! you mean" suggestion and the list of what is known), a value inside a message, and the spec's
//! source under a diagnostic.

/// Help for an unknown name. `label` names the list (`known presets`); `with_list` says whether
/// the list follows a suggestion too; `otherwise` is appended when there is no suggestion.
///
/// - suggestion, `with_list`: ``did you mean `x`? known presets: a, b``
/// - suggestion, no list: ``did you mean `x`?``
/// - no suggestion: ``known presets: a, b`` then `; {otherwise}` if given
pub fn help<'a>(
    input: &str,
    known: impl Iterator<Item = &'a str> + Clone,
    label: &str,
    otherwise: Option<&str>,
) -> String {
    help_with(input, known, label, label != "known keys", otherwise)
}

fn help_with<'a>(
    input: &str,
    known: impl Iterator<Item = &'a str> + Clone,
    label: &str,
    with_list: bool,
    otherwise: Option<&str>,
) -> String {
    let list = known.clone().collect::<Vec<_>>().join(", ");
    match crate::rules::did_you_mean(input, known) {
        Some(s) if with_list => format!("did you mean `{s}`? {label}: {list}"),
        Some(s) => format!("did you mean `{s}`?"),
        None => match otherwise {
            Some(more) => format!("{label}: {list}; {more}"),
            None => format!("{label}: {list}"),
        },
    }
}

/// A user value as shown inside a message: control, bidi and zero-width characters escaped, so a
/// message stays one line and cannot drive the terminal.
pub fn shown(s: &str) -> String {
    if !s.chars().any(needs_escape) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || is_bidi_control(c)
        || crate::rules::hidden_char(c.encode_utf8(&mut [0; 4])).is_some()
        || c == '\u{AD}'
}

/// The source as shown in a diagnostic: control and bidi-override characters become `?` (one per
/// byte, so every span still points at the same text). A spec from an untrusted pull request
/// cannot drive the terminal or a CI log viewer through jailgen's error output.
pub fn sanitize_source(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut chars = src.chars().peekable();
    while let Some(c) = chars.next() {
        let keep = match c {
            '\n' | '\t' => true,
            '\r' => chars.peek() == Some(&'\n'),
            c => !c.is_control() && !is_bidi_control(c),
        };
        if keep {
            out.push(c);
        } else {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        }
    }
    out
}

/// Unicode bidirectional formatting characters ("Trojan Source").
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_near_miss_gets_a_suggestion_and_a_far_one_the_list() {
        let known = ["readwrite", "readonly"];
        assert_eq!(
            help("readwirte", known.iter().copied(), "known keys", None),
            "did you mean `readwrite`?"
        );
        assert_eq!(
            help("zzz", known.iter().copied(), "known keys", None),
            "known keys: readwrite, readonly"
        );
        assert_eq!(
            help(
                "readonyl",
                known.iter().copied(),
                "known things",
                Some("or else")
            ),
            "did you mean `readonly`? known things: readwrite, readonly"
        );
        assert_eq!(
            help(
                "zzz",
                known.iter().copied(),
                "known things",
                Some("or else")
            ),
            "known things: readwrite, readonly; or else"
        );
    }

    #[test]
    fn shown_values_cannot_break_the_line() {
        assert_eq!(shown("a\nb\u{202E}"), "a\\nb\\u{202e}");
        assert_eq!(shown("plain"), "plain");
    }

    #[test]
    fn sanitised_source_keeps_byte_offsets_and_drops_terminal_controls() {
        let src = "a: \"\u{1b}[31mred\u{202E}x\u{85}\"\r\nb: 1\rc\n";
        let clean = sanitize_source(src);
        assert_eq!(clean.len(), src.len());
        assert_eq!(clean, "a: \"?[31mred???x??\"\r\nb: 1?c\n");
    }
}
