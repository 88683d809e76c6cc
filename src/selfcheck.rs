//! Checks every rendered file before it is printed or written. A failure is a bug in jailgen (the
//! renderer or the escaper), reported with the generated text as its source.
//!
//! - [`check`]: a full rnix parse (the starter `flake.nix`; tests run it on every `jails.nix`).
//! - [`literals`]: what `jails.nix` needs, in one linear pass: outside string literals only the
//!   characters the renderer writes (identifiers, `{}[];=:,.` and a leading `#` comment line),
//!   brackets balanced, no interpolation inside a string, and the string literals, decoded, are
//!   exactly the values the renderer meant to write, in order. A value that escaped its quotes
//!   changes that sequence, whatever Nix would make of it.

use miette::NamedSource;

use crate::error::Error;

/// Checks rendered `jails.nix` text against the literals it was meant to hold.
pub fn literals(file_name: &str, text: &str, intended: &[&str]) -> Result<(), Error> {
    let found = decode_literals(text).map_err(|(at, why)| bug(file_name, text, at, why))?;
    if found.len() == intended.len() && found.iter().zip(intended).all(|(a, b)| a == b) {
        return Ok(());
    }
    let at = found
        .iter()
        .zip(intended)
        .position(|(a, b)| a != b)
        .unwrap_or(found.len().min(intended.len()));
    Err(bug(
        file_name,
        text,
        0,
        format!(
            "string literal {} is {:?}, not the value {:?}",
            at + 1,
            found.get(at),
            intended.get(at)
        ),
    ))
}

fn bug(file_name: &str, text: &str, at: usize, why: impl Into<String>) -> Error {
    Error::Bug {
        message: format!(
            "the rendered `{file_name}` is not what was meant: {}",
            why.into()
        ),
        src: Some(NamedSource::new(file_name, text.to_owned()).with_language("nix")),
        span: Some((at, 0).into()),
    }
}

/// The string literals of `text`, unescaped, or where and why the text is not renderer output.
fn decode_literals(text: &str) -> Result<Vec<std::borrow::Cow<'_, str>>, (usize, String)> {
    use std::borrow::Cow;
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut depth: Vec<u8> = Vec::new();
    let mut i = 0;
    let mut line_start = true;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'#' if line_start => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' => {
                let start = i + 1;
                let mut j = start;
                let mut owned: Option<String> = None;
                loop {
                    let Some(&c) = bytes.get(j) else {
                        return Err((i, "an unterminated string".into()));
                    };
                    match c {
                        b'"' => break,
                        b'\\' => {
                            let s = owned.get_or_insert_with(|| text[start..j].to_owned());
                            let Some(&e) = bytes.get(j + 1) else {
                                return Err((j, "an unterminated escape".into()));
                            };
                            match e {
                                b'n' => s.push('\n'),
                                b'r' => s.push('\r'),
                                b't' => s.push('\t'),
                                b'\\' | b'"' | b'$' => s.push(e as char),
                                _ => return Err((j, "an unexpected escape".into())),
                            }
                            j += 2;
                            continue;
                        }
                        b'$' if bytes.get(j + 1) == Some(&b'{') => {
                            return Err((j, "an interpolation inside a string".into()));
                        }
                        b'\n' | b'\r' | b'\t' => {
                            return Err((j, "a raw control character inside a string".into()));
                        }
                        _ => {
                            // Copy whole UTF-8 sequences (continuation bytes are never ASCII).
                            let len = utf8_len(c);
                            if let Some(s) = owned.as_mut() {
                                s.push_str(&text[j..j + len]);
                            }
                            j += len;
                            continue;
                        }
                    }
                }
                out.push(match owned {
                    Some(s) => Cow::Owned(s),
                    None => Cow::Borrowed(&text[start..j]),
                });
                i = j + 1;
                line_start = false;
                continue;
            }
            b'{' | b'[' => depth.push(b),
            b'}' | b']' => {
                let open = if b == b'}' { b'{' } else { b'[' };
                if depth.pop() != Some(open) {
                    return Err((i, format!("an unbalanced `{}`", b as char)));
                }
            }
            b'\n' => {
                line_start = true;
                i += 1;
                continue;
            }
            b' ' | b';' | b'=' | b':' | b',' | b'.' | b'_' | b'\'' | b'-' => {}
            c if c.is_ascii_alphanumeric() => {}
            _ => return Err((i, format!("an unexpected `{}`", b as char))),
        }
        if b != b' ' {
            line_start = false;
        }
        i += 1;
    }
    if !depth.is_empty() {
        return Err((text.len(), "an unclosed bracket".into()));
    }
    Ok(out)
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// `Ok` when `text` parses as Nix without errors.
pub fn check(file_name: &str, text: &str) -> Result<(), Error> {
    let parse = rnix::Root::parse(text);
    let Some(first) = parse.errors().first() else {
        return Ok(());
    };
    use rnix::ParseError::*;
    let range = match first {
        Unexpected(r)
        | UnexpectedExtra(r)
        | UnexpectedDoubleBind(r)
        | UnexpectedWanted(_, r, _)
        | DuplicatedArgs(r, _) => Some(*r),
        _ => None,
    };
    let span = range.map(|r| {
        let start = usize::from(r.start());
        (start, usize::from(r.end()) - start).into()
    });
    Err(Error::Bug {
        message: format!("the rendered `{file_name}` does not parse as Nix: {first}"),
        src: Some(NamedSource::new(file_name, text.to_owned()).with_language("nix")),
        span,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_nix_is_reported_as_a_bug_with_its_place() {
        let err = check("jails.nix", "{ a = 1; b = x { name = \"x\"; ; }").expect_err("broken");
        let text = crate::error::render_report(&err, false);
        assert!(text.contains("bug in jailgen"), "{text}");
        assert!(text.contains("jails.nix"), "{text}");
    }

    #[test]
    fn valid_nix_passes() {
        check("jails.nix", "{ pkgs, ... }: { a = pkgs.hello; }").expect("valid");
    }
}
