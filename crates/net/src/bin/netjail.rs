//! A stand-in for the launcher's network part, for the tests and the benchmark (a binary
//! of this package only: the launcher links the library, never builds this): prepare a
//! network, start its helper, exec bwrap with the network's options added.
//!
//! ```text
//! netjail [--internet | --allow RULE…] [--host-port PORT]… [--log-dir DIR]
//!         [--pasta PATH | --slirp4netns PATH]
//!         -- BWRAP [BWRAP-OPTIONS…] -- COMMAND…
//! ```
//! `--allow` may be repeated; `--allow ''` gives an empty allowlist. Prints
//! `netjail: log PATH` on stderr when an allowlist log is written.

use std::ffi::CString;
use std::path::PathBuf;

use jailgen_net::{Backend, Mode, Network, Options, Rules};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    let mut internet = false;
    let mut allow: Option<Vec<String>> = None;
    let mut host_ports = Vec::new();
    let mut log_dir = None;
    let mut backend = Backend::Pasta(PathBuf::from("/usr/bin/pasta"));
    while i < args.len() && args[i] != "--" {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--internet" => {
                internet = true;
                i += 1;
                continue;
            }
            "--allow" => {
                let v = allow.get_or_insert_with(Vec::new);
                if !value.is_empty() {
                    v.push(value);
                }
            }
            "--host-port" => host_ports.push(value.parse().expect("--host-port takes a port")),
            "--log-dir" => log_dir = Some(PathBuf::from(value)),
            "--pasta" => backend = Backend::Pasta(PathBuf::from(value)),
            "--slirp4netns" => backend = Backend::Slirp4netns(PathBuf::from(value)),
            other => panic!("netjail: unknown option `{other}`"),
        }
        i += 2;
    }
    let rest = &args[(i + 1).min(args.len())..];
    assert!(!rest.is_empty(), "netjail: nothing to run after `--`");
    let mode = match (internet, allow) {
        (true, None) => Mode::Internet { host_ports },
        (false, Some(a)) => Mode::Allow {
            rules: Rules::parse(&a).unwrap_or_else(|e| {
                eprintln!("netjail: {e}");
                std::process::exit(2)
            }),
            host_ports,
        },
        _ => panic!("netjail: give --internet or --allow"),
    };
    let net = Network::prepare(
        mode,
        Options {
            backend,
            log_dir,
            name: "netjail".into(),
            times: std::env::var(jailgen_net::LAUNCH_TIMES_VAR).is_ok_and(|v| v == "1"),
        },
    )
    .unwrap_or_else(|e| {
        eprintln!("jailgen: refusing to start: {e}");
        std::process::exit(125)
    });
    if let Some(p) = net.log_path() {
        eprintln!("netjail: log {}", p.display());
    }
    // The network's options go last among bwrap's, where the launcher's plan puts its
    // network set-up: after the mounts they must land on.
    let end = rest[1..]
        .iter()
        .position(|a| a == "--")
        .map_or(rest.len(), |p| p + 1);
    let mut argv: Vec<String> = rest[..end].to_vec();
    argv.extend(net.bwrap_args());
    argv.extend(rest[end..].iter().cloned());
    let _keep = net.start().unwrap_or_else(|e| {
        eprintln!("jailgen: refusing to start: {e}");
        std::process::exit(125)
    });
    let c: Vec<CString> = argv
        .iter()
        .map(|a| CString::new(a.as_str()).expect("no NUL in arguments"))
        .collect();
    let mut ptrs: Vec<*const libc::c_char> = c.iter().map(|s| s.as_ptr()).collect();
    ptrs.push(std::ptr::null());
    // SAFETY: `ptrs` is a NULL-terminated array of pointers into `c`, alive for the call.
    unsafe { libc::execv(ptrs[0], ptrs.as_ptr()) };
    eprintln!(
        "netjail: cannot exec `{}`: {}",
        argv[0],
        std::io::Error::last_os_error()
    );
    std::process::exit(125)
}
