# Test double for `nixpkgs.lib`: only the functions jail.nix (research §4.2) and the jailgen
# library use, written from builtins so that tests evaluate offline with Nix 2.8. Semantics follow
# current nixpkgs (notably the modern `escapeShellArg` that leaves safe strings unquoted).
let
  inherit (builtins)
    all
    any
    attrNames
    concatLists
    concatStringsSep
    elem
    filter
    foldl'
    genList
    head
    isAttrs
    isFunction
    isList
    length
    listToAttrs
    mapAttrs
    match
    replaceStrings
    split
    stringLength
    substring
    tail
    ;

  id = x: x;

  # lib.fileset, for the files a source set names: `unions` of paths (files or directories),
  # `toSource { root; fileset; }` a store path holding exactly those files under `root`, as the
  # real one does (a path outside `root` is an error there too).
  fileset = {
    unions = files: { _fileset = concatLists (map (f: f._fileset or [ f ]) files); };
    toSource =
      { root, fileset }:
      let
        files = map toString (fileset._fileset or [ fileset ]);
        rootStr = toString root;
        under = a: b: a == b || substring 0 (stringLength b + 1) a == b + "/";
      in
      if !all (f: under f rootStr) files then
        throw "lib.fileset.toSource: a file lies outside `root` ${rootStr}"
      else
        builtins.path {
          path = root;
          name = "source";
          filter = path: _: any (f: under path f || under f path) files;
        };
  };
  flip =
    f: a: b:
    f b a;
  pipe = foldl' (x: f: f x);
  foldr =
    op: nul: list:
    let
      len = length list;
      fold' = n: if n == len then nul else op (builtins.elemAt list n) (fold' (n + 1));
    in
    fold' 0;
  flatten = x: if isList x then concatLists (map flatten x) else [ x ];
  unique = foldl' (acc: e: if elem e acc then acc else acc ++ [ e ]) [ ];
  optional = cond: elem: if cond then [ elem ] else [ ];
  optionals = cond: list: if cond then list else [ ];
  optionalString = cond: string: if cond then string else "";
  optionalAttrs = cond: as: if cond then as else { };
  nameValuePair = name: value: { inherit name value; };
  mapAttrs' = f: set: listToAttrs (map (attr: f attr set.${attr}) (attrNames set));
  filterAttrs =
    pred: set:
    listToAttrs (
      builtins.concatMap (
        name:
        let
          v = set.${name};
        in
        if pred name v then [ (nameValuePair name v) ] else [ ]
      ) (attrNames set)
    );
  mapAttrsToList = f: attrs: map (name: f name attrs.${name}) (attrNames attrs);
  attrsToList = mapAttrsToList nameValuePair;
  genAttrs = names: f: listToAttrs (map (n: nameValuePair n (f n)) names);
  hasPrefix = pref: str: substring 0 (stringLength pref) str == pref;
  hasSuffix =
    suffix: content:
    let
      lenContent = stringLength content;
      lenSuffix = stringLength suffix;
    in
    lenContent >= lenSuffix && substring (lenContent - lenSuffix) lenContent content == suffix;
  removePrefix =
    prefix: str:
    if hasPrefix prefix str then
      substring (stringLength prefix) (stringLength str - stringLength prefix) str
    else
      str;
  removeSuffix =
    suffix: str:
    if hasSuffix suffix str then substring 0 (stringLength str - stringLength suffix) str else str;
  splitString = sep: s: filter builtins.isString (split (escapeRegex sep) s);
  regexSpecials = [
    "\\"
    "["
    "{"
    "("
    ")"
    "^"
    "$"
    "?"
    "*"
    "+"
    "|"
    "."
  ];
  escapeRegex = replaceStrings regexSpecials (map (c: "\\${c}") regexSpecials);
  lowerChars = stringToCharacters "abcdefghijklmnopqrstuvwxyz";
  upperChars = stringToCharacters "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  toUpper = replaceStrings lowerChars upperChars;
  stringToCharacters = s: genList (p: substring p 1 s) (stringLength s);
  isValidPosixName = name: match "[a-zA-Z_][a-zA-Z0-9_]*" name != null;
  escapeShellArg =
    arg:
    let
      string = toString arg;
    in
    if match "[[:alnum:],._+:@%/-]+" string == null then
      "'${replaceStrings [ "'" ] [ "'\\''" ] string}'"
    else
      string;
  escapeShellArgs = xs: concatStringsSep " " (map escapeShellArg xs);
  # Like nixpkgs: runs of characters a store path name cannot hold become "-", leading dots go.
  sanitizeDerivationName =
    string:
    let
      pieces = split "[^[:alnum:]+._?=-]+" string;
      cleaned = concatStringsSep "" (map (p: if builtins.isString p then p else "-") pieces);
      noDot = builtins.head (match "[.]*(.*)" cleaned);
    in
    if noDot == "" then "unknown" else noDot;
  isDerivation = value: isAttrs value && (value.type or null) == "derivation";
  getOutput =
    output: pkg: if pkg ? outputSpecified && pkg.outputSpecified then pkg else pkg.${output} or pkg;
  getBin = getOutput "bin";
  getExe =
    x:
    let
      y = x.meta.mainProgram or (x.pname or x.name);
    in
    "${getBin x}/bin/${y}";
  throwIf = cond: msg: if cond then throw msg else id;
  throwIfNot = cond: msg: if cond then id else throw msg;
  # nixpkgs' lib.warn: builtins.warn where Nix has it, else a trace (NIX_ABORT_ON_WARN left out).
  warn = builtins.warn or (msg: builtins.trace "evaluation warning: ${msg}");
  warnIf = cond: msg: if cond then warn msg else id;
  sort = builtins.sort;
  last = list: builtins.elemAt list (length list - 1);
  init = list: genList (builtins.elemAt list) (length list - 1);
  # nixpkgs' lib.isFunction: functors (attrsets with __functor) count too. (There is no
  # lib.isFunctionLike in nixpkgs; the real lib of tests/upstream.rs found the one this double had.)
  isFunction' = f: isFunction f || (f ? __functor && isFunction (f.__functor f));
in
{
  isFunction = isFunction';
  inherit
    all
    any
    attrNames
    attrsToList
    concatLists
    concatStringsSep
    elem
    escapeShellArg
    escapeShellArgs
    filter
    fileset
    flatten
    flip
    foldl'
    foldr
    genAttrs
    getBin
    getExe
    hasPrefix
    hasSuffix
    head
    id
    init
    isDerivation
    isList
    isValidPosixName
    last
    length
    mapAttrs
    mapAttrs'
    mapAttrsToList
    filterAttrs
    nameValuePair
    optional
    optionalAttrs
    optionalString
    optionals
    pipe
    removePrefix
    removeSuffix
    sort
    splitString
    stringToCharacters
    tail
    throwIf
    throwIfNot
    warn
    warnIf
    toUpper
    unique
    ;
  strings = {
    inherit
      escapeShellArg
      hasPrefix
      removePrefix
      sanitizeDerivationName
      ;
  };
  lists = {
    inherit flatten unique;
  };
  attrsets = {
    inherit mapAttrs' nameValuePair;
  };
}
