# jailgen runtime, the rarely needed part: sourced by `_jailgen_r` in
# wrapper.sh (see there) the first time one of these functions is called.
# Same rules as wrapper.sh: runs on the host before bwrap, under errexit,
# nounset and pipefail; only appends to RUNTIME_ARGS; must pass shellcheck.
#
# shellcheck shell=bash

_jailgen_refuse_nested() {
  printf '%s\n' \
    "jailgen: refusing to start: the grant \`$1\` lies inside \`$2\`, which the agent can write," \
    "and \`$3\` on the way is a symlink: an earlier session may have planted it to point the" \
    "grant elsewhere (your home directory, for instance). Inspect it (ls -l), restore the real" \
    "directory, and start again." >&2
  exit 1
}

# jailgen_check_nested ROOT PATH [ROOT PATH]...: each PATH is a grant bound
# after the read-write grant ROOT that contains it. The agent can rename the
# directories between them (only mount points cannot be renamed) and plant a
# symlink, which the next launch would resolve on the host as the source and
# in the jail as the destination: refuse to start when a component of PATH
# below ROOT is a symlink. Runs before the state paths are created.
_jailgen_check_nested() {
  while (($# >= 2)); do
    if _jailgen_link_below "$1" "$2" && [[ -n $REPLY ]]; then
      _jailgen_refuse_nested "$2" "$1" "$REPLY"
    fi
    shift 2
  done
}

_jailgen_refuse_state_link() {
  printf '%s\n' \
    "jailgen: refusing to start: the state path \`$1\` is a symlink to nothing." \
    "The jail would create whatever it names on your machine. Inspect it (ls -l), delete it, and start again." >&2
  exit 1
}

# Refuse to start because PATH is a symlink where git never makes one (or
# where the jail cannot protect one). A bind's source is resolved on the host
# and its destination inside the jail, so a relative link such as `../..`
# would mount the host directory it names (your home) over the jail's: the
# bind itself is the leak, so a warning is not enough. $2 says how to repair.
_jailgen_refuse_link() {
  printf '%s\n' \
    "jailgen: refusing to start: \`$1\` is a symlink." \
    "git does not create it as a symlink, and binding it would mount whatever it points to" \
    "(an earlier session of the agent may have planted it to reach your home directory)." \
    "Inspect it (ls -l), then $2, and start again." >&2
  exit 1
}

# Submodule git dirs under DIR; names may contain "/", so a directory without
# HEAD is searched one level further down.
_jailgen_protect_modules_dir() {
  local dir=$1 depth=$2 sub
  if ((depth > 8)); then
    return 0
  fi
  for sub in "$dir"/*; do
    if [[ -L $sub ]]; then
      _jailgen_refuse_link "$sub" "delete it (git submodule update recreates it)"
    fi
    [[ -d $sub ]] || continue
    _jailgen_bind_dir --bind-fd "$sub"
    if [[ -e $sub/HEAD ]]; then
      _jailgen_protect_gitdir "$sub" $((depth + 1))
    else
      _jailgen_protect_modules_dir "$sub" $((depth + 1))
    fi
  done
}

# core.hooksPath and include paths named in a (now read-only) config may point
# into the read-write working directory (husky uses `.husky/_`): bind those
# read-only too, creating them first when missing. In a submodule's config,
# core.worktree names the submodule's checkout, whose `.git` file points the
# host's git (including the superproject's `git status`) at the submodule's
# git dir: that file is bound read-only as well. A minimal parser of git's
# config syntax: section headers, `key = value`, optional double quotes.
# $3 = 1 for a submodule's git dir.
_jailgen_protect_config_paths() {
  local cfg=$1 content=$2 module=${3-0} line section="" key value target
  local cfgdir=${cfg%/*}
  while IFS= read -r line; do
    line=${line#"${line%%[![:space:]]*}"}
    if [[ $line == \[* ]]; then
      section=${line%%]*}
      section=${section#[}
      section=${section,,}
      section=${section%%[[:space:]]*}
      section=${section%%.*}
      # `[core] hooksPath = x` may share the header line.
      line=${line#*]}
      line=${line#"${line%%[![:space:]]*}"}
    fi
    [[ $line == *=* ]] || continue
    key=${line%%=*}
    key=${key%"${key##*[![:space:]]}"}
    key=${key,,}
    value=${line#*=}
    value=${value#"${value%%[![:space:]]*}"}
    value=${value%"${value##*[![:space:]]}"}
    if [[ $value == \"*\" ]]; then
      value=${value:1:${#value}-2}
    fi
    [[ -n $value ]] || continue
    target=""
    if [[ $section == core && $key == hookspath ]]; then
      # Relative hooksPath is relative to the top of the working tree.
      case $value in
      /*) target=$value ;;
      \~/*) target=${HOME-}/${value#\~/} ;;
      *) target=$PWD/$value ;;
      esac
      _jailgen_protect_inside_cwd "$target" dir
    elif [[ $module == 1 && $section == core && $key == worktree ]]; then
      case $value in
      /*) target=$value/.git ;;
      *) target=$cfgdir/$value/.git ;;
      esac
      _jailgen_protect_inside_cwd "$target" existing
    elif [[ ($section == include || $section == includeif) && $key == path ]]; then
      case $value in
      /*) target=$value ;;
      \~/*) target=${HOME-}/${value#\~/} ;;
      *) target=$cfgdir/$value ;;
      esac
      _jailgen_protect_inside_cwd "$target" file
    fi
  done <<<"$content"
}

# Bind TARGET read-only when it lies inside the working directory (the only
# read-write place we know of), creating it first when missing (KIND dir or
# file; `existing` never creates): otherwise the agent could create it. Creation happens only below an existing ancestor that
# is itself inside the working directory, so a symlink in the project cannot
# steer it elsewhere on the host. The directories between the working
# directory and TARGET are pinned (bound over themselves) so the agent cannot
# rename one aside and plant a look-alike path. Symlinks on the way cannot be
# pinned (a mount lands on the link's target), so they are reported instead.
_jailgen_protect_inside_cwd() {
  local target=$1 kind=$2 anc start
  if [[ $kind != existing && ! -e $target && ! -L $target ]]; then
    anc=${target%/*}
    while [[ -n $anc && ! -e $anc ]]; do
      anc=${anc%/*}
    done
    if [[ -d $anc && /${target#"$anc"}/ != */../* ]] && _jailgen_in_cwd "$anc"; then
      if [[ $kind == dir ]]; then
        mkdir -p -- "$target"
      else
        if [[ ! -d ${target%/*} ]]; then
          mkdir -p -- "${target%/*}"
        fi
        : >>"$target"
      fi
    fi
  fi
  [[ -e $target || -L $target ]] || return 0
  start=$target
  [[ -d $start && ! -L $start ]] || start=${target%/*}
  _jailgen_in_cwd "$start" || return 0
  # Normalise TARGET relative to $PWD; with no symlink on the way, the
  # lexical result is the physical one.
  local rest probe=$PWD part rel=""
  local -a pins=()
  if [[ $target != "$PWD"/* ]]; then
    printf '%s\n' "jailgen: warning: cannot protect \`$target\` (named by git config): not spelled under $PWD" >&2
    return 0
  fi
  rest=${target#"$PWD"/}
  while [[ -n $rest ]]; do
    part=${rest%%/*}
    if [[ $rest == */* ]]; then rest=${rest#*/}; else rest=""; fi
    probe=$probe/$part
    if [[ -L $probe ]]; then
      printf '%s\n' "jailgen: warning: cannot protect \`$target\` (named by git config): \`$probe\` is a symlink" >&2
      return 0
    fi
    case $part in
    "" | .) ;;
    ..)
      [[ -n $rel ]] || return 0
      if [[ $rel == */* ]]; then rel=${rel%/*}; else rel=""; fi
      ;;
    *) rel=${rel:+$rel/}$part ;;
    esac
  done
  [[ -n $rel ]] || return 0
  part=$rel
  while [[ $part == */* ]]; do
    part=${part%/*}
    pins=("$PWD/$part" "${pins[@]}")
  done
  for part in "${pins[@]}"; do
    _jailgen_bind_dir --bind-fd "$part"
  done
  RUNTIME_ARGS+=(--ro-bind "$PWD/$rel" "$PWD/$rel")
}

# A linked worktree: .git is a file `gitdir: <path>` naming
# <common>/worktrees/<id>, which holds `commondir` (the main .git) and `gitdir`
# (a path back to this .git file). Both directories are bound read-write so
# commits work. The .git file is project content the agent may have written
# in an earlier session, so it must not choose what gets bound: the entry has
# to be a real worktree entry of a real repository that points back here.
_jailgen_linked_worktree() {
  local mode=$1 dotgit=$2 line="" gitdir common="" back=""
  IFS= read -r line <"$dotgit" || true
  if [[ $line != "gitdir: "* ]]; then
    return 0
  fi
  gitdir=${line#gitdir: }
  [[ $gitdir == /* ]] || gitdir=$PWD/$gitdir
  if [[ -f $gitdir/commondir ]]; then
    IFS= read -r common <"$gitdir/commondir" || true
  fi
  [[ -z $common || $common == /* ]] || common=$gitdir/$common
  if [[ -f $gitdir/gitdir ]]; then
    IFS= read -r back <"$gitdir/gitdir" || true
  fi
  [[ -z $back || $back == /* ]] || back=$gitdir/$back
  if [[ ! -f $gitdir/HEAD || -z $common || ! -f $common/HEAD || ! -d $common/objects ||
    ! ${gitdir%/*} -ef $common/worktrees || -z $back || ! $back -ef $dotgit ]]; then
    printf '%s\n' "jailgen: warning: .git names \`$gitdir\`, which is not a worktree entry of a repository pointing back to $dotgit; not binding it (git will not work in the jail)" >&2
    return 0
  fi
  # Bind only symlink-free paths (a bind's source resolves on the host, its
  # destination in the jail): resolve both (two forks, linked worktrees only)
  # and insist that the entry lies directly in the common dir's worktrees/.
  local real_common real_gitdir
  if ! real_common=$(realpath -e -- "$common") || ! real_gitdir=$(realpath -e -- "$gitdir"); then
    printf '%s\n' "jailgen: warning: cannot resolve \`$gitdir\` or \`$common\`; not binding them" >&2
    return 0
  fi
  if [[ $real_gitdir != "$real_common"/worktrees/* || ${real_gitdir#"$real_common"/worktrees/} == */* ]]; then
    printf '%s\n' "jailgen: refusing to start: the worktree entry \`$gitdir\` is reached through a symlink inside \`$common\`." \
      "git never makes one; an earlier session may have planted it. Inspect it (ls -l), run \`git worktree repair\`, and start again." >&2
    exit 1
  fi
  common=$real_common gitdir=$real_gitdir
  _jailgen_bind_dir --bind-fd "$common"
  _jailgen_bind_dir --bind-fd "$gitdir"
  if [[ $mode == protect ]]; then
    # The .git file itself: rewritten, it could send the host's git to a
    # planted directory.
    RUNTIME_ARGS+=(--ro-bind "$dotgit" "$dotgit")
    _jailgen_protect_gitdir "$common"
    _jailgen_ro_self "$gitdir/config.worktree"
    _jailgen_ro_self "$gitdir/commondir"
    _jailgen_ro_self "$gitdir/gitdir"
  fi
}

