# jailgen-launch, the launcher every jail's wrapper runs (crates/launch), callPackage-able:
# `pkgs.callPackage ./nix/launcher.nix { }`. Only the launcher is built (`-p jailgen-launch`),
# from a source set derived from the manifests, so it follows them instead of drifting:
#   - the workspace manifest and lock;
#   - crates/launch and every crate it names with a `path` dependency (crates/policy);
#   - the manifests alone of the crates those and the root package name as `path`
#     dev-dependencies (crates/testkit): cargo reads them to load the workspace, builds none;
#   - the files the root package's manifest names that cargo checks when it loads the workspace
#     (its `[[bench]]` targets), without which cargo refuses to read the manifest;
#   - nix/lib/defaults.json, which crates/policy compiles in (`include_str!`).
# tests/launcher_source.rs builds the launcher from exactly this set, so a file missing here
# fails there.
# The CLI's sources (src/, templates/) are not in it: the launcher rebuilds only when it changes.
#
# Linked statically against glibc where the platform has it: every jail launch starts this
# program, and a dynamically linked one spends about 0.3 ms in the loader (BENCHMARKS.md,
# "Launcher"). It needs no NSS (no user or host lookups), so static glibc is safe; Cargo cannot
# say this per package (proc-macro crates break under crt-static), hence here.
# `staticGlibc = false` (callPackage … { staticGlibc = false; }) builds it dynamically instead.
{
  lib,
  stdenv,
  rustPlatform,
  glibc,
  staticGlibc ? stdenv.hostPlatform.isGnu,
}:
let
  manifest = dir: builtins.fromTOML (builtins.readFile (dir + "/Cargo.toml"));
  launch = manifest ../crates/launch;
  root = manifest ../.;

  # The directories a manifest's table of dependencies names by `path`.
  pathDeps =
    dir: table:
    map (p: dir + "/${p}") (
      builtins.filter (p: p != null) (
        map (d: if builtins.isAttrs d then d.path or null else null) (
          builtins.attrValues ((manifest dir).${table} or { })
        )
      )
    );

  # A crate's own directory and those of its path dependencies, transitively.
  crateDirs = dir: [ dir ] ++ builtins.concatMap crateDirs (pathDeps dir "dependencies");

  # The manifests of the path dev-dependencies of these crates and of the root package.
  devManifests =
    dirs: map (d: d + "/Cargo.toml") (builtins.concatMap (d: pathDeps d "dev-dependencies") dirs);

  benches = map (b: ../. + "/${b.path or "benches/${b.name}.rs"}") (root.bench or [ ]);
in
rustPlatform.buildRustPackage {
  pname = launch.package.name;
  version = launch.package.version;

  src = lib.fileset.toSource {
    root = ../.;
    fileset = lib.fileset.unions (
      [
        ../Cargo.toml
        ../Cargo.lock
      ]
      ++ lib.unique (crateDirs ../crates/launch)
      ++ lib.unique (devManifests ([ ../. ] ++ crateDirs ../crates/launch))
      ++ benches
      ++ [ ./lib/defaults.json ]
    );
  };

  cargoLock.lockFile = ../Cargo.lock;
  # Applies to the target's crates only: buildRustPackage passes `--target`, so build scripts and
  # proc macros stay dynamic.
  RUSTFLAGS = lib.optionalString staticGlibc "-C target-feature=+crt-static";
  buildInputs = lib.optionals staticGlibc [ glibc.static ];
  cargoBuildFlags = [
    "-p"
    launch.package.name
  ];
  cargoTestFlags = [
    "-p"
    launch.package.name
  ];
  # Its tests drive real bwrap, which the build sandbox lacks; CI runs them (`cargo test`).
  doCheck = false;

  meta = {
    description = launch.package.description or "the launcher of jailgen's jails";
    license = lib.licenses.mit;
    mainProgram = launch.package.name;
    platforms = lib.platforms.linux;
  };
}
