//! The network lab: a "host" and a "world" network namespace joined by a veth pair with
//! documentation-range addresses (host 198.51.100.2, world 198.51.100.1, the host's default
//! route through the world), servers in the world (tests/lab/world.py: DNS, HTTP, HTTPS
//! with the lab's own CA, a git repository, TCP and UDP echo), bait on the host's loopback
//! and an abstract unix socket (tests/lab/host.py), and jails started on the host as the
//! unprivileged user `rt` through src/bin/netjail.rs with real bwrap and pasta.
//! Nothing leaves the machine: the world namespace is the only thing the host can route to.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};
use testkit::{loud, strict};

pub const UNGRANTED: u16 = 47101;
pub const GRANTED: u16 = 47102;
pub const ABSTRACT: &str = "jailgen-lab-abstract";
pub const USER: &str = "rt";

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `None` when the lab cannot run here (and that is allowed); panics under CI.
pub fn lab_gate() -> Option<()> {
    let mut missing = Vec::new();
    for t in [
        "bwrap", "pasta", "ip", "python3", "openssl", "curl", "git", "node", "runuser", "ss",
    ] {
        if !have(t) {
            missing.push(t.to_string());
        }
    }
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        missing.push("root (to create network namespaces)".into());
    }
    if Command::new("id")
        .arg(USER)
        .stdout(Stdio::null())
        .status()
        .map_or(true, |s| !s.success())
    {
        missing.push(format!(
            "the unprivileged user `{USER}` (useradd -m {USER})"
        ));
    }
    if missing.is_empty() {
        return Some(());
    }
    let msg = format!("network lab needs: {}", missing.join(", "));
    if strict() {
        panic!("{msg} (JAILGEN_REQUIRE_NIX=1 or CI=true: this fails instead of skipping)");
    }
    loud!("SKIPPED: {msg}");
    None
}

pub fn netjail() -> PathBuf {
    // Not env!: crates/launch/tests/net.rs includes this file, and has no netjail binary.
    match option_env!("CARGO_BIN_EXE_netjail") {
        Some(p) => PathBuf::from(p),
        None => panic!("netjail is built by `cargo test -p jailgen-net`"),
    }
}