# The working-directory guard's refusal; $1 says what the directory is.
_jailgen_refuse_cwd() {
  printf '%s\n' \
    "jailgen: refusing to start: the working directory is $1." \
    "The jail mounts the working directory read-write, so the agent could read and change" \
    "everything under it: SSH keys, shell start-up files, other projects' secrets." \
    "Run the agent from a project directory instead (cd ~/src/my-project)." \
    "To insist, set JAILGEN_ALLOW_CWD=1 for this run." >&2
  exit 1
}

# jailgen_lock's refusal: session $1 runs in $2.
_jailgen_refuse_busy() {
  printf '%s\n' \
    "jailgen: refusing to start: another jailed session (pid $1) is running in $2." \
    "Two sessions of one project at once would let the first change what this launch checks" \
    "before the jail mounts it. Finish or close that session, then start again." \
    "To run both anyway (trusting the running agent), set JAILGEN_ALLOW_CONCURRENT=1 for this run." >&2
  exit 1
}

# jailgen_time_zone's cache miss: REPLY="<real file>\n<link text>" of
# /etc/localtime (two forks), remembered in the cache file $1 when given.
_jailgen_time_zone_compute() {
  local cache=$1 real link
  real=$(realpath -e /etc/localtime) || return 1
  link=$(readlink /etc/localtime) || return 1
  if [[ -n $cache ]]; then
    if [[ ! -d ${cache%/*} ]]; then
      mkdir -p -- "${cache%/*}" 2>/dev/null || true
    fi
    # Unlink, then create with noclobber: never write through a symlink
    # someone put in its place.
    rm -f -- "$cache" 2>/dev/null || true
    local had_noclobber=0
    [[ $- == *C* ]] && had_noclobber=1
    set -C
    { printf '%s\n%s\n' "$real" "$link" >"$cache"; } 2>/dev/null || true
    ((had_noclobber)) || set +C
  fi
  REPLY=$real$'\n'$link
}

# The part of _jailgen_protect_gitdir (wrapper.sh) for a git directory with
# linked worktrees or submodules. $1 = the git directory, $2 = depth.
_jailgen_protect_gitdir_entries() {
  local gd=$1 depth=$2 sub
  # Linked worktrees' entries and submodules' git dirs hold pointers, hooks and
  # configs the host's git uses from elsewhere. Each directory on the way is
  # bound over itself (pinned): a mount point cannot be renamed, so the agent
  # cannot move an entry aside and plant a look-alike. git never makes these
  # directories symlinks; one that is would be followed by the host's git.
  for sub in "$gd/worktrees" "$gd/modules"; do
    if [[ -L $sub ]]; then
      _jailgen_refuse_link "$sub" "delete it"
    fi
  done
  if [[ -d $gd/worktrees ]]; then
    _jailgen_bind_dir --bind-fd "$gd/worktrees"
    for sub in "$gd"/worktrees/*; do
      if [[ -L $sub ]]; then
        _jailgen_refuse_link "$sub" "delete it (git worktree prune)"
      fi
      [[ -d $sub ]] || continue
      _jailgen_bind_dir --bind-fd "$sub"
      _jailgen_ro_self "$sub/config.worktree"
      _jailgen_ro_self "$sub/commondir"
      _jailgen_ro_self "$sub/gitdir"
    done
  fi
  if [[ -d $gd/modules ]]; then
    _jailgen_bind_dir --bind-fd "$gd/modules"
    _jailgen_protect_modules_dir "$gd/modules" $((depth + 1))
  fi
}
