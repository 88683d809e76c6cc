//! `jails.nix`, written straight from the model (no template: at 10 000 jails the template engine
//! cost more than everything else but the YAML parse). Decides nothing: which arguments appear is
//! [`crate::model::Jail::args`]'s call.
//!
//! No unescaped string can reach the text: [`Nix`] only appends fixed syntax (`&'static str`),
//! strings through the one escaper [`nix_str`], identifiers that [`nix_ident`] accepted, and
//! attribute names as one or the other (as [`super::nix::nix_attr_name`] does). The unit test
//! below switches escaping off and watches the self-check fail.

use super::nix::{nix_ident, nix_str_into};
use crate::error::Error;
use crate::model::{Args, GitPolicy, Jail, Model, NetworkArg};
use crate::rules::PkgRef;

#[cfg(doc)]
use super::nix::nix_str;

/// Nix text under construction, and the values of the string literals written into it, for the
/// self-check.
struct Nix<'m> {
    text: String,
    literals: Vec<&'m str>,
}

impl<'m> Nix<'m> {
    /// Fixed syntax written by this module.
    fn syntax(&mut self, s: &'static str) {
        self.text.push_str(s);
    }

    /// A string literal, escaped.
    fn string(&mut self, s: &'m str) {
        nix_str_into(&mut self.text, s);
        self.literals.push(s);
    }

    /// An identifier validated upstream; anything else is our bug.
    fn ident(&mut self, s: &str) -> Result<(), Error> {
        let id = nix_ident(s).ok_or_else(|| {
            Error::bug(format!(
                "`{s}` reached the renderer but is not a Nix identifier"
            ))
        })?;
        self.text.push_str(id);
        Ok(())
    }

    fn attr_name(&mut self, s: &'m str) {
        match nix_ident(s) {
            Some(id) => self.text.push_str(id),
            None => self.string(s),
        }
    }

    /// `    key = [` one string per line `];`, or `[ ]` when empty.
    fn string_list(&mut self, key: &'static str, items: impl ExactSizeIterator<Item = &'m String>) {
        self.syntax("    ");
        self.syntax(key);
        if items.len() == 0 {
            self.syntax(" = [ ];\n");
            return;
        }
        self.syntax(" = [\n");
        for item in items {
            self.syntax("      ");
            self.string(item);
            self.syntax("\n");
        }
        self.syntax("    ];\n");
    }

    fn pkg(&mut self, p: &PkgRef) -> Result<(), Error> {
        match p {
            PkgRef::LlmAgents(name) => {
                self.syntax("jailgen.agentPackages.");
                self.ident(name)
            }
            PkgRef::Nixpkgs(segs) => {
                self.syntax("pkgs");
                for seg in segs {
                    self.syntax(".");
                    self.ident(seg)?;
                }
                Ok(())
            }
        }
    }

    /// A port number: digits only, nothing to escape.
    fn port(&mut self, p: u16) {
        use std::fmt::Write as _;
        let _ = write!(self.text, "{p}");
    }

    fn flag(&mut self, key: &'static str, value: Option<bool>) {
        if let Some(b) = value {
            self.syntax("    ");
            self.syntax(key);
            self.syntax(if b { " = true;\n" } else { " = false;\n" });
        }
    }
}

/// Renders `jails.nix` for a model. `spec_display_name` is named in the header comment.
///
/// The text is checked before it is returned ([`crate::selfcheck::literals`]): its string literals,
/// decoded, must be the values written, in order.
pub fn render_jails(model: &Model, spec_display_name: &str) -> Result<String, Error> {
    let spec = comment_text(spec_display_name);
    let mut out = Nix {
        text: String::with_capacity(256 + model.jails.len() * 1024),
        literals: Vec::with_capacity(32),
    };
    out.syntax(super::GENERATED_MARKER);
    out.syntax(" from ");
    out.text.push_str(&spec);
    out.syntax(". Do not edit: edit ");
    out.text.push_str(&spec);
    out.syntax(" and run `jailgen render -o jails.nix`.\n{ pkgs, jailgen, ... }:\n{\n");
    let frame_end = out.text.len();
    // Each jail's text is balanced on its own, so it is checked as soon as it is written (its
    // literals need not be kept for the whole file).
    for jail in &model.jails {
        let start = out.text.len();
        jail_text(&mut out, jail, &jail.args())?;
        crate::selfcheck::literals("jails.nix", &out.text[start..], &out.literals)?;
        out.literals.clear();
    }
    out.syntax("}\n");
    let frame = format!("{}}}\n", &out.text[..frame_end]);
    crate::selfcheck::literals("jails.nix", &frame, &[])?;
    Ok(out.text)
}

