//! The working-directory guard: the jail binds the working directory read-write, so the
//! launcher refuses one that would hand the agent the home directory, the whole file system,
//! other programs' sockets or a directory of secrets. `JAILGEN_ALLOW_CWD=1` insists.

use crate::refuse::{Stop, q, refuse};
use crate::sys;

fn id(path: &str) -> Option<(u64, u64)> {
    sys::stat(path).ok().map(|s| (s.st_dev, s.st_ino))
}

/// `cwd` is physical (getcwd).
pub fn check(
    cwd: &str,
    home: Option<&str>,
    var: &dyn Fn(&str) -> Option<String>,
) -> Result<(), Stop> {
    if var("JAILGEN_ALLOW_CWD").as_deref() == Some("1") {
        return Ok(());
    }
    match what(cwd, home, var) {
        None => Ok(()),
        Some(what) => Err(refuse(
            format!("the working directory {}", q(cwd)),
            format!(
                "it is {what}, and the jail mounts the working directory read-write, so the agent could read and change everything under it (SSH keys, shell start-up files, other projects' secrets)"
            ),
            "run the agent from a project directory instead (cd ~/src/my-project), or set JAILGEN_ALLOW_CWD=1 for this run to insist",
        )),
    }
}

fn what(cwd: &str, home: Option<&str>, var: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let here = id(cwd)?;
    if Some(here) == id("/") {
        return Some("the root directory /".into());
    }
    if let Some(home) = home.filter(|h| !h.is_empty()) {
        // The physical home and its ancestors (a symlinked $HOME counts where it leads).
        if let Ok(real) = std::fs::canonicalize(home) {
            let real = real.to_string_lossy().into_owned();
            if real == cwd {
                return Some(format!("your home directory {}", q(home)));
            }
            if real.starts_with(&format!("{}/", cwd.trim_end_matches('/'))) {
                return Some(format!(
                    "a directory which contains your home directory {}",
                    q(home)
                ));
            }
        }
        if Some(here) == id(home) {
            return Some(format!("your home directory {}", q(home)));
        }
    }
    for sys_dir in ["/tmp", "/run", "/var", "/dev", "/proc", "/sys"] {
        if Some(here) == id(sys_dir) {
            return Some(format!(
                "{}, which holds other programs' sockets and files",
                q(sys_dir)
            ));
        }
    }
    // Directories of secrets, refused with everything inside them (compared as files, so a
    // symlinked ~/.config counts where it leads).
    let mut secret: Vec<String> = vec!["/etc".into(), "/run/user".into()];
    match home.filter(|h| !h.is_empty()) {
        Some(h) => {
            for d in [".ssh", ".gnupg", ".aws", ".config"] {
                secret.push(format!("{}/{d}", h.trim_end_matches('/')));
            }
            if id(h) != id("/root") {
                secret.push("/root".into());
            }
        }
        None => secret.push("/root".into()),
    }
    if let Some(x) = var("XDG_RUNTIME_DIR").filter(|x| !x.is_empty()) {
        secret.push(x.trim_end_matches('/').to_string());
    }
    let ids: Vec<((u64, u64), &String)> = secret
        .iter()
        .filter_map(|s| id(s).map(|i| (i, s)))
        .collect();
    let mut up = String::new();
    for part in cwd.split('/').filter(|p| !p.is_empty()) {
        up.push('/');
        up.push_str(part);
        let Some(i) = id(&up) else { continue };
        if let Some((_, s)) = ids.iter().find(|(sid, _)| *sid == i) {
            return Some(if up == cwd {
                format!("{}, a directory of secrets and sockets", q(s))
            } else {
                format!("inside {}, a directory of secrets and sockets", q(s))
            });
        }
    }
    None
}
