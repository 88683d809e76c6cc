# How a user's path reaches the bash wrapper: the one place that decides quoting.
#
# A path is absolute (`/srv/data`) or home-relative (`~/.config/x`, or `~` itself).
#   - `word p` is the bash word for `p`: `~/` followed by the shell-quoted rest (the tilde stays
#     outside the quotes so bash expands it), or the whole absolute path shell-quoted.
#   - `jailArg p` is what jail.nix's path combinators get: `noescape (word p)` for a `~` path
#     (jail.nix must not quote the tilde), else the plain string, which jail.nix quotes itself.
# Relative paths, empty paths, `..` components and newlines are refused by `check`.
{
  lib,
  jail,
}:
let
  inherit (lib)
    concatStringsSep
    filter
    hasPrefix
    removePrefix
    splitString
    ;
  inherit (jail.combinators) noescape;

  isHome = p: p == "~" || hasPrefix "~/" p;

  components = p: filter (c: c != "" && c != ".") (splitString "/" (removePrefix "~" p));

  # Drops trailing slashes, `//` and `.` components: `~/a//b/` is `~/a/b`.
  normalize =
    p:
    let
      joined = concatStringsSep "/" (components p);
    in
    if isHome p then (if joined == "" then "~" else "~/${joined}") else "/${joined}";

  problem =
    p:
    if !builtins.isString p then
      "is not a string"
    else if p == "" then
      "is empty"
    else if builtins.length (builtins.split "\n" p) > 1 then
      "contains a newline"
    else if !(isHome p || hasPrefix "/" p) then
      "is relative (only absolute paths and `~/…` are allowed)"
    else if builtins.elem ".." (splitString "/" p) then
      "contains a `..` component"
    else
      null;

  check =
    {
      fn,
      argument,
    }:
    p:
    let
      why = problem p;
    in
    if why == null then
      normalize p
    else
      throw ''
        ${fn}: the path `${toString p}` in `${argument}` ${why}.
        Write an absolute path or one under your home directory.
        For example:
          ${argument} = [ "~/.config/my-agent" "/srv/shared-data" ];'';

  # Does `s` hold `$` or a backtick? (builtins.split, unlike match, also sees past newlines.)
  hasExpansion = s: builtins.length (builtins.split "[$`]" s) > 1;

  # One bash word whose value is `s`. Single quotes (lib.escapeShellArg, as jail.nix quotes),
  # except for strings with `$` or a backtick: shellcheck, which writeShellApplication runs at
  # build time, rejects those inside single quotes (SC2016), so they go in double quotes with
  # the four characters special there (\ " $ `) escaped.
  quote =
    s:
    if hasExpansion s then
      "\"${
        builtins.replaceStrings
          [
            "\\"
            "\""
            "$"
            "`"
          ]
          [
            "\\\\"
            "\\\""
            "\\$"
            "\\`"
          ]
          s
      }\""
    else
      lib.escapeShellArg s;

  # `~/a b` -> ~/'a b'; `/a b` -> '/a b'; `/a$b` -> "/a\$b".
  word =
    p:
    if p == "~" then
      "~"
    else if isHome p then
      "~/" + quote (removePrefix "~/" p)
    else
      quote p;

  # What jail.nix gets: a plain string where its own single quoting suits bash and shellcheck,
  # else `noescape` of the word.
  jailArg = p: if isHome p || hasExpansion p then noescape (word p) else p;

  # A literal value (an `env` value), in the same two forms.
  jailValue = s: if hasExpansion s then noescape (quote s) else s;

  # `a` lies strictly under `b` (both normalized, same root kind).
  isUnder =
    a: b:
    let
      ca = components a;
      cb = components b;
      n = builtins.length cb;
    in
    isHome a == isHome b
    && builtins.length ca > n
    && builtins.genList (i: builtins.elemAt ca i) n == cb;

  depth = p: builtins.length (components p);

  # Parents before children; otherwise the order given (builtins.sort is stable).
  parentsFirst = ps: builtins.sort (a: b: depth a < depth b) (lib.unique ps);

  # A state path names a file when its last component ends in one of the extensions of
  # file-extensions.json (`.claude.json`, `a.toml`), which the CLI reads too; any other path is a
  # directory (`~/.config/io.datasette.llm`).
  fileExtensions = builtins.fromJSON (builtins.readFile ./file-extensions.json);

  isFile =
    p:
    let
      cs = components p;
      last = if cs == [ ] then "" else lib.last cs;
    in
    builtins.any (ext: lib.hasSuffix ext last) fileExtensions;
in
{
  inherit
    check
    depth
    isFile
    isHome
    isUnder
    jailArg
    jailValue
    normalize
    parentsFirst
    problem
    quote
    word
    ;
}
