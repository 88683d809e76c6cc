# jailgen runtime: bash functions that run on the HOST, inside jail.nix's
# wrapper script, before bwrap starts. They only append to RUNTIME_ARGS, which
# jail.nix places after every static argument (so after `mount-cwd`): a bind
# pushed here is mounted over the read-write working directory.
#
# The wrapper is a writeShellApplication: `set -o errexit -o nounset -o
# pipefail`, and this file must pass shellcheck. Launch time matters, so the
# common path uses bash builtins only (no `realpath`, no `$(...)`); a process
# is forked only for rare cases (a missing directory to create, a symlink to
# resolve), and each such place says so.
#
# Every path built here is an array element or a quoted expansion: file names
# with spaces, quotes, newlines, glob characters or a leading dash are data,
# never code or options (bwrap takes every path argument positionally, and we
# always prefix names with "$PWD/").
#
# shellcheck shell=bash

# Rarely needed functions (linked worktrees, submodules, git config parsing,
# nested grants, refusal messages) live in wrapper-rare.sh, a separate file the
# library stores beside the wrapper and names in $_jailgen_rare_file: bash
# parses every line of the wrapper at each launch, so they are read only when
# called. `_jailgen_r FUNCTION ARG...` loads the file once, then calls.
_jailgen_r() {
  if [[ -z ${_jailgen_rare_loaded-} ]]; then
    _jailgen_rare_loaded=1
    # shellcheck source=/dev/null # wrapper-rare.sh, checked on its own
    source "${_jailgen_rare_file:?jailgen: bug: the wrapper does not name its rare runtime file}"
  fi
  "$@"
}

# jailgen_check_nested ROOT PATH [ROOT PATH]... (wrapper-rare.sh): emitted by
# the library only when a grant lies inside a read-write grant.
jailgen_check_nested() {
  _jailgen_r _jailgen_check_nested "$@"
}

# Refuse to run when the working directory would expose the whole home
# directory, the whole file system or a directory of secrets: jail.nix's
# `mount-cwd` binds $PWD read-write into the jail.
# First, switch $PWD to the physical directory (`cd -P`): jail.nix expands
# "$PWD" for mount-cwd only when it execs bwrap, after this runtime section,
# and bwrap starts the agent in the physical directory. With a symlinked
# working directory, mount-cwd, the hidden-file masks and git protection would
# otherwise land on the logical path while the agent works in the physical
# one, where a grant containing it shows everything unmasked.
jailgen_guard_cwd() {
  cd -P -- . || exit 1
  if [[ ${JAILGEN_ALLOW_CWD-} == 1 ]]; then
    return 0
  fi
  local what=""
  if [[ $PWD -ef / ]]; then
    what="the root directory /"
  elif [[ -n ${HOME-} ]]; then
    # Walk up from $HOME with "/..": the kernel resolves ".." physically, so
    # this also catches physical ancestors of a symlinked $HOME, without a fork.
    local dir=$HOME depth=0
    while ((depth < 64)); do
      if [[ $PWD -ef $dir ]]; then
        if ((depth == 0)); then
          what="your home directory $HOME"
        else
          what="$PWD, which contains your home directory $HOME"
        fi
        break
      fi
      if [[ $dir -ef / ]]; then
        break
      fi
      dir="$dir/.."
      depth=$((depth + 1))
    done
  fi
  if [[ -z $what ]]; then
    # System directories that hold other programs' sockets and state: /run
    # holds /run/user/$UID (session bus, ssh-agent, gpg-agent sockets).
    local sys
    for sys in /tmp /run /var /dev /proc /sys; do
      if [[ $PWD -ef $sys ]]; then
        what="$sys, which holds other programs' sockets and files"
        break
      fi
    done
  fi
  if [[ -z $what ]]; then
    # Directories of secrets and sockets, refused with everything inside them.
    # $PWD is physical now, so its ancestors are its prefixes; walking down,
    # each one named like a secret directory is compared with `-ef` (the same
    # file) to the secret directories, and each one to those that are symlinks
    # (a dotfiles manager's ~/.config), whose real names may differ. Few
    # stats, no fork, and no `${x##*/}`-style trimming in the loop (bash's
    # pattern trimming is quadratic in the length of the string).
    local -a secret=(/etc /run/user) linked=() parts=()
    if [[ -n ${HOME-} ]]; then
      secret+=("$HOME/.ssh" "$HOME/.gnupg" "$HOME/.aws" "$HOME/.config")
      [[ $HOME -ef /root ]] || secret+=(/root)
    else
      secret+=(/root)
    fi
    local xdg=${XDG_RUNTIME_DIR-} xdg_name=/
    xdg=${xdg%/}
    if [[ -n $xdg ]]; then
      secret+=("$xdg")
      xdg_name=${xdg##*/}
    fi
    local s part up=""
    for s in "${secret[@]}"; do
      [[ ! -L $s ]] || linked+=("$s")
    done
    IFS=/ read -r -a parts <<<"$PWD"
    for part in "${parts[@]}"; do
      [[ -n $part ]] || continue
      up+=/$part
      case $part in
      etc | user | root | .ssh | .gnupg | .aws | .config | "$xdg_name")
        for s in "${secret[@]}"; do
          if [[ $up -ef $s ]]; then
            what=$s
            break
          fi
        done
        ;;
      esac
      for s in "${linked[@]}"; do
        if [[ -z $what && $up -ef $s ]]; then
          what=$s
        fi
      done
      if [[ -n $what ]]; then
        [[ $up == "$PWD" ]] || what="$PWD, inside $what"
        break
      fi
    done
  fi
  if [[ -n $what ]]; then
    _jailgen_r _jailgen_refuse_cwd "$what"
  fi
}

