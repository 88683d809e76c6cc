//! `jailgen init`: a starter `jails.yaml`, `flake.nix` and `jails.nix`, refusing to overwrite.

use std::path::{Path, PathBuf};

use super::{emit_stdout, shell_word};
use crate::{Error, Outcome, error, generate, presets, render, selfcheck, suggest, write};

pub fn run(
    dir: &Path,
    agents: Vec<String>,
    force: bool,
    jailgen_url: &str,
) -> Result<Outcome, Error> {
    let mut chosen: Vec<String> = Vec::new();
    for a in agents {
        if presets::preset(&a).is_none() {
            let known = presets::presets().keys().map(String::as_str);
            return Err(Error::UnknownInitAgent {
                help: suggest::help(&a, known, "known presets", None),
                name: suggest::shown(&a),
            });
        }
        if !chosen.contains(&a) {
            chosen.push(a);
        }
    }
    if chosen.is_empty() {
        chosen.push(presets::POPULAR_PRESET.to_owned());
    }
    let starter = render::render_starter(&chosen)?;
    // The starter must pass our own pipeline; if it does not, that is our bug.
    let jails = generate(&starter, "jails.yaml").map_err(|e| {
        Error::bug(format!(
            "the starter jails.yaml is invalid: {}",
            error::render_report(&e, false)
        ))
    })?;
    let flake = render::render_flake(jailgen_url)?;
    selfcheck::check("flake.nix", &flake)?;
    let files = [
        ("jails.yaml", starter),
        ("flake.nix", flake),
        ("jails.nix", jails),
    ];
    if !force {
        let existing: Vec<String> = files
            .iter()
            .map(|(name, _)| dir.join(name))
            .filter(|p| p.symlink_metadata().is_ok())
            .map(|p| p.display().to_string())
            .collect();
        if !existing.is_empty() {
            return Err(Error::WouldOverwrite { files: existing });
        }
    }
    std::fs::create_dir_all(dir).map_err(|source| Error::Write {
        path: dir.display().to_string(),
        source,
    })?;
    let files: Vec<(PathBuf, String)> = files
        .into_iter()
        .map(|(name, text)| (dir.join(name), text))
        .collect();
    write::write_all_atomic(&files)?;
    let mut steps = format!(
        "wrote jails.yaml, flake.nix and jails.nix in `{}`\n\nnext steps:\n",
        dir.display()
    );
    if dir != Path::new(".") {
        steps.push_str(&format!(
            "  cd {}\n",
            shell_word(&dir.display().to_string())
        ));
    }
    steps.push_str("  git add jails.yaml flake.nix jails.nix   # flakes only see tracked files\n");
    steps.push_str("  nix develop\n");
    for a in &chosen {
        steps.push_str(&format!("  {}\n", presets::default_command_name(a)));
    }
    steps.push_str("edit jails.yaml, then run `jailgen render -o jails.nix`\n");
    emit_stdout(steps.as_bytes())?;
    Ok(Outcome::Ok)
}
