# jailed-agents' argument names on jailgen's own: the entry point of makeJailedAgent and of every
# preset builder. Each name keeps jailed-agents' meaning and becomes native arguments; nothing
# here builds a jail.
#
#   fwdEnv              = forwardEnv (both accepted; the lists are joined)
#   enableGitWorktrees  true, or { enable; dir; mountGitConfig; }: `dir` read-write,
#                       `mountGitConfig` ~/.gitconfig read-only when it exists. Worktrees
#                       themselves need nothing: git protection binds a linked worktree's common
#                       directory (hooks and config read-only) wherever the agent starts
#   enableOpenUrls      lib.openUrls (http and https only), appended to extraCombinators
#   nixConfigDir        "path" (read-only), or { path; writable ? false; }
#   extraJailOptions    permissions, appended to extraCombinators (after jailgen's own)
#   baseJailOptions     as given; without `network`, the network is on only when the list holds
#                       the network option of lib.commonJailOptions (jailed-agents: leaving it
#                       out of the list is how a jail goes offline; the launcher decides the
#                       namespace from `network`, not from the list). Nix compares permission
#                       values by identity only through shared list elements, so a
#                       `combinators.network` written into your own list is not recognised: the
#                       jail is then offline unless you also pass `network = true` (fails closed)
#
# And in extraCombinators (the CLI's `combinators:`), the name "open-urls-in-browser" means
# lib.openUrls: jail.nix's own combinator checks only the URL's first characters.
{
  lib,
  openUrls,
  networkOptions,
}:
makeNative: args:
let
  fn = "jailgen.makeJailedAgent (`${toString (args.name or "?")}`)";
  fail =
    {
      why,
      example,
    }:
    throw "${fn}: ${why}\nFor example:\n  ${example}";

  list =
    argument: example: value:
    if builtins.isList value then
      value
    else
      fail {
        why = "`${argument}` must be a list.";
        inherit example;
      };

  fwdEnv = list "fwdEnv" "fwdEnv = [ \"ANTHROPIC_API_KEY\" ];" (args.fwdEnv or [ ]);

  # Paths are checked in full by makeJailedAgent; this names the jailed-agents argument first.
  path =
    argument: example: p:
    if builtins.isString p && (lib.hasPrefix "/" p || lib.hasPrefix "~/" p) then
      p
    else
      fail {
        why = "`${argument}` must be an absolute path or one under `~/`, got `${toString p}`.";
        inherit example;
      };

  worktrees =
    let
      v = args.enableGitWorktrees or { };
      example = "enableGitWorktrees = { enable = true; dir = \"~/worktrees\"; mountGitConfig = true; };";
      cfg =
        if builtins.isBool v then
          { enable = v; }
        else if v == null then
          { enable = false; }
        else if builtins.isAttrs v then
          v
        else
          fail {
            why = "`enableGitWorktrees` must be true, false or { enable; dir; mountGitConfig; }.";
            inherit example;
          };
      unknown = builtins.attrNames (
        removeAttrs cfg [
          "enable"
          "dir"
          "mountGitConfig"
        ]
      );
      enable = cfg.enable or false;
      dir = cfg.dir or null;
      mountGitConfig = cfg.mountGitConfig or false;
    in
    if unknown != [ ] then
      fail {
        why = "`enableGitWorktrees` has unknown key `${builtins.head unknown}`; it takes enable, dir and mountGitConfig.";
        inherit example;
      }
    else if !builtins.isBool enable || !builtins.isBool mountGitConfig then
      fail {
        why = "`enableGitWorktrees.enable` and `.mountGitConfig` must be true or false.";
        inherit example;
      }
    else
      # As in jailed-agents, `dir` and `mountGitConfig` count only with `enable = true`.
      {
        readwrite = lib.optional (enable && dir != null) (path "enableGitWorktrees.dir" example dir);
        readonlyIfExists = lib.optional (enable && mountGitConfig) "~/.gitconfig";
      };

  nixConfig =
    let
      v = args.nixConfigDir or null;
      example = "nixConfigDir = { path = \"~/.config/nix\"; writable = false; };";
      cfg =
        if v == null then
          null
        else if builtins.isString v then
          {
            path = v;
            writable = false;
          }
        else if builtins.isAttrs v && v ? path && builtins.isString v.path then
          {
            inherit (v) path;
            writable = v.writable or false;
          }
        else
          fail {
            why = "`nixConfigDir` must be a path string or { path; writable; }.";
            inherit example;
          };
    in
    if cfg == null then
      {
        readonly = [ ];
        readwrite = [ ];
      }
    else if !builtins.isBool cfg.writable then
      fail {
        why = "`nixConfigDir.writable` must be true or false.";
        inherit example;
      }
    else
      {
        readonly = lib.optional (!cfg.writable) (path "nixConfigDir" example cfg.path);
        readwrite = lib.optional cfg.writable (path "nixConfigDir.path" example cfg.path);
      };

  enableOpenUrls =
    let
      v = args.enableOpenUrls or false;
    in
    if builtins.isBool v then
      v
    else
      fail {
        why = "`enableOpenUrls` must be true or false.";
        example = "enableOpenUrls = true;";
      };

  extraJailOptions = list "extraJailOptions" "extraJailOptions = [ jail.combinators.gpu ];" (
    args.extraJailOptions or [ ]
  );

  # Appended to a native list argument; one the caller passed that is not a list is left for
  # makeJailedAgent to refuse by its own name.
  append =
    argument: extra:
    let
      given = args.${argument} or [ ];
    in
    if extra == [ ] || !builtins.isList given then { } else { ${argument} = given ++ extra; };
  # Lists of the same permission values compare equal (element by element, by identity).
  networkFromBase = lib.optionalAttrs (args ? baseJailOptions && !(args ? network)) {
    network =
      builtins.isList args.baseJailOptions
      && builtins.any (n: builtins.elem n args.baseJailOptions) networkOptions;
  };
in
makeNative (
  removeAttrs args [
    "fwdEnv"
    "enableGitWorktrees"
    "enableOpenUrls"
    "nixConfigDir"
    "extraJailOptions"
  ]
  // networkFromBase
  // append "forwardEnv" fwdEnv
  // append "extraReadwriteDirs" (worktrees.readwrite ++ nixConfig.readwrite)
  // append "extraReadonlyDirs" nixConfig.readonly
  // append "extraReadonlyIfExists" worktrees.readonlyIfExists
  // (
    let
      given = args.extraCombinators or [ ];
      named = map (x: if x == "open-urls-in-browser" then openUrls else x);
      all = named given ++ extraJailOptions ++ lib.optional enableOpenUrls openUrls;
    in
    lib.optionalAttrs (builtins.isList given && all != [ ]) { extraCombinators = all; }
  )
)