# jailgen_lock: one jailed session at a time per directory tree. Every check
# in this file is followed, milliseconds later, by bwrap's mounts; an agent in
# a session still running in the same project (or in a directory containing
# it, or inside it) could swap a checked path in between (rename races: a
# pinned directory replaced by a link to $HOME, a hidden file's directory
# replaced so that bwrap truncates the real file). So a launch records its
# pid under $XDG_RUNTIME_DIR/jailgen-locks (else ~/.cache/jailgen-locks),
# one file per working directory (the name is the path, `%` and `/`
# escaped), and refuses to start while a recorded session whose directory
# contains, equals or lies inside this one still runs there (its process is
# alive, its cwd is that directory and its name is bwrap or the wrapper's: the
# pid is the wrapper's, which execs bwrap). Builtins only; nothing to clean up
# when a session ends. Two launches at the very same moment can both pass.
# JAILGEN_ALLOW_CONCURRENT=1 skips the lock (and its protection) for one run.
jailgen_lock() {
  if [[ ${JAILGEN_ALLOW_CONCURRENT-} == 1 ]]; then
    return 0
  fi
  local dir=${XDG_RUNTIME_DIR-}
  if [[ -z $dir || ! -d $dir ]]; then
    dir=${HOME-}/.cache
    [[ -n ${HOME-} && -d $dir ]] || return 0
  fi
  dir=$dir/jailgen-locks
  if [[ -L $dir ]]; then
    printf '%s\n' "jailgen: refusing to start: \`$dir\` is a symlink; delete it and start again." >&2
    exit 1
  fi
  if [[ ! -d $dir ]]; then
    mkdir -m 700 -- "$dir" 2>/dev/null || return 0
  fi
  local f n other pid name comm="" key=${PWD//%/%25} skip=$((${#dir} + 1))
  key=${key//\//%2F}
  # The escaping keeps prefixes: `a/b` contains `a/b/c` exactly when `a%2Fb`
  # is a prefix of `a%2Fb%2Fc` followed by %2F, so names are compared as they
  # are (bash's ${x##*/} and friends are slow on long strings).
  for f in "$dir"/*; do
    n=${f:skip}
    [[ $n == "$key" || $n == "$key"%2F* || $key == "$n"%2F* ]] || continue
    [[ -f $f && ! -L $f ]] || continue
    other=${n//%2F//}
    other=${other//%25/%}
    pid="" name=""
    read -r pid name <"$f" || true
    [[ $pid =~ ^[0-9]+$ && $pid != "$$" && /proc/$pid/cwd -ef $other ]] || continue
    # Still that session (bwrap, or the wrapper when jail.nix does not exec),
    # not a process that reused its pid?
    comm=""
    read -r comm 2>/dev/null <"/proc/$pid/comm" || true
    if [[ $comm == bwrap || ($comm == "$name" && -n $name) ]]; then
      _jailgen_r _jailgen_refuse_busy "$pid" "$other"
    fi
  done
  f=$dir/$key
  if [[ -L $f ]]; then
    printf '%s\n' "jailgen: refusing to start: \`$f\` is a symlink; delete it and start again." >&2
    exit 1
  fi
  read -r comm 2>/dev/null </proc/self/comm || true
  # A fixed-width record written in place (`1<>` opens without truncating):
  # much cheaper than truncating and rewriting the file at every launch.
  { printf '%10s %-15.15s\n' "$$" "$comm" 1<>"$f"; } 2>/dev/null || true
}

# Sets REPLY to the first symlink on PATH strictly below ROOT, and REL to
# PATH's part below ROOT; returns 1 when PATH does not lie under ROOT (no
# prefix of PATH is the same directory as ROOT) or is ROOT itself. Builtins
# only (a stat per component).
_jailgen_link_below() {
  local root=$1 rest=${2#/} prefix="" part found=0
  REPLY="" REL=""
  while [[ -n $rest ]]; do
    part=${rest%%/*}
    if [[ $rest == */* ]]; then rest=${rest#*/}; else rest=""; fi
    [[ -n $part && $part != . ]] || continue
    prefix=$prefix/$part
    if ((found)); then
      REL=${REL:+$REL/}$part
      if [[ -z $REPLY && -L $prefix ]]; then
        REPLY=$prefix
      fi
    elif [[ $prefix -ef $root ]]; then
      found=1
    fi
  done
  [[ -n $REL ]]
}

# jailgen_grants_in_cwd [READONLY...] -- [OTHER...]: grants that lie inside the
# working directory (known only at launch). The same symlink check as
# jailgen_check_nested, with $PWD as the read-write root; and the read-only
# ones, which mount-cwd would shadow (it comes after them), are bound again
# read-only at their place in the working directory.
jailgen_grants_in_cwd() {
  local ro=1 path
  for path in "$@"; do
    if [[ $path == -- ]]; then
      ro=0
      continue
    fi
    _jailgen_link_below "$PWD" "$path" || continue
    if [[ -n $REPLY ]]; then
      _jailgen_r _jailgen_refuse_nested "$path" "$PWD" "$REPLY"
    fi
    if ((ro)) && [[ -e $PWD/$REL ]]; then
      RUNTIME_ARGS+=(--ro-bind "$PWD/$REL" "$PWD/$REL")
    fi
  done
}

# Create missing state directories on the host so they can be bound.
# Arguments arrive expanded by bash (the library passes ~/'quoted rest').
# Nothing is created through a symlink: a link in place of a state path (one
# an agent could plant inside a read-write grant) refuses to start. Links in
# the directories above are the user's own (a dotfiles manager's ~/.config);
# those below a read-write grant are checked by jailgen_check_nested first.
jailgen_ensure_dir() {
  local path
  for path in "$@"; do
    if [[ -L $path && ! -d $path ]]; then
      _jailgen_r _jailgen_refuse_state_link "$path"
    fi
    if [[ ! -d $path ]]; then
      # Forks mkdir, only when something is missing (first run).
      mkdir -p -- "$path"
    fi
  done
}

# Create missing state files (and their parent directories) on the host.
jailgen_ensure_file() {
  local path
  for path in "$@"; do
    if [[ -L $path && ! -e $path ]]; then
      _jailgen_r _jailgen_refuse_state_link "$path"
    fi
    if [[ ! -e $path ]]; then
      if [[ $path == */* && ! -d ${path%/*} && -n ${path%/*} ]]; then
        mkdir -p -- "${path%/*}"
      fi
      # O_EXCL: never opens an existing file or a link's target.
      _jailgen_create_file "$path"
    fi
  done
}

# Create an empty file at PATH without ever following a symlink: with
# noclobber, bash opens a missing file with O_EXCL, which fails on any link.
_jailgen_create_file() {
  local had_noclobber=0
  [[ $- == *C* ]] && had_noclobber=1
  set -C
  { : >"$1"; } 2>/dev/null || true
  ((had_noclobber)) || set +C
}

# --- time zone --------------------------------------------------------------

# jailgen_time_zone: what jail.nix's `time-zone` does (when /etc/localtime is a
# symlink: bind its real file at the path the link names, and recreate the
# link), without its three forks (realpath, readlink, readlink: ~4 ms of a
# ~7 ms launch). Bash cannot read a symlink, so the pair is cached in
# ~/.cache/jailgen/localtime and recomputed (two forks) only when the cache is
# missing or stale.
# The cache is checked on every launch with `-ef` (same file, a stat): the
# cached real path and the cached link text must both name the file
# /etc/localtime points to now. A changed time zone or a tampered cache (a jail
# with ~/.cache read-write) can therefore only ever name the current time-zone
# file. One blind spot: a change between two names of one file (hard-linked
# aliases) keeps the old name inside the jail, with the same rules.
jailgen_time_zone() {
  [[ -L /etc/localtime ]] || return 0
  local cache="" real="" link="" target
  if [[ -n ${HOME-} && ! -L $HOME/.cache/jailgen ]]; then
    cache=$HOME/.cache/jailgen/localtime
    if [[ -f $cache ]]; then
      { IFS= read -r real && IFS= read -r link; } <"$cache" || true
    fi
  fi
  target=$link
  [[ $target == /* ]] || target=/etc/$target
  if [[ -z $real || -z $link || ! /etc/localtime -ef $real || ! /etc/localtime -ef $target ]]; then
    # Cache miss (wrapper-rare.sh): two forks, then remember.
    _jailgen_r _jailgen_time_zone_compute "$cache" || return 0
    real=${REPLY%%$'\n'*} link=${REPLY#*$'\n'}
  fi
  # Bind through an fd, after checking that the opened file is the one
  # /etc/localtime names: a path the cache names cannot be swapped between
  # this check and the mount.
  local fd
  { exec {fd}<"$real"; } 2>/dev/null || return 0
  if [[ ! /proc/self/fd/$fd -ef /etc/localtime ]]; then
    exec {fd}<&-
    return 0
  fi
  RUNTIME_ARGS+=(--ro-bind-fd "$fd" "$link" --symlink "$link" /etc/localtime)
}

# --- git protection ---------------------------------------------------------

# Read-only bind of PATH over itself when it exists; a symlink refuses to start.
_jailgen_ro_self() {
  if [[ -L $1 ]]; then
    _jailgen_r _jailgen_refuse_link "$1" "delete it (git recreates what it needs)"
  elif [[ -e $1 ]]; then
    RUNTIME_ARGS+=(--ro-bind "$1" "$1")
  fi
}

# _jailgen_bind_dir --bind-fd|--ro-bind-fd DIR: bind the directory DIR over
# itself through a file descriptor opened on it, after checking that what was
# opened is a directory whose parent is DIR's parent. bwrap mounts the opened
# directory itself, so a rename race (a symlink swapped in after the checks)
# cannot change what gets mounted, and the check keeps the source inside the
# expected parent (a swapped-in link to $HOME opens a directory whose parent is
# /home). Refuses to start when DIR changed on the way. bwrap closes each fd.
_jailgen_bind_dir() {
  local fd
  if [[ ! -L $2 ]] && { exec {fd}<"$2"; } 2>/dev/null; then
    if [[ -d /proc/self/fd/$fd && /proc/self/fd/$fd/.. -ef ${2%/*} ]]; then
      RUNTIME_ARGS+=("$1" "$fd" "$2")
      return 0
    fi
    exec {fd}<&-
  fi
  printf '%s\n' "jailgen: refusing to start: \`$2\` changed while the jail was starting (it is no longer a directory in \`${2%/*}\`). Is another session running? Inspect it and start again." >&2
  exit 1
}

# Protect the files of one git directory (a repository's .git, a common dir,
# or a submodule's gitdir) that make the host run code: hooks/, config,
# config.worktree, and the pointer files of linked worktrees and submodules.
# $1 = the git directory (not a symlink, nor reached through one below the
# working directory), $2 = recursion depth (submodules nest).
_jailgen_protect_gitdir() {
  local gd=$1 depth=${2-0} cfg content="" sub
  if ((depth > 8)); then
    return 0
  fi
  cfg=$gd/config
  # A symlinked hooks/ or config can be neither bound (the mount would land on
  # whatever the link names) nor protected (the link sits in a writable
  # directory): refuse.
  for sub in "$gd/hooks" "$cfg"; do
    if [[ -L $sub ]]; then
      _jailgen_r _jailgen_refuse_link "$sub" "replace it with a copy of what it points to (or use git: open for this jail)"
    fi
  done
  # A missing hooks/ or config could be created by the agent and then used by
  # the host's git, so create them empty first (forks mkdir only if missing;
  # mkdir and the noclobber create never follow a symlink).
  if [[ ! -e $gd/hooks ]]; then
    mkdir -- "$gd/hooks"
  fi
  if [[ ! -e $cfg ]]; then
    _jailgen_create_file "$cfg"
  fi
  _jailgen_bind_dir --ro-bind-fd "$gd/hooks"
  RUNTIME_ARGS+=(--ro-bind "$cfg" "$cfg")
  if [[ -f $cfg && -r $cfg ]]; then
    # `read -d ''` returns 1 at end of file; that is expected.
    IFS= read -r -d '' content <"$cfg" || true
  fi
  # config.worktree is read when extensions.worktreeConfig is set: protect it
  # when present, and create it when the extension is on but the file is not.
  local lower=${content,,}
  if [[ -L $gd/config.worktree ]]; then
    _jailgen_r _jailgen_refuse_link "$gd/config.worktree" "delete it (git recreates what it needs)"
  fi
  if [[ ! -e $gd/config.worktree && $lower == *worktreeconfig* ]]; then
    _jailgen_create_file "$gd/config.worktree"
  fi
  _jailgen_ro_self "$gd/config.worktree"
  # Pointer files: rewriting them could point the host's git at a directory
  # the agent controls.
  _jailgen_ro_self "$gd/commondir"
  _jailgen_ro_self "$gd/gitdir"
  if [[ $lower == *hookspath* || $lower == *include* || ($depth -gt 0 && $lower == *worktree*) ]]; then
    _jailgen_r _jailgen_protect_config_paths "$cfg" "$content" $((depth > 0))
  fi
  # Linked worktrees' entries and submodules' git dirs (wrapper-rare.sh).
  if [[ -e $gd/worktrees || -L $gd/worktrees || -e $gd/modules || -L $gd/modules ]]; then
    _jailgen_r _jailgen_protect_gitdir_entries "$gd" "$depth"
  fi
}

# Is PATH (which exists) physically inside the working directory? Walks up with
# "/.." (resolved by the kernel, so symlinks count where they lead), no fork.
_jailgen_in_cwd() {
  local dir=$1 depth=0
  while ((depth < 64)); do
    if [[ $dir -ef $PWD ]]; then
      return 0
    fi
    if [[ $dir -ef / ]]; then
      return 1
    fi
    dir="$dir/.."
    depth=$((depth + 1))
  done
  return 1
}

# jailgen_protect_git protect|open
#   protect: $PWD/.git/hooks and $PWD/.git/config (and what else makes the host
#            run code) are bound read-only over the read-write working dir.
#   open:    no protection; only what a linked worktree needs to commit.
# Either way, a linked worktree (.git is a file: `gitdir: <path>`) gets its
# gitdir and the common dir bound read-write, so commits work in the jail.
jailgen_protect_git() {
  local mode=${1-protect}
  if [[ $mode != protect && $mode != open ]]; then
    printf "jailgen: jailgen_protect_git: unknown mode \`%s\` (expected \`protect\` or \`open\`)\n" "$mode" >&2
    exit 1
  fi
  local dotgit=$PWD/.git
  if [[ -L $dotgit ]]; then
    # The link itself cannot be made immutable (a mount lands on its target),
    # so the agent could swap it for a planted repository: say so, don't pretend.
    if [[ $mode == protect ]]; then
      printf '%s\n' "jailgen: warning: .git is a symlink; git hooks and config are not protected in this jail" >&2
    fi
  elif [[ -d $dotgit ]]; then
    if [[ $mode == protect ]]; then
      # Binding .git over itself makes it a mount point, which the agent can
      # neither rename nor delete; otherwise `mv .git x` and a fresh .git with
      # hooks would defeat the read-only binds inside it.
      _jailgen_bind_dir --bind-fd "$dotgit"
      _jailgen_protect_gitdir "$dotgit"
    fi
  elif [[ -f $dotgit ]]; then
    _jailgen_r _jailgen_linked_worktree "$mode" "$dotgit"
  fi
}

# --- hidden files -----------------------------------------------------------

# Sets REPLY to an empty regular file to mask hidden files with:
# $XDG_RUNTIME_DIR/jailgen/empty, which no jail can reach (a per-user tmpfs the
# exposure lint refuses to grant), else ~/.cache/jailgen/empty, where a jail
# with ~/.cache read-write running at the same time could swap it between this
# check and bwrap's mount (a known limit). Something else there (a jail with ~/.cache
# read-write could have written to it, or swapped in a symlink) is unlinked
# (rm does not follow links; a fork, only then) and the file created afresh
# with noclobber, which never opens an existing file or a link's target.
# REPLY=- when there is none (then callers fall back to one fd each).
_jailgen_empty_file() {
  REPLY=-
  local d
  if [[ -n ${XDG_RUNTIME_DIR-} && -d $XDG_RUNTIME_DIR ]]; then
    d=$XDG_RUNTIME_DIR/jailgen
  else
    [[ -n ${HOME-} ]] || return 0
    d=$HOME/.cache/jailgen
  fi
  # The directory replaced by a link (a jail with ~/.cache read-write): never
  # create through it; one fd per file instead.
  [[ ! -L $d ]] || return 0
  local f=$d/empty
  if [[ -L $f || (-e $f && (! -f $f || -s $f)) ]]; then
    rm -f -- "$f" 2>/dev/null || return 0
  fi
  if [[ ! -e $f ]]; then
    if [[ ! -d ${f%/*} ]]; then
      mkdir -p -- "${f%/*}" 2>/dev/null || return 0
    fi
    local had_noclobber=0
    [[ $- == *C* ]] && had_noclobber=1
    set -C
    { : >"$f"; } 2>/dev/null || true
    ((had_noclobber)) || set +C
  fi
  if [[ -f $f && ! -L $f && ! -s $f ]]; then
    REPLY=$f
  fi
}

# jailgen_hide PATTERN...
# Each PATTERN is a bash glob relative to $PWD, expanded now (at launch) with
# nullglob (no match, nothing hidden), dotglob (`*` matches dot files) and
# globstar (`**/.env` matches at any depth); `.` and `..` never match. Only the
# glob applies: no word splitting, no tilde or other expansion.
# A matching file is replaced by an empty read-only file, a directory by an
# empty read-only tmpfs.
# Symlinks are never followed out of $PWD: a matching symlink whose target is
# inside $PWD hides that target; one pointing outside, or a match reached
# through a symlinked directory leading outside, is left alone with a warning
# (the jail only sees such a target if the spec binds it).
jailgen_hide() {
  # A GLOBIGNORE from the caller's environment would drop matches (and
  # unsetting it turns dotglob off, so do it before setting dotglob).
  if [[ -v GLOBIGNORE ]]; then
    unset GLOBIGNORE
  fi
  local had_nullglob=0 had_dotglob=0 had_globstar=0 had_noglob=0
  shopt -q nullglob && had_nullglob=1
  shopt -q dotglob && had_dotglob=1
  shopt -q globstar && had_globstar=1
  [[ $- == *f* ]] && had_noglob=1
  shopt -s nullglob dotglob globstar
  set +f
  local IFS=''
  local pattern name path target fd dir skip empty=""
  local -a matches hidden_dirs=()
  local -A hidden=()
  for pattern in "$@"; do
    if [[ -z $pattern || $pattern == /* || /$pattern/ == */../* ]]; then
      printf "jailgen: hide pattern \`%s\` must be relative to the working directory, without \`..\`\n" "$pattern" >&2
      exit 1
    fi
    # shellcheck disable=SC2206 # the glob is the point; IFS is empty so nothing splits
    matches=($pattern)
    for name in "${matches[@]}"; do
      # `./x` is x; a `.` or `..` elsewhere (old bash lets `.*` match them)
      # would name the working directory or its parent: never hide those.
      while [[ $name == ./* ]]; do
        name=${name#./}
      done
      case /$name/ in
      */./* | */../* | //) continue ;;
      esac
      path=$PWD/$name
      # `*/x` and `sub/x` go through symlinked directories: mount only what
      # lies inside the working directory (bwrap would follow the link).
      if [[ $name == */* ]] && ! _jailgen_in_cwd "${path%/*}"; then
        printf "jailgen: not hiding \`%s\`: it is reached through a symlink leading outside the working directory\n" "$name" >&2
        continue
      fi
      if [[ -L $path ]]; then
        target=$(realpath -e -- "$path" 2>/dev/null) || continue # fork: symlinks only
        local physical_pwd
        physical_pwd=$(pwd -P)
        if [[ $target != "$physical_pwd"/* ]]; then
          printf "jailgen: not hiding \`%s\`: it is a symlink pointing outside the working directory\n" "$name" >&2
          continue
        fi
        path=$PWD/${target#"$physical_pwd"/}
      fi
      # Once per path, and nothing under a directory already hidden: a second
      # mount there would fail (the tmpfs is read-only and empty).
      [[ -z ${hidden[$path]-} ]] || continue
      skip=0
      for dir in "${hidden_dirs[@]}"; do
        if [[ $path == "$dir"/* ]]; then
          skip=1
          break
        fi
      done
      ((skip == 0)) || continue
      hidden[$path]=1
      if [[ -d $path ]]; then
        hidden_dirs+=("$path")
        RUNTIME_ARGS+=(--tmpfs "$path" --remount-ro "$path")
      elif [[ -e $path ]]; then
        if [[ -z $empty ]]; then
          _jailgen_empty_file
          empty=$REPLY
        fi
        if [[ $empty != - ]]; then
          RUNTIME_ARGS+=(--ro-bind "$empty" "$path")
        else
          # No usable empty file: bwrap copies the (empty) data of a fresh fd
          # into a read-only file and closes the fd; one fd per file.
          exec {fd}</dev/null
          RUNTIME_ARGS+=(--ro-bind-data "$fd" "$path")
        fi
      fi
    done
  done
  ((had_nullglob)) || shopt -u nullglob
  ((had_dotglob)) || shopt -u dotglob
  ((had_globstar)) || shopt -u globstar
  ((had_noglob == 0)) || set -f
}
