# `import nixpkgs { system; config; }` for the nixpkgs flake double (see ../flakes.nix).
{
  system ? "x86_64-linux",
  ...
}:
import ../pkgs.nix { inherit system; }