fn sh(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn ip(args: &[&str]) {
    sh(Command::new("ip").args(args));
}

pub struct Lab {
    pub dir: PathBuf,
    pub host: String,
    pub world: String,
    children: Vec<Child>,
}

static N: AtomicU32 = AtomicU32::new(0);

fn wait_for(file: &Path, what: &str) {
    let t = Instant::now();
    while !file.exists() {
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "{what} did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

impl Lab {
    pub fn new() -> Lab {
        let n = N.fetch_add(1, Ordering::SeqCst);
        let id = format!("jgn{}x{n}", std::process::id());
        let dir = PathBuf::from(format!("/var/tmp/{id}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        sh(Command::new("chmod").args(["755"]).arg(&dir));
        let mut lab = Lab {
            dir: dir.clone(),
            host: format!("{id}h"),
            world: format!("{id}w"),
            children: Vec::new(),
        };
        let d = |p: &str| dir.join(p).to_string_lossy().into_owned();
        // The lab's CA and a certificate for every *.test name.
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        sh(Command::new("openssl")
            .args(["req", "-x509", "-days", "2", "-subj", "/CN=jailgen lab CA"])
            .args(ec)
            .args(["-keyout", &d("ca.key"), "-out", &d("ca.crt")]));
        sh(Command::new("openssl")
            .args(["req", "-subj", "/CN=allowed.test"])
            .args(ec)
            .args(["-keyout", &d("leaf.key"), "-out", &d("leaf.csr")]));
        std::fs::write(
            dir.join("ext"),
            "subjectAltName=DNS:allowed.test,DNS:denied.test,DNS:world.test,DNS:loop.test,DNS:private.test\n",
        )
        .unwrap();
        sh(Command::new("openssl")
            .args([
                "x509",
                "-req",
                "-days",
                "2",
                "-in",
                &d("leaf.csr"),
                "-CA",
                &d("ca.crt"),
            ])
            .args([
                "-CAkey",
                &d("ca.key"),
                "-CAcreateserial",
                "-out",
                &d("leaf.crt"),
            ])
            .args(["-extfile", &d("ext")]));
        sh(Command::new("chmod").args(["644", &d("ca.crt")]));
        // A git repository served over dumb HTTP(S).
        let git = |args: &[&str]| {
            sh(Command::new("git")
                .args(args)
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("HOME", &dir)
                .env("GIT_AUTHOR_NAME", "lab")
                .env("GIT_AUTHOR_EMAIL", "lab@example.org")
                .env("GIT_COMMITTER_NAME", "lab")
                .env("GIT_COMMITTER_EMAIL", "lab@example.org"));
        };
        git(&["init", "-q", "-b", "main", &d("work")]);
        std::fs::write(dir.join("work/README"), "lab repository\n").unwrap();
        git(&["-C", &d("work"), "add", "README"]);
        git(&["-C", &d("work"), "commit", "-q", "-m", "init"]);
        std::fs::create_dir_all(dir.join("web")).unwrap();
        git(&["clone", "-q", "--bare", &d("work"), &d("web/repo.git")]);
        git(&["-C", &d("web/repo.git"), "update-server-info"]);
        std::fs::write(dir.join("resolv.conf"), "nameserver 198.51.100.1\n").unwrap();
        std::fs::create_dir_all(dir.join("logs")).unwrap();
        sh(Command::new("chown").args([USER, &d("logs")]));
        for f in ["world.py", "host.py", "probe.sh"] {
            std::fs::copy(
                Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../net/tests/lab")).join(f),
                dir.join(f),
            )
            .unwrap();
        }
        sh(Command::new("chmod").args(["-R", "a+rX"]).arg(&dir));

        // The two namespaces and the wire between them.
        let (h, w) = (lab.host.clone(), lab.world.clone());
        ip(&["netns", "add", &h]);
        ip(&["netns", "add", &w]);
        let (va, vb) = (format!("{id}a"), format!("{id}b"));
        ip(&["link", "add", &va, "type", "veth", "peer", "name", &vb]);
        ip(&["link", "set", &va, "netns", &h]);
        ip(&["link", "set", &vb, "netns", &w]);
        ip(&["-n", &h, "addr", "add", "198.51.100.2/24", "dev", &va]);
        ip(&["-n", &w, "addr", "add", "198.51.100.1/24", "dev", &vb]);
        for (ns, dev) in [(&h, &va), (&w, &vb)] {
            ip(&["-n", ns, "link", "set", dev, "up"]);
            ip(&["-n", ns, "link", "set", "lo", "up"]);
        }
        ip(&["-n", &h, "route", "add", "default", "via", "198.51.100.1"]);

        let world = Command::new("ip")
            .args([
                "netns",
                "exec",
                &w,
                "python3",
                &d("world.py"),
                "198.51.100.1",
                &d("web"),
            ])
            .args([&d("leaf.crt"), &d("leaf.key"), &d("world.ready")])
            .spawn()
            .unwrap();
        lab.children.push(world);
        let host = Command::new("ip")
            .args([
                "netns",
                "exec",
                &h,
                "runuser",
                "-u",
                USER,
                "--",
                "python3",
                &d("host.py"),
            ])
            .args([
                &UNGRANTED.to_string(),
                &GRANTED.to_string(),
                ABSTRACT,
                &d("logs/host.ready"),
            ])
            .spawn()
            .unwrap();
        lab.children.push(host);
        wait_for(&dir.join("world.ready"), "world.py");
        wait_for(&dir.join("logs/host.ready"), "host.py");
        lab
    }

    pub fn path(&self, p: &str) -> String {
        self.dir.join(p).to_string_lossy().into_owned()
    }

    /// A command that runs `argv` on the lab's host as `rt`, with the host's resolver
    /// pointed at the world's DNS and /dev/net/tun usable by `rt` (both only in this
    /// command's own mount namespace).
    pub fn on_host(&self, argv: &[String]) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.host, "sh", "-c"])
            .arg(
                "mount --bind \"$1\" /etc/resolv.conf && mount -t tmpfs -o mode=755 none /dev/net \
                 && mknod -m 666 /dev/net/tun c 10 200 && shift && exec runuser -u rt -- \"$@\"",
            )
            .arg("sh")
            .arg(self.path("resolv.conf"))
            .args(argv);
        c
    }

    /// netjail NET_ARGS -- bwrap (the lab's jail) -- COMMAND
    pub fn jail_argv(&self, net: &[&str], command: &[&str]) -> Vec<String> {
        let mut v = vec![netjail().to_string_lossy().into_owned()];
        v.extend(net.iter().map(|s| s.to_string()));
        v.push("--".into());
        v.extend(
            [
                "/usr/bin/bwrap",
                "--ro-bind",
                "/",
                "/",
                "--dev",
                "/dev",
                "--proc",
                "/proc",
                "--tmpfs",
                "/tmp",
                "--unshare-all",
                "--die-with-parent",
                "--",
            ]
            .iter()
            .map(|s| s.to_string()),
        );
        v.extend(command.iter().map(|s| s.to_string()));
        v
    }

    /// Run the probe in a jail with these network arguments; the probe's results by name.
    pub fn probe(&self, net: &[&str]) -> (BTreeMap<String, String>, String) {
        let cmd = self.probe_command();
        let cmd: Vec<&str> = cmd.iter().map(String::as_str).collect();
        let argv = self.jail_argv(net, &cmd);
        self.run_probe(&argv)
    }

    /// The probe's command line inside a jail.
    pub fn probe_command(&self) -> Vec<String> {
        vec![
            "bash".into(),
            self.path("probe.sh"),
            self.path("ca.crt"),
            UNGRANTED.to_string(),
            GRANTED.to_string(),
            ABSTRACT.into(),
        ]
    }

    /// Run a prepared command line on the host; the probe's results by name.
    pub fn run_probe(&self, argv: &[String]) -> (BTreeMap<String, String>, String) {
        let out = self.on_host(argv).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "probe failed: {stdout}\n{stderr}");
        let map = stdout
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        (map, stderr)
    }

    /// The command names of processes in the host's namespace.
    pub fn host_processes(&self) -> Vec<String> {
        let out = sh(Command::new("ip").args(["netns", "pids", &self.host]));
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).ok())
            .map(|c| c.trim().to_string())
            .collect()
    }

    /// Listening TCP sockets in the host's namespace (`ss -ltn`, local addresses).
    pub fn host_listeners(&self) -> Vec<String> {
        let out = sh(Command::new("ip").args(["netns", "exec", &self.host, "ss", "-ltnH"]));
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_whitespace().nth(3).map(str::to_string))
            .collect()
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
        // Processes left in the namespaces (a jail that outlived a failed assertion).
        for ns in [&self.host, &self.world] {
            let _ = Command::new("ip")
                .args(["netns", "pids", ns])
                .output()
                .map(|o| {
                    for pid in String::from_utf8_lossy(&o.stdout).split_whitespace() {
                        if let Ok(pid) = pid.parse::<i32>() {
                            // SAFETY: kill takes integers.
                            unsafe {
                                libc::kill(pid, libc::SIGKILL);
                            }
                        }
                    }
                });
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