fn jail_text<'m>(out: &mut Nix<'m>, jail: &'m Jail, a: &Args<'m>) -> Result<(), Error> {
    out.syntax("  ");
    out.attr_name(&jail.name);
    out.syntax(" = jailgen.");
    out.ident(&jail.builder)?;
    if a.is_empty() {
        out.syntax(" { };\n");
        return Ok(());
    }
    out.syntax(" {\n");
    if let Some(name) = a.name {
        out.syntax("    name = ");
        out.string(name);
        out.syntax(";\n");
    }
    if let Some(pkg) = a.pkg {
        out.syntax("    pkg = ");
        out.pkg(pkg)?;
        out.syntax(";\n");
    }
    if let Some(c) = a.config_paths {
        out.string_list("configPaths", c.iter());
    }
    if !a.extra_config_paths.is_empty() {
        out.string_list("extraConfigPaths", a.extra_config_paths.iter());
    }
    if !a.extra_pkgs.is_empty() {
        out.syntax("    extraPkgs = [\n");
        for p in a.extra_pkgs {
            out.syntax("      ");
            out.pkg(p)?;
            out.syntax("\n");
        }
        out.syntax("    ];\n");
    }
    if !a.extra_readwrite_dirs.is_empty() {
        out.string_list("extraReadwriteDirs", a.extra_readwrite_dirs.iter());
    }
    if !a.extra_readonly_dirs.is_empty() {
        out.string_list("extraReadonlyDirs", a.extra_readonly_dirs.iter());
    }
    if !a.extra_readonly_if_exists.is_empty() {
        out.string_list("extraReadonlyIfExists", a.extra_readonly_if_exists.iter());
    }
    if !a.env.is_empty() {
        out.syntax("    env = {\n");
        for (k, v) in a.env {
            out.syntax("      ");
            out.attr_name(k);
            out.syntax(" = ");
            out.string(v);
            out.syntax(";\n");
        }
        out.syntax("    };\n");
    }
    if !a.forward_env.is_empty() {
        out.string_list("forwardEnv", a.forward_env.iter());
    }
    match a.network {
        None => {}
        Some(NetworkArg::Off) => out.flag("network", Some(false)),
        Some(NetworkArg::Host) => {
            out.syntax("    network = ");
            out.string("host");
            out.syntax(";\n");
        }
        Some(NetworkArg::Allow(allow)) => {
            out.syntax("    network = {\n      allow = [\n");
            for rule in allow {
                out.syntax("        ");
                out.string(rule);
                out.syntax("\n");
            }
            out.syntax("      ];\n    };\n");
        }
    }
    if !a.host_ports.is_empty() {
        out.syntax("    hostPorts = [\n");
        for p in a.host_ports {
            out.syntax("      ");
            out.port(*p);
            out.syntax("\n");
        }
        out.syntax("    ];\n");
    }
    if let Some(stack) = a.net_stack {
        out.syntax("    netStack = ");
        out.string(stack);
        out.syntax(";\n");
    }
    out.flag("newSession", a.new_session);
    out.flag("enableNix", a.enable_nix);
    if !a.extra_combinators.is_empty() {
        out.string_list("extraCombinators", a.extra_combinators.iter());
    }
    if let Some(g) = a.git {
        out.syntax("    git = ");
        out.string(match g {
            GitPolicy::Open => "open",
            GitPolicy::Protect => "protect",
        });
        out.syntax(";\n");
    }
    if let Some(h) = a.hide {
        out.string_list("hide", h.iter());
    }
    out.syntax("  };\n");
    Ok(())
}

/// Text for a `#` comment: control characters (which could end the comment) are escaped.
pub(super) fn comment_text(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let v: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            v
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A codex jail with one env value (YAML double-quoted source text).
    fn model_with_env(value: &str) -> Model {
        let src = format!(
            "version: 1\njails:\n  jailed-codex:\n    agent: codex\n    env: {{ A: \"{value}\" }}\n"
        );
        let spec = crate::parse_and_validate(&src, "t.yaml")
            .unwrap_or_else(|e| panic!("{}", crate::error::render_report(&e, false)));
        crate::model::build(&spec).expect("model")
    }

    /// An interpolation, a value that closes its string and opens another (lexically fine Nix:
    /// `A = "x"; B = "y";`), and a stray quote.
    const HOSTILE: &[&str] = &["${x}", "x\\\"; B = \\\"y", "a\\\"b"];

    #[test]
    fn escaped_output_passes_the_self_check_and_parses() {
        for value in HOSTILE {
            let text = render_jails(&model_with_env(value), "t.yaml").expect("render");
            assert!(rnix::Root::parse(&text).errors().is_empty(), "{text}");
        }
    }

    #[test]
    fn with_escaping_switched_off_the_self_check_fails() {
        for value in HOSTILE {
            let model = model_with_env(value);
            let err = super::super::nix::without_escaping(|| render_jails(&model, "t.yaml"))
                .expect_err("the self-check must refuse unescaped output");
            let report = crate::error::render_report(&err, false);
            assert!(report.contains("bug in jailgen"), "{report}");
        }
        // And with escaping on again, the same models render.
        for value in HOSTILE {
            render_jails(&model_with_env(value), "t.yaml").expect("render");
        }
    }

    #[test]
    fn comments_cannot_be_broken_out_of() {
        assert_eq!(comment_text("a\nb\rc"), "a\\nb\\rc");
    }
}
