# A user's path: checked, normalised and ordered here, then written into the jail's policy (JSON)
# as it is; the launcher binds it without a shell in between.
#
# A path is absolute (`/srv/data`) or home-relative (`~/.config/x`, or `~` itself).
# Relative paths, empty paths, `..` components and newlines are refused by `check`.
{ lib }:
let
  inherit (lib)
    concatStringsSep
    filter
    hasPrefix
    removePrefix
    splitString
    ;

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
    normalize
    parentsFirst
    problem
    ;
}
