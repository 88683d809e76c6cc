//! The one escaper for Nix string literals, and the identifier check that never escapes.

use crate::rules;

/// `s` as a double-quoted Nix string literal that evaluates to exactly `s`.
///
/// Escapes `\`, `"`, `${` (as `\${`), and `\n`, `\r`, `\t`. A lone `$` stays literal: Nix only
/// interpolates `${`. `$${` would also be literal in Nix, but escaping every `${` keeps the rule
/// obvious. NUL cannot be represented in a Nix string; validation rejects it before rendering.
pub fn nix_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    nix_str_into(&mut out, s);
    out
}

/// [`nix_str`], appended to `out`.
pub fn nix_str_into(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    #[cfg(test)]
    if ESCAPING_OFF.with(std::cell::Cell::get) {
        out.push_str(s);
        out.push('"');
        return;
    }
    if !s.contains(['\\', '"', '$', '\n', '\r', '\t']) {
        out.push_str(s);
        out.push('"');
        return;
    }
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '$' if chars.peek() == Some(&'{') => out.push_str("\\$"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
thread_local! {
    static ESCAPING_OFF: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with [`nix_str`] not escaping (tests only: to show the self-check catches it).
#[cfg(test)]
pub fn without_escaping<T>(f: impl FnOnce() -> T) -> T {
    ESCAPING_OFF.with(|c| c.set(true));
    let out = f();
    ESCAPING_OFF.with(|c| c.set(false));
    out
}

/// `s` itself, which must be a Nix identifier (validated upstream). Identifiers are never escaped:
/// `None` here means an unvalidated value reached the renderer.
pub fn nix_ident(s: &str) -> Option<&str> {
    rules::is_nix_ident(s).then_some(s)
}

/// An attribute name: bare when it is an identifier, otherwise a quoted string
/// (`"9lives" = …`, `"if" = …`).
pub fn nix_attr_name(s: &str) -> String {
    match nix_ident(s) {
        Some(id) => id.to_owned(),
        None => nix_str(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_nix_would_interpret() {
        assert_eq!(nix_str(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(nix_str("${x}"), r#""\${x}""#);
        assert_eq!(nix_str("$x $"), r#""$x $""#);
        assert_eq!(nix_str("a\nb\r\tc"), r#""a\nb\r\tc""#);
        assert_eq!(nix_str("$${x}"), r#""$\${x}""#);
    }

    #[test]
    fn attribute_names_are_quoted_unless_identifiers() {
        assert_eq!(nix_attr_name("jailed-claude"), "jailed-claude");
        assert_eq!(nix_attr_name("9lives"), "\"9lives\"");
        assert_eq!(nix_attr_name("a.b"), "\"a.b\"");
        assert_eq!(nix_attr_name("if"), "\"if\"");
    }
}
