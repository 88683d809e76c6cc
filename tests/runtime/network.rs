//! The network: `network = true` (the default) is the jail's own network namespace with the
//! internet through slirp4netns, name resolution and a CA bundle (nixpkgs' by default, the
//! host's /etc/ssl with `hostSsl`), the host's loopback out of reach; `network = "host"` shares
//! the host's network namespace; `network = false` is an empty network namespace of the jail's
//! own; `network = { allow = [ … ]; }` has only the allowlist proxy. Only loopback is touched.

use crate::support::*;
use std::io::Read as _;
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;

/// A TCP server on the host's 127.0.0.1 that answers `hello` once per connection.
fn loopback_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            use std::io::Write as _;
            let mut s = stream;
            let _ = s.write_all(b"hello\n");
        }
    });
    port
}

fn sha256(path: &Path) -> String {
    let out = Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

const PROBE: &str = r#"
if read -r line < /dev/tcp/127.0.0.1/"$PORT" 2>/dev/null; then echo "loopback: $line"; else echo "loopback: unreachable"; fi
for f in /etc/resolv.conf /etc/hosts /etc/ssl/certs/ca-certificates.crt; do
  if [ -e "$f" ]; then echo "present: $f"; fi
done
echo "SSL_CERT_FILE=${SSL_CERT_FILE-unset} NIX_SSL_CERT_FILE=${NIX_SSL_CERT_FILE-unset}"
echo "CURL_CA_BUNDLE=${CURL_CA_BUNDLE-unset} REQUESTS_CA_BUNDLE=${REQUESTS_CA_BUNDLE-unset}"
echo "hostname: $(cat /proc/sys/kernel/hostname)"
echo "resolv.conf: $(head -n 1 /etc/resolv.conf 2>/dev/null)"
if [ -e /proc/net/route ]; then echo "interfaces: $(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort | tr '\n' ' ')"; fi
[ -e /etc/ssl/certs/ca-certificates.crt ] && sha256sum /etc/ssl/certs/ca-certificates.crt | cut -d' ' -f1
true
"#;

/// A jail with a network: name resolution files, the CA bundle and its variables, the hostname;
/// the host's loopback server answers (`"host"`) or is refused (`true`); `also` in the output.
fn network_on(spec: &str, loopback: &str, also: &str) {
    if !have_jail_tools() {
        return;
    }
    let f = fixture();
    let port = loopback_server().to_string();
    let out = Jail::new(spec).run_with(&f.proj, &f.home, PROBE, &[("PORT", &port)]);
    assert!(out.status.success(), "{}", text(&out));
    let so = stdout(&out);
    assert!(so.contains(loopback), "{}", text(&out));
    assert!(so.contains(also), "{}", text(&out));
    for file in ["/etc/resolv.conf", "/etc/hosts"] {
        if Path::new(file).exists() {
            assert!(
                so.contains(&format!("present: {file}\n")),
                "{file}: {}",
                text(&out)
            );
        }
    }
    let cert = "/etc/ssl/certs/ca-certificates.crt";
    assert!(so.contains(&format!("present: {cert}\n")), "{}", text(&out));
    assert!(
        so.contains(&format!("SSL_CERT_FILE={cert} NIX_SSL_CERT_FILE={cert}\n"))
            && so.contains(&format!(
                "CURL_CA_BUNDLE={cert} REQUESTS_CA_BUNDLE={cert}\n"
            )),
        "{}",
        text(&out)
    );
    assert!(so.contains("hostname: jail\n"), "{}", text(&out));
    // The bundle is the policy's (the double's cacert, which names the host's bundle).
    let bundle =
        crate::common::root().join("nix/tests/doubles/host-cacert/etc/ssl/certs/ca-bundle.crt");
    if bundle.exists() {
        assert!(
            so.ends_with(&format!("{}\n", sha256(&bundle))),
            "{}",
            text(&out)
        );
    }
}

#[test]
fn network_on_is_the_internet_without_the_hosts_loopback_with_resolution_and_the_ca_bundle() {
    // The default: no `network` argument.
    network_on(
        r#"{ forwardEnv = [ "PORT" ]; }"#,
        "loopback: unreachable\n",
        // slirp4netns' resolver, and its tap device in a namespace of the jail's own.
        "resolv.conf: # jailgen: DNS through slirp4netns",
    );
    network_on(
        r#"{ forwardEnv = [ "PORT" ]; }"#,
        "loopback: unreachable\n",
        "interfaces: lo tap0 \n",
    );
}

#[test]
fn network_host_shares_the_host_network_with_resolution_and_the_ca_bundle() {
    network_on(
        r#"{ network = "host"; forwardEnv = [ "PORT" ]; }"#,
        "loopback: hello\n",
        "hostname: jail\n",
    );
}

#[test]
fn network_off_is_an_empty_network_namespace_without_resolution_or_certificates() {
    if !have_jail_tools() {
        return;
    }
    let f = fixture();
    let port = loopback_server().to_string();
    let out = Jail::new(r#"{ network = false; forwardEnv = [ "PORT" ]; }"#).run_with(
        &f.proj,
        &f.home,
        PROBE,
        &[("PORT", &port)],
    );
    assert!(out.status.success(), "{}", text(&out));
    let so = stdout(&out);
    assert!(so.contains("loopback: unreachable\n"), "{}", text(&out));
    assert!(
        stderr(&out).contains(&format!("/dev/tcp/127.0.0.1/{port}")),
        "the port reached the jail: {}",
        text(&out)
    );
    assert!(lines_with(&so, "present:").is_empty(), "{}", text(&out));
    assert!(
        so.contains("SSL_CERT_FILE=unset NIX_SSL_CERT_FILE=unset\n"),
        "{}",
        text(&out)
    );
    // A control: the server does answer on the host.
    let mut s = std::net::TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
    let mut buf = String::new();
    s.read_to_string(&mut buf).unwrap();
    assert_eq!(buf, "hello\n");
}

#[test]
fn host_ssl_binds_the_hosts_certificates_instead_of_the_store_bundle() {
    if !have_jail_tools() {
        return;
    }
    let host_bundle = Path::new("/etc/ssl/certs/ca-certificates.crt");
    if !host_bundle.is_file() {
        assert!(!crate::common::strict(), "CI has ca-certificates");
        crate::common::loud!("SKIPPED host_ssl…: no /etc/ssl/certs/ca-certificates.crt here");
        return;
    }
    let f = fixture();
    let out = Jail::new("{ hostSsl = true; }").run(
        &f.proj,
        &f.home,
        "ls /etc/ssl/certs | wc -l; sha256sum /etc/ssl/certs/ca-certificates.crt | cut -d' ' -f1",
    );
    assert!(out.status.success(), "{}", text(&out));
    let so = stdout(&out);
    let mut lines = so.lines();
    let count: usize = lines.next().unwrap_or("0").trim().parse().unwrap_or(0);
    let host_count = std::fs::read_dir("/etc/ssl/certs").unwrap().count();
    assert_eq!(
        count,
        host_count,
        "the host's /etc/ssl/certs: {}",
        text(&out)
    );
    assert_eq!(
        lines.next(),
        Some(sha256(host_bundle).as_str()),
        "{}",
        text(&out)
    );
}

/// Issue 10: `network = { allow = [ … ]; }` from the library through the launcher. The jail's
/// only way out is the proxy on its own 127.0.0.1:3128 (which answers and refuses an IP
/// literal here: nothing outside the machine is needed), the host's loopback is unreachable,
/// and the refusal is in the session log under the user's state directory. The probes that
/// need a world to reach are crates/net/tests/lab.rs and crates/launch/tests/net.rs.
#[test]
fn an_allowlist_jail_reaches_only_its_proxy() {
    if !have_jail_tools() {
        return;
    }
    let f = fixture();
    let port = loopback_server().to_string();
    let probe = r#"
if read -r line < /dev/tcp/127.0.0.1/"$PORT" 2>/dev/null; then echo "loopback: $line"; else echo "loopback: unreachable"; fi
echo "proxy env: $HTTPS_PROXY $https_proxy $NO_PROXY"
exec 3<>/dev/tcp/127.0.0.1/3128 && printf 'CONNECT 127.0.0.1:443 HTTP/1.1\r\n\r\n' >&3 && read -r status <&3 && echo "proxy: ${status%$'\r'}"
grep -c nameserver /etc/resolv.conf || true
"#;
    let out = Jail::new(r#"{ network.allow = [ "docs.rs" ]; forwardEnv = [ "PORT" ]; }"#).run_with(
        &f.proj,
        &f.home,
        probe,
        &[("PORT", &port)],
    );
    assert!(out.status.success(), "{}", text(&out));
    let so = stdout(&out);
    assert!(so.contains("loopback: unreachable\n"), "{}", text(&out));
    assert!(
        so.contains(
            "proxy env: http://127.0.0.1:3128 http://127.0.0.1:3128 localhost,127.0.0.1,::1\n"
        ),
        "{}",
        text(&out)
    );
    assert!(
        so.contains("proxy: HTTP/1.1 403 Forbidden\n"),
        "{}",
        text(&out)
    );
    assert!(
        so.ends_with("0\n"),
        "a nameserver in the jail: {}",
        text(&out)
    );
    let dir = f.home.join(".local/state/jailgen/network");
    let logs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .collect();
    assert_eq!(logs.len(), 1, "{logs:?}");
    // Named as `jailgen explain` says: <jail>-<unix time>-<pid>.log.
    let file = logs[0].file_name().into_string().unwrap();
    let stem = file
        .strip_prefix(&format!(
            "{}-",
            jailgen_net::log::file_name_part("jailed-test")
        ))
        .and_then(|s| s.strip_suffix(".log"))
        .unwrap_or_else(|| panic!("log file `{file}`"));
    let parts: Vec<&str> = stem.split('-').collect();
    assert!(
        parts.len() == 2 && parts.iter().all(|p| p.parse::<u64>().is_ok()),
        "log file `{file}`"
    );
    let log = std::fs::read_to_string(logs[0].path()).unwrap();
    assert!(log.contains(" deny 127.0.0.1:443 ip literal"), "{log}");
}

/// The whole chain from `jails.yaml`: `network: { allow, host_ports }` rendered by the CLI
/// (`jailgen::generate`), built by the library, run by the launcher. The granted host port is
/// reached at the jail's own 127.0.0.1, another host port is not, the proxy is the way out.
#[test]
fn a_jails_yaml_allowlist_with_a_host_port_runs_as_written() {
    if !have_jail_tools() {
        return;
    }
    let f = fixture();
    let (granted, other) = (loopback_server(), loopback_server());
    let yaml = format!(
        "version: 1\njails:\n  jailed-cli:\n    package: bash\n    config_paths: []\n    forward_env: [GRANTED, OTHER]\n    network:\n      allow: [docs.rs]\n      host_ports: [{granted}]\n"
    );
    let jails_nix = jailgen::generate(&yaml, "jails.yaml")
        .unwrap_or_else(|e| panic!("{}", jailgen::error::render_report(&e, false)));
    assert!(jails_nix.contains("hostPorts"), "{jails_nix}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("jails.nix");
    std::fs::write(&file, &jails_nix).unwrap();
    let jail = Jail::from_expr(
        &format!(
            "(import {} {{ pkgs = h.pkgs // {{ inherit bash; }}; inherit (h) jailgen; }}).jailed-cli",
            crate::common::nix_lit(file.to_str().unwrap())
        ),
        None,
    );
    let probe = r#"
for p in "$GRANTED" "$OTHER"; do
  if read -r line < /dev/tcp/127.0.0.1/"$p" 2>/dev/null; then echo "port: $line"; else echo "port: unreachable"; fi
done
echo "proxy env: $HTTPS_PROXY"
exec 3<>/dev/tcp/127.0.0.1/3128 && printf 'CONNECT 10.0.0.1:443 HTTP/1.1\r\n\r\n' >&3 && read -r status <&3 && echo "proxy: ${status%$'\r'}"
"#;
    let out = jail.run_with(
        &f.proj,
        &f.home,
        probe,
        &[
            ("GRANTED", &granted.to_string()),
            ("OTHER", &other.to_string()),
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        stdout(&out),
        "port: hello\nport: unreachable\nproxy env: http://127.0.0.1:3128\nproxy: HTTP/1.1 403 Forbidden\n",
        "{}",
        text(&out)
    );
}
