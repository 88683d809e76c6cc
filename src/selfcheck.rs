//! Parses every rendered file with rnix before it is printed or written. A parse error is a bug
//! in jailgen (the templates or the escaper), reported with the generated text as its source.

use miette::NamedSource;

use crate::error::Error;

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
