//! The time zone (was jailgen_time_zone): bound like jail.nix's `time-zone`, through a
//! descriptor on the file /etc/localtime names, without a process or a cache.

mod common;
use common::*;
use std::fs;
use std::os::unix::fs::symlink;
use std::process::Command;

#[test]
fn the_time_zone_is_bound_at_the_links_path_through_a_descriptor_on_its_file() {
    if !have_bwrap() {
        return;
    }
    let f = bare();
    let t = f.home.parent().unwrap().to_path_buf();
    fs::create_dir_all(t.join("zones")).unwrap();
    fs::write(t.join("zones/Berlin"), "TZif-berlin").unwrap();
    fs::write(t.join("zones/Paris"), "TZif-paris").unwrap();
    symlink("Berlin", t.join("zones/Alias")).unwrap();
    fs::write(t.join("pol.json"), policy(r#""hide":[]"#)).unwrap();
    // The fake bwrap prints its argv, and what each --ro-bind-fd descriptor names.
    write_script(
        &t.join("fake"),
        "#!/bin/bash\nwhile (($#)); do if [[ $1 == --ro-bind-fd ]]; then echo \"fd $(readlink /proc/self/fd/$2) -> $3\"; shift 3; elif [[ $1 == --symlink ]]; then echo \"symlink $2 $3\"; shift 3; else shift; fi; done\n",
    );
    let run = |zone: &str| -> String {
        let launcher = launcher();
        let out = Command::new("bwrap")
            .args(min_root(&f.home))
            .arg("--bind")
            .arg(&t)
            .arg(&t)
            .arg("--ro-bind")
            .arg(&launcher)
            .arg("/launcher")
            .arg("--symlink")
            .arg(t.join("zones").join(zone))
            .arg("/etc/localtime")
            .arg("--chdir")
            .arg(&f.proj)
            .args(["--", "/launcher"])
            .arg(t.join("pol.json"))
            .arg(t.join("fake"))
            .args(["--", "x"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out));
        stdout(&out)
    };
    let z = |n: &str| t.join("zones").join(n).to_string_lossy().into_owned();
    assert_eq!(
        run("Berlin"),
        format!(
            "fd {} -> {}\nsymlink {} /etc/localtime\n",
            z("Berlin"),
            z("Berlin"),
            z("Berlin")
        )
    );
    assert_eq!(
        run("Paris"),
        format!(
            "fd {} -> {}\nsymlink {} /etc/localtime\n",
            z("Paris"),
            z("Paris"),
            z("Paris")
        )
    );
    // A link through another symlink: bound at the link's own path, as jail.nix does.
    assert_eq!(
        run("Alias"),
        format!(
            "fd {} -> {}\nsymlink {} /etc/localtime\n",
            z("Berlin"),
            z("Alias"),
            z("Alias")
        )
    );
}
