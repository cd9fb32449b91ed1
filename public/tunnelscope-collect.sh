#!/bin/sh
# tunnelscope-collect: read-only network state collector for Tunnelscope.
#
# Run as root on a Kubernetes node or a pod VM:   sh tunnelscope-collect.sh > "$(hostname).tsc.txt"
# then upload the file to Tunnelscope (or: tunnelscope import FILE -o bundle.json).
#
# It only reads: ip/tc/bridge show commands, ovs-vsctl/ovn-nbctl list, iptables-save, sysctl, bpftool net show,
# conntrack -S, /run/peerpod/podnetwork.json and the pod-network part of a worker's /run/peerpod/pods/*/apf.json
# (with jq; never the TLS key that file also holds), in the root network namespace and in every namespace listed by
# `ip netns list`. Tools that are not installed are reported, not fatal. Needs only iproute2 (or busybox's ip,
# whose text forms are read) and a POSIX sh. Without any ip it reads the namespace it runs in from /proc/net
# (route, ipv6_route, if_inet6, fib_trie, arp) and /sys/class/net, with cat and shell built-ins.
# Secrets that OVS/OVN tables or the peer-pod config can hold (an IPsec PSK, a password, a token) are printed as
# <redacted>: the key stays, the value does not.
#
# Options:
#   --netns NAME      collect only this named namespace (repeatable); default: all of `ip netns list`
#   --no-netns        collect only the root namespace
#   --role ROLE       worker | podvm | node | unknown (default: guessed)
#   --timeout SEC     per-command time limit, checked every second or less (default 20; per batch for batched ones)
#   --no-batch        run every command on its own instead of batching a namespace's ip, tc and bridge commands
#                     (and reading a sysctl listing's files straight from /proc/sys)
#   --parallel N      named namespaces collected at once (default 4); the output keeps their order
#   --tmpdir DIR      where its scratch directory is made (default $TMPDIR, else /dev/shm when it is a tmpfs with
#                     256 MiB free, else /tmp)
#
# Output format 1: a header line, then per command a prompt-shaped line with the command and a marker comment,
# its stdout verbatim, its stderr lines and an end line with the exit code:
#   #tunnelscope-collect format=1 host=H role=R date=D boundary=B
#   [tunnelscope@H /]# ip netns exec NS ip -j -d -s -s addr show #ts:B
#   ...stdout...
#   #ts:B stderr: ...
#   #ts:B end id=ip-addr ns=NS exit=0 status=ok ms=4 eol=1 errs=0 erreol=1

LC_ALL=C
export LC_ALL
PATH="$PATH:/usr/sbin:/sbin:/usr/local/sbin"

only_netns=''
no_netns=0
batching=1
role=''
limit=20
parallel=4
tmp_in=''
while [ $# -gt 0 ]; do
  case $1 in
    --netns) only_netns="$only_netns
$2"; shift 2 ;;
    --no-netns) no_netns=1; shift ;;
    --role) role=$2; shift 2 ;;
    --timeout) limit=$2; shift 2 ;;
    --no-batch) batching=0; shift ;;
    --parallel) parallel=$2; shift 2 ;;
    --tmpdir) tmp_in=$2; shift 2 ;;
    -h|--help) sed -n '2,33p' "$0"; exit 0 ;;
    *) echo "tunnelscope-collect: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

case $limit in '' | *[!0-9.]* | *.*.*) echo "tunnelscope-collect: --timeout takes seconds, not $limit" >&2; exit 2 ;; esac
case $limit in *.*) whole=${limit%%.*}; frac=${limit#*.}000; frac=${frac%"${frac#???}"} ;; *) whole=$limit; frac=000 ;; esac
limit_ms=$(( ${whole:-0} * 1000 + 1$frac - 1000 ))

# The scratch files: a dozen small ones per namespace, made and removed within milliseconds. In memory when the host
# has it to spare, as making a file costs more on a disk (on an ext4 without a journal, which checks each new inode
# against recently deleted ones, it was half of the script's time); a container's small /dev/shm is left alone.
# A df that filters by type (-t) answers both questions at once; otherwise /proc/mounts says whether /dev/shm is a
# tmpfs, read by the shell a byte per read call (1.5 ms for the 3 KB of a lab host's mounts).
shm_room() {
  [ -d /dev/shm ] && [ -w /dev/shm ] || return 1
  set -f; set -- $(df -Pk -t tmpfs /dev/shm 2>/dev/null); set +f
  if [ $# -lt 11 ]; then
    shm_fs=''
    while read -r _ mp fst _; do [ "$mp" = /dev/shm ] && shm_fs=$fst; done </proc/mounts 2>/dev/null
    [ "$shm_fs" = tmpfs ] || return 1
    set -f; set -- $(df -Pk /dev/shm 2>/dev/null); set +f
    [ $# -ge 11 ] || return 1
  fi
  shift 7
  case $4 in '' | *[!0-9]*) return 1 ;; esac
  [ "$4" -ge 262144 ]
}
if [ -z "$tmp_in" ]; then
  if [ -n "${TMPDIR:-}" ]; then tmp_in=$TMPDIR
  elif shm_room; then tmp_in=/dev/shm
  else tmp_in=/tmp; fi
fi

# A run killed outright (SIGKILL) cannot remove its scratch directory, and after an exec on a node nobody else can:
# each run holds a lock (flock) on its own while it or anything it started lives, and removes the earlier runs'
# whose lock is free. Only such directories: its name, its owner, a lock that was once taken (the mark `locked`).
for old in "$tmp_in"/tunnelscope-collect.*; do
  [ -d "$old" ] && [ ! -L "$old" ] && [ -O "$old" ] && [ -e "$old/locked" ] && flock -n "$old/lock" true 2>/dev/null && rm -rf "$old"
done
# Random words from the kernel's uuid (122 random bits), read by the shell itself; od where /proc has none: the
# output's boundary, and the scratch directory's name, made with the root namespace's directory by one mkdir.
uuid=''
read -r uuid 2>/dev/null </proc/sys/kernel/random/uuid
case $uuid in
  ????????-????-????-????-????????????) boundary=${uuid%%-*}${uuid#*-}; boundary=${boundary%%-*}; scratch_id=${uuid##*-} ;;
  *) boundary=$(od -An -N6 -tx1 /dev/urandom 2>/dev/null | tr -d ' \n'); scratch_id='' ;;
esac
[ -n "$boundary" ] || boundary="$$$(date +%s)"
tmp=''
if [ -n "$scratch_id" ]; then
  d="$tmp_in/tunnelscope-collect.$scratch_id"
  mkdir -m 700 "$d" "$d/ns.0" 2>/dev/null && tmp=$d
fi
if [ -z "$tmp" ]; then
  tmp=$(mktemp -d "$tmp_in/tunnelscope-collect.XXXXXX" 2>/dev/null || { d="$tmp_in/tunnelscope-collect.$$"; mkdir -m 700 "$d" && echo "$d"; }) &&
    mkdir "$tmp/ns.0" ||
    { echo "tunnelscope-collect: cannot make a scratch directory in $tmp_in (see --tmpdir)" >&2; exit 1; }
fi
exec 8>"$tmp/lock" && flock -n 8 2>/dev/null && : >"$tmp/locked"
# The namespaces are listed while the script starts; read once the host's job has started.
netns_pid=''
[ "$no_netns" = 1 ] || { ip netns list >"$tmp/netns.all" 2>/dev/null </dev/null & netns_pid=$!; }
top=$tmp
# Namespaces being collected in the background, " INDEX:PID ..." in the order they started; the watchdog's pid.
running=' '
watchdog_pid=''
jobs_total=''
stop_all() {
  for job in $running; do kill "${job#*:}" 2>/dev/null; done
  [ -n "$watchdog_pid" ] && kill "$watchdog_pid" 2>/dev/null
  rm -rf "$top"
}
trap stop_all EXIT
trap 'salvage; exit 130' INT TERM

# The host name as hostname(1) prints it (the UTS namespace's), read without starting a process where /proc has it.
host=''
IFS= read -r host 2>/dev/null </proc/sys/kernel/hostname || host=$(hostname 2>/dev/null)
# The lines that start a batch's and a group command's part of the shared output files (see flush and group_body).
bmark="#ts:$boundary b"
gmark="#ts:$boundary g"
if [ -z "$role" ]; then
  if [ -f /run/peerpod/podnetwork.json ]; then role=podvm
  elif [ -d /var/lib/kubelet ]; then role=worker
  else role=unknown; fi
fi
have_nsenter=0
command -v nsenter >/dev/null 2>&1 && have_nsenter=1
# Batches are split back into records by awk; without it every command runs on its own.
command -v awk >/dev/null 2>&1 || batching=0
us=$(printf '\037')
nl='
'
# busybox's ip reads and prints text only; the readers take iproute2's text forms, which it prints.
ip_json=1
ip -j link show lo >/dev/null 2>&1 || ip_json=0
netns_dir=/run/netns
[ -d "$netns_dir" ] || netns_dir=/var/run/netns

# Any-case bracket form of a lowercase pattern in $out, for sed without a case-insensitive flag: psk -> [Pp][Ss][Kk];
# other characters stay. Shell built-ins only: a `tr` per letter cost a hundred processes at every start.
anycase() {
  w=$1; out=''
  while [ -n "$w" ]; do
    c=${w%"${w#?}"}; w=${w#?}
    lo=abcdefghijklmnopqrstuvwxyz; up=ABCDEFGHIJKLMNOPQRSTUVWXYZ
    while [ -n "$lo" ] && [ "${lo%"${lo#?}"}" != "$c" ]; do lo=${lo#?}; up=${up#?}; done
    if [ -n "$lo" ]; then out="$out[${up%"${up#?}"}$c]"; else out="$out$c"; fi
  done
}
# The sed programs that mask secret values ($mask_json, $mask_text) and whether this sed takes -E ($have_sed_e), made
# when an output first needs them (in the host's own job): no namespace waits for them.
mask_programs() {
  # Key names whose value is a secret (the patterns of lib/capture/redact.ts). `key` alone is a tunnel's VNI, not one.
  anycase 'psk|password|passwd|secret|token|private[_-]?key|api[_-]?key|credentials?'
  secret_key="[A-Za-z0-9_.-]*($out)"
  json_string='"([^"\\]|\\.)*"'
  mask_json="s/\\[(\"$secret_key\")[[:space:]]*,[[:space:]]*$json_string[[:space:]]*\\]/[\\1,\"<redacted>\"]/g;s/(\"$secret_key\")([[:space:]]*):([[:space:]]*)$json_string/\\1\\3:\\4\"<redacted>\"/g"
  mask_text="s/([{, ])($secret_key)=($json_string|[^,} ]*)/\\1\\2=\"<redacted>\"/g"
  have_sed_e=0
  [ "$(echo ab | sed -E 's/(a)(b)/\2\1/' 2>/dev/null)" = ba ] && have_sed_e=1
}
have_sed_e=''

# A command's stdout as printed, with secret values masked in the outputs that can hold them.
show_out() {
  masks "$1"
  if [ -n "$mask" ]; then
    [ -n "$have_sed_e" ] || mask_programs
    if [ "$have_sed_e" = 1 ]; then
      case $mask in
        json+text) sed -E -e "$mask_json" -e "$mask_text" "$tmp/out"; return ;;
        json) sed -E -e "$mask_json" "$tmp/out"; return ;;
      esac
    fi
  fi
  cat "$tmp/out"
}

# Milliseconds since boot in $now, from /proc/uptime (10 ms steps) without starting a process; else from date. Kept
# as text because the group shell inside a namespace needs it too.
clock='now_ms() {
  if read -r up _ </proc/uptime 2>/dev/null; then
    cs=${up#*.}; cs=${cs#0}
    now=$(( ${up%.*} * 1000 + cs * 10 ))
  else
    now=$(( $(date +%s) * 1000 ))
  fi
}'
eval "$clock"

# Quotes one word so that the prompt line reads back as the same argv.
q() {
  case $1 in
    '' | *[!A-Za-z0-9_@%+=:,./-]*) printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")" ;;
    *) printf '%s' "$1" ;;
  esac
}

# The prompt line of one command; a word that needs no quotes costs no subshell.
prompt() {
  ns=$1; shift
  line=''
  for w in "$@"; do
    case $w in
      '' | *[!A-Za-z0-9_@%+=:,./-]*) line="$line $(q "$w")" ;;
      *) line="$line $w" ;;
    esac
  done
  if [ "$ns" = - ]; then printf '[tunnelscope@%s /]#%s #ts:%s\n' "$host" "$line" "$boundary"
  else printf '[tunnelscope@%s /]# ip netns exec %s%s #ts:%s\n' "$host" "$nsq" "$line" "$boundary"; fi
}

ends_with_newline() {
  last=$(tail -c 1 "$1"; echo x)
  [ "$last" = "
x" ]
}

# The watchdog: every tick it ends the commands that have run longer than the limit. A command is watched while its
# directory's file `w` names it ("PID START_MS NUMBER KIND ."): KIND p, PID is the command; KIND c, the command is
# the child of the shell PID, which runs it in the foreground (a shell starts a foreground command with vfork, a
# background one with fork, which cost twice as much here). The marker t.NUMBER left before the kill makes its
# record say timeout. One sleeping loop per host instead of a `timeout` process per command.
watchdog() {
  while sleep "$tick"; do
    # The script killed outright (SIGKILL) ran no trap: the command running in each namespace ends, and with the
    # directory gone the rest of its namespace's commands fail at once instead of running on, orphaned.
    if ! kill -0 $$ 2>/dev/null; then
      for w in "$top/ns."*/w; do
        [ -s "$w" ] && read -r wpid _ _ wkind _ <"$w" || continue
        [ "$wkind" = c ] && kill_children "$wpid"
        kill -KILL "$wpid" 2>/dev/null
      done
      # A job may write a file between rm's emptying a directory and removing it: tried again.
      for _ in 1 2 3 4 5; do rm -rf "$top" 2>/dev/null && break; done
      exit
    fi
    now_ms
    for w in "$top/ns."*/w; do
      [ -s "$w" ] && read -r wpid wstart wk wkind wend <"$w" && [ "$wend" = . ] || continue
      [ $(( now - wstart )) -ge "$limit_ms" ] || continue
      : >"${w%/w}/t.$wk"
      if [ "$wkind" = c ]; then kill_children "$wpid"; else kill -KILL "$wpid" 2>/dev/null; fi
    done
  done
}

# Ends the processes whose parent is $1, found in /proc/PID/stat ("PID (COMM) STATE PPID ...").
kill_children() {
  for st in /proc/[0-9]*/stat; do
    read -r sl <"$st" || continue
    sl=${sl##*") "}; sl=${sl#* }
    [ "${sl%% *}" = "$1" ] || continue
    st=${st#/proc/}
    kill -KILL "${st%/stat}" 2>/dev/null
  done
}

# This shell's pid in $selfpid, or nothing: the name of its one thread's directory in /proc/self/task, listed by the
# shell itself (reading it from /proc/self/stat took a read call per byte of its long line).
own_pid() {
  selfpid=''
  set -- /proc/self/task/*
  [ $# = 1 ] && [ -d "$1" ] && selfpid=${1##*/}
}

# guarded OUT ERR ARGV...: runs ARGV watched by the watchdog, its output appended to OUT and ERR. Sets $rc, $ms and
# $timed_out (1 when the watchdog ended it); $rk numbers the commands of the namespace's directory. In the foreground
# when this shell knows its own pid ($selfpid, see own_pid: a subshell's $$ is its parent's).
guarded() {
  gout=$1; gerr=$2; shift 2
  rk=$((rk + 1))
  now_ms; start=$now
  if [ -n "$watchdog_pid" ] && [ -n "$selfpid" ]; then
    echo "$selfpid $start $rk c ." >"$tmp/w"
    "$@" >>"$gout" 2>>"$gerr" </dev/null
    rc=$?
    : >"$tmp/w"
  elif [ -n "$watchdog_pid" ]; then
    "$@" >>"$gout" 2>>"$gerr" </dev/null &
    echo "$! $start $rk p ." >"$tmp/w"
    wait $!
    rc=$?
    : >"$tmp/w"
  else
    "$@" >>"$gout" 2>>"$gerr" </dev/null
    rc=$?
  fi
  now_ms; ms=$(( now - start ))
  timed_out=0
  [ -e "$tmp/t.$rk" ] && timed_out=1
}

# run ID NETNS OPTIONAL TOOL ARGV...   (NETNS '-' = root namespace)
run() {
  case $planning in replay | over) return 0 ;; esac
  queue "$@" && return
  id=$1; ns=$2; optional=$3; shift 3
  if [ "$1" = ip ] && [ "$ip_json" = 0 ]; then
    # An ip without -j (busybox): the same listing in text, without the options it does not know. Its `ip route`
    # lists every family where iproute2's lists IPv4: -4 says what iproute2 means.
    family=''
    case " $* " in *' route '*) case " $* " in *' -6 '*) ;; *) family=-4 ;; esac ;; esac
    for w in "$@"; do
      shift
      case $w in -j|-d|-s) ;; ip) set -- "$@" ip $family ;; *) set -- "$@" "$w" ;; esac
    done
  fi
  if [ "$batching" = 1 ]; then group "$id" "$ns" "$optional" "$@"; else run_single "$id" "$ns" "$optional" "$@"; fi
}

# run_single ID NETNS OPTIONAL ARGV...: one command on its own (in the namespace through nsenter, else `ip netns exec`),
# its record printed.
run_single() {
  id=$1; ns=$2; optional=$3; shift 3
  tool=$1
  prompt "$ns" "$@"
  eol=1; errs=0; erreol=1
  if ! command -v "$tool" >/dev/null 2>&1; then
    rc=127; status=missing-tool; ms=0
    printf '#ts:%s stderr: %s: command not found\n' "$boundary" "$tool"
    errs=1
  else
    # A network namespace is all these tools need: nsenter skips the mount namespace `ip netns exec` sets up.
    if [ "$ns" != - ]; then
      if [ "$have_nsenter" = 1 ] && [ -e "$netns_dir/$ns" ]; then set -- nsenter "--net=$netns_dir/$ns" "$@"
      else set -- ip netns exec "$ns" "$@"; fi
    fi
    : >"$tmp/out"; : >"$tmp/err"
    guarded "$tmp/out" "$tmp/err" "$@"
    if [ "$timed_out" = 1 ]; then status=timeout; elif [ "$rc" = 0 ]; then status=ok; else status=error; fi
    if [ -s "$tmp/out" ]; then
      show_out "$id"
      ends_with_newline "$tmp/out" || { eol=0; echo; }
    fi
    if [ -s "$tmp/err" ]; then
      # A last line without a newline is read too, and noted (no `tail` for it).
      while IFS= read -r l || { [ -n "$l" ] && erreol=0; }; do
        printf '#ts:%s stderr: %s\n' "$boundary" "$l"
        errs=$((errs + 1))
      done <"$tmp/err"
    fi
  fi
  printf '#ts:%s end id=%s ns=%s exit=%s status=%s ms=%s eol=%s errs=%s erreol=%s optional=%s\n' \
    "$boundary" "$id" "$nsq" "$rc" "$status" "$ms" "$eol" "$errs" "$erreol" "$optional"
}

# A record made now by run_single, kept in the namespace's directory and noted in its manifest ($tmp/m).
single() {
  [ "$planning" = dry ] && { plan_ok=0; return 0; }
  rk=$((rk + 1)); fk=$rk
  run_single "$@" >"$tmp/f.$fk"
  echo "f $fk" >>"$tmp/m"
}

# Puts a command in the namespace's group, which one shell inside the namespace runs at the next flush: the command
# travels as positional parameters, its words separated by a unit separator, never as code. A missing tool, an output
# that needs masking or a word the group cannot carry is recorded on its own.
group() {
  id=$1; optional=$3
  masks "$id"
  if [ -n "$mask" ] || ! command -v "$4" >/dev/null 2>&1; then single "$@"; return; fi
  for w in "$@"; do
    case $w in *"$us"* | *"$nl"*) single "$@"; return ;; esac
  done
  shift 3
  rk=$((rk + 1))
  words=''
  for w in "$@"; do words="$words$us$w"; done
  mode=run
  sysctl_files "$id"
  if [ -n "$files" ]; then mode=sysctl; set -f; set -- $files; set +f; fi
  group="$group$rk$us$#$us$mode$us"
  for w in "$@"; do group="$group$w$us"; done
  gpend="${gpend}g $rk $id $optional $((grp + 1))$words
"
}

# The group shell's program ($1 the namespace's directory, $2 the mark that starts a command's part, then per command
# NUMBER COUNT MODE and COUNT words): each command's stdout and stderr appended to the directory's go and ge, each
# part after a line "MARK NUMBER" and ended by an x (so a missing newline shows), and "NUMBER EXIT MS" to gx; a few
# shared files instead of four per command, as creating a file costs more than a process here. Watched by the
# watchdog through $1/w. MODE sysctl reads the /proc/sys files its words name, as sysctl prints them: one grep, its
# lines rewritten by the shell itself; it fails only as a missing sysctl, as `sysctl` would. MODE batch runs one of
# flush's batches (words: BATCH, its output file, the count of ARGV words, ARGV, its lines) and notes it in the
# manifest and as "BBATCH EXIT" in gx. The shared files are opened once, on fds 3 to 7, and `one` runs with go and ge
# as its stdout and stderr: a redirection costs a handful of system calls, which were most of the group shell's own
# work. For the same reason a command's start is the previous one's end (one read of /proc/uptime per command), and
# `one` keeps its command's words by appending them and shifting away all it was given instead of walking every word
# of the group per command.
group_body='dir=$1; mark=$2; shift 2
nl="
"
exec 3>>"$dir/go" 4>>"$dir/ge" 5>>"$dir/gx" 6>>"$dir/bo" 7>>"$dir/be"
batch() {
  g=$1; bout=$2; na=$3; shift 3; i=0; input=
  for w in "$@"; do shift; i=$((i + 1)); if [ "$i" -le "$na" ]; then set -- "$@" "$w"; else input="$input$w$nl"; fi; done
  printf "%s" "$input" >"$dir/s"
  printf "%s %s\\n" "${mark% g} b" "$g" >&7
  echo "$$ $start $k c ." >"$dir/w"
  if [ "$bout" = bo ]; then printf "%s %s\\n" "${mark% g} b" "$g" >&6; "$@" "$dir/s" >&6 2>&7 </dev/null
  else printf "%s %s\\n" "${mark% g} b" "$g" >>"$dir/$bout"; "$@" "$dir/s" >>"$dir/$bout" 2>&7 </dev/null
  fi
  rc=$?
  : >"$dir/w"
  now_ms
  echo "b $g $rc $(( now - start ))" >>"$dir/m"
  echo "B$g $rc" >&5
}
one() {
  k=$1; n=$2; mode=$3; shift 3; i=0; total=$#
  for w in "$@"; do [ "$i" -lt "$n" ] || break; set -- "$@" "$w"; i=$((i + 1)); done
  shift "$total"
  start=$now
  if [ "$mode" = batch ]; then batch "$@"; return; fi
  printf "%s %s\\n" "$mark" "$k"; printf "%s %s\\n" "$mark" "$k" >&2
  if [ "$mode" = sysctl ]; then
    sysctl_select "$@"
    set -f; set -- grep -H "" $files; set +f
  fi
  if [ "$mode" = sysctl ] && ! command -v sysctl >/dev/null 2>&1; then
    echo "sh: 1: sysctl: not found" >&2; rc=127
  elif [ "$mode" = sysctl ] && [ -z "$files" ]; then
    rc=0
  else
    echo "$$ $start $k c ." >"$dir/w"
    if [ "$mode" = sysctl ]; then "$@" >"$dir/s" </dev/null
    else "$@" </dev/null
    fi
    rc=$?
    : >"$dir/w"
    if [ "$mode" = sysctl ]; then sysctl_format "$dir/s"; [ -e "$dir/t.$k" ] || rc=0; fi
  fi
  now_ms
  printf x; printf x >&2
  echo "$k $rc $(( now - start ))" >&5
}
now_ms
while [ $# -ge 3 ]; do
  one "$@" >&3 2>&4
  shift $(( $2 + 3 ))
done'

# iproute2 commands of a namespace wait in batches, one per tool and global options, until flush runs each batch as
# one `TOOL -n NS OPTIONS -force -batch FILE`: no process per command, no mount namespace per command. Only words
# iproute2's batch reader splits back unchanged go into a batch; any other command runs on its own. Batches are
# numbered on across flushes ($bfirst the first of the next flush): format reads them all at the end. Until the
# flush they are kept in variables: $bkeys the keys a line each, $bq "NUMBER ID OPTIONAL DECLARED ARGV" and $bin
# "NUMBER BATCH LINE" a line per command.
queue() {
  [ "$batching" = 1 ] || return 1
  case $4 in ip|tc|bridge) ;; *) return 1 ;; esac
  [ "$4" = ip ] && [ "$ip_json" = 0 ] && return 1
  command -v "$4" >/dev/null 2>&1 || return 1
  qid=$1; qopt=$3; shift 3
  key=$1; shift
  while [ $# -gt 0 ]; do
    case $1 in -*) key="$key $1"; shift ;; *) break ;; esac
  done
  rest=''
  for w in "$@"; do
    case $w in '' | *[!A-Za-z0-9_@+=:,./-]*) return 1 ;; esac
    rest="$rest $w"
  done
  declared="$key$rest"
  # Listings iproute2 prints the same in the namespace's one ip batch (-d and -s change nothing in them), so that a
  # namespace runs one ip (compared byte for byte by tests/capture/collect-batch.test.ts); the record keeps the
  # declared argv. `root ::/0` asks for the IPv6 routes as -6 does, which a batch cannot say per line.
  case "$key|$rest" in
    'ip -j -s| neigh show' | 'ip -j| netconf show' | 'ip -j| netns list-id') key='ip -j -d -s -s' ;;
    'ip -j -d -s -s -6| route show table all') key='ip -j -d -s -s'; rest="$rest root ::/0" ;;
  esac
  g=$bfirst
  found=0
  saved_ifs=$IFS; IFS=$nl; set -f
  for k in $bkeys; do
    [ "$k" = "$key" ] && { found=1; break; }
    g=$((g + 1))
  done
  IFS=$saved_ifs; set +f
  [ "$found" = 1 ] || bkeys="$bkeys$key$nl"
  bq="$bq$g $qid $qopt $declared$nl"
  bin="$bin$g ${rest# }$nl"
}

# batched ID NETNS OPTIONAL ARGV...: a command that runs only as a line of the namespace's batch (no process of its
# own), where the host answered it (probe_batched); elsewhere nothing is recorded, and `covered ID` stays false so that
# the listing it covers runs instead.
batched() {
  case $planning in replay | over) return 0 ;; esac
  case $unbatchable in *" $1 "*) return 0 ;; esac
  queue "$@" && covering="$covering$1 "
  return 0
}
covered() {
  case $covering in *" $1 "*) return 0 ;; esac
  return 1
}

# flush NETNS: runs the namespace's group in one shell inside it, then its batches, and notes each in the manifest.
# Each batch's stdout and stderr are appended to bo and be after a line "MARK NUMBER" (tc's stdout to bt, which
# filter_hooks reads a byte at a time); its commands are noted in the manifest as "q NUMBER ID OPTIONAL DECLARED
# ARGV" lines before its "b NUMBER EXIT MS". With a group to run, its shell runs the batches too, already inside the
# namespace: `TOOL -n NS` sets up a mount namespace and remounts /sys for every batch, which here cost more than the
# tool itself (compared byte for byte by tests/capture/collect-batch.test.ts). A batch that shell did not report (it
# could not enter the namespace) runs here with -n, as without a group.
flush() {
  [ "$batching" = 1 ] || return 0
  fns=$1
  case $planning in
    over) return 0 ;;
    replay)
      planning=''
      rk=$plan_rk; bkeys=$plan_bkeys; group=$plan_group; gpend=$plan_gpend; covering=$plan_covering
      tc_json=$plan_tc_json; notes=$plan_notes; inputs=$plan_inputs ;;
    *) flush_plan ;;
  esac
  if [ "$planning" = dry ]; then
    plan_rk=$rk; plan_bkeys=$bkeys; plan_group=$group; plan_gpend=$gpend; plan_covering=$covering
    plan_tc_json=$tc_json; plan_notes=$notes; plan_inputs=$inputs
    planning=over
    return 0
  fi
  flush_run
}

# The first half of flush: the manifest's q lines ($notes), each batch's lines ($inputs, a line per batch, words
# separated by the unit separator) and, with a group to run, the batches added to it; $tc_json the tc batch.
flush_plan() {
  tc_json=''; notes=''; inputs=''
  g=$bfirst
  saved_ifs=$IFS; set -f
  IFS=$nl; set -- $bkeys; IFS=$saved_ifs
  for key in "$@"; do
    input=''; nlines=0
    IFS=$nl
    for l in $bq; do case $l in "$g "*) notes="${notes}q $l$nl" ;; esac; done
    for l in $bin; do case $l in "$g "*) input="$input$us${l#"$g "}"; nlines=$((nlines + 1)) ;; esac; done
    IFS=$saved_ifs
    inputs="$inputs$input$nl"
    bout=bo
    case $key in tc\ *) bout=bt; tc_json=$g ;; esac
    if [ -n "$group" ]; then
      rk=$((rk + 1))
      set -- $key
      group="$group$rk$us$(( $# + 5 + nlines ))${us}batch$us$g$us$bout$us$(( $# + 2 ))$us"
      for w in "$@"; do group="$group$w$us"; done
      group="$group-force$us-batch$input$us"
    fi
    g=$((g + 1))
  done
  set +f
}

# The second half of flush: the group and the batches run, noted in the manifest.
flush_run() {
  saved_ifs=$IFS
  printf '%s' "$notes" >>"$tmp/m"
  ran=' '
  if [ -n "$group" ]; then
    grp=$((grp + 1))
    # Noted before the group runs, so that a stopped script still prints the commands of it that finished.
    printf '%s' "$gpend" >>"$tmp/m"
    saved_ifs=$IFS; IFS=$us; set -f; set -- $group; set +f; IFS=$saved_ifs
    if [ "$fns" = - ]; then set -- sh -c "$group_shell" sh "$tmp" "$gmark" "$@"
    elif [ "$have_nsenter" = 1 ] && [ -e "$netns_dir/$fns" ]; then set -- nsenter "--net=$netns_dir/$fns" sh -c "$group_shell" sh "$tmp" "$gmark" "$@"
    else set -- ip netns exec "$fns" sh -c "$group_shell" sh "$tmp" "$gmark" "$@"; fi
    now_ms; start=$now
    "$@" >/dev/null 2>"$tmp/grp.$grp.e" </dev/null
    grc=$?
    now_ms
    # What the group's commands report when the shell never ran them (a namespace that cannot be entered).
    printf x >>"$tmp/grp.$grp.e"
    echo "G$grp $grc $(( now - start ))" >>"$tmp/gx"
    group=''; gpend=''
    while read -r gk grc _; do
      case $gk in B*) ran="$ran${gk#B} "; [ "${gk#B}" = "$tc_json" ] && tc_rc=$grc ;; esac
    done <"$tmp/gx"
  fi
  g=$bfirst
  set -f
  IFS=$nl; set -- $bkeys; IFS=$saved_ifs
  for key in "$@"; do
    input=${inputs%%"$nl"*}; inputs=${inputs#*"$nl"}
    case $ran in *" $g "*) g=$((g + 1)); continue ;; esac
    IFS=$us; set -- ${input#"$us"}; IFS=$saved_ifs
    [ $# -gt 0 ] && printf '%s\n' "$@" >"$tmp/s"
    set -- $key
    tool=$1; shift
    if [ "$fns" = - ]; then set -- "$tool" "$@"; else set -- "$tool" -n "$fns" "$@"; fi
    bout=$tmp/bo
    [ "$tool" = tc ] && bout=$tmp/bt
    printf '%s %s\n' "$bmark" "$g" >>"$bout"; printf '%s %s\n' "$bmark" "$g" >>"$tmp/be"
    guarded "$bout" "$tmp/be" "$@" -force -batch "$tmp/s"
    echo "b $g $rc $ms" >>"$tmp/m"
    [ "$tool" = tc ] && tc_rc=$rc
    g=$((g + 1))
  done
  set +f
  bfirst=$g; bkeys=''; bq=''; bin=''
}

# Prints the records of finished namespaces (their directories as arguments, in order) from their manifests ($d/m2
# when a rerun rewrote it, else $d/m) and the parts of the shared output files (bo, bt and be for batches, go, ge
# and gx for the group's commands, see flush and group_body): batches split back into one record per command (each
# JSON command prints exactly one line when it succeeds and nothing when it fails, and iproute2 names each failed
# line "Command failed FILE:N" after its messages), the group's commands, and the records made on their own. When a
# batch's output does not add up, awk exits 3 printing nothing, with the batch numbers in that directory's file bad.
format_records='
function q(w) {
  if (w == "" || w ~ /[^A-Za-z0-9_@%+=:,.\/-]/) { gsub("\047", "\047\\\\\047\047", w); return "\047" w "\047" }
  return w
}
# The parts of FILE into cnt[KEY, NUMBER] (its line count) and line[KEY, NUMBER, I]: each starts after a line
# "PRE NUMBER", which follows the previous part on its last line when that one has no newline. With PRE empty, the
# whole file is part WHOLE.
function load(file, key, pre, whole,   l, p, cur) {
  cur = whole
  if (cur != "") cnt[key, cur] += 0
  while ((getline l < file) > 0) {
    p = pre == "" ? 0 : index(l, pre)
    if (p > 0) {
      if (p > 1 && cur != "") line[key, cur, ++cnt[key, cur]] = substr(l, 1, p - 1)
      cur = substr(l, p + length(pre)); cnt[key, cur] += 0
    } else if (cur != "") line[key, cur, ++cnt[key, cur]] = l
  }
  close(file)
}
# Prints a part that ends with the x its writer added, each line after PRE; the number of lines, last_eol 0 when the
# last one had no newline.
function show(key, k, pre,   i, n, l) {
  last_eol = 1
  n = cnt[key, k] + 0
  if (n == 0) return 0
  for (i = 1; i < n; i++) print pre line[key, k, i]
  l = line[key, k, n]
  if (l == "x") return n - 1
  last_eol = 0
  print pre substr(l, 1, length(l) - 1)
  return n
}
function ending(id, rc, st, ms, eol, errs, erreol, opt) {
  printf "%s end id=%s ns=%s exit=%s status=%s ms=%s eol=%s errs=%s erreol=%s optional=%s\n", b, id, ns, rc, st, ms, eol, errs, erreol, opt
}
function split_batch(g, rc,   i, l, n, k, failed, pend, pc, lines, key) {
  n = ncmd[a, g] + 0; failed = 0; pend = ""; pc = 0
  key = a SUBSEP "be"
  for (i = 1; i <= cnt[key, g]; i++) {
    l = line[key, g, i]
    if (l ~ /^Command failed .*:[0-9]+$/) {
      k = l; sub(/.*:/, "", k); k += 0
      if (k < 1 || k > n || ((a, g, k) in failed_at)) return 0
      failed_at[a, g, k] = 1; failed++; emsg[a, g, k] = pend; ecnt[a, g, k] = pc; pend = ""; pc = 0
    } else { pend = pend b " stderr: " l "\n"; pc++ }
  }
  lines = cnt[a, "bo", g] + 0
  if (n == 0 || lines + failed != n || (failed == 0 && rc != 0)) return 0
  if (pc > 0) { emsg[a, g, n] = emsg[a, g, n] pend; ecnt[a, g, n] += pc }
  size[a, g] = n
  return 1
}
function print_batch(g, ms,   i, o, n, w, words, rc, st) {
  n = size[a, g]; ms = int(ms / n); o = 0
  for (i = 1; i <= n; i++) {
    split(cmd[a, g, i], w, " ")
    words = cmd[a, g, i]; sub(/^[^ ]* [^ ]* /, "", words)
    print head " " words " " b
    if ((a, g, i) in failed_at) { rc = 1; st = "error" } else { o++; print line[a, "bo", g, o]; rc = 0; st = "ok" }
    printf "%s", emsg[a, g, i]
    ending(w[1], rc, st, ms, 1, ecnt[a, g, i] + 0, 1, w[2])
  }
}
function print_grouped(k, id, opt, grp, words,   f, l, w, n, i, text, r, eol, errs, st) {
  n = split(words, w, "\037")
  if ((a, k) in gx) split(gx[a, k], r, " ")
  else {
    # The group shell ended before the command did (or never ran it): its exit and its own messages.
    if (!((a, "G" grp) in gx)) return
    split(gx[a, "G" grp], r, " ")
    if (!((a, "grp", grp) in cnt)) load(dir "/grp." grp ".e", a SUBSEP "grp", "", grp)
  }
  text = head
  for (i = 1; i <= n; i++) text = text " " q(w[i])
  print text " " b
  if ((a, k) in gx) {
    show(a SUBSEP "go", k, "")
    eol = last_eol
    errs = show(a SUBSEP "ge", k, b " stderr: ")
  } else {
    eol = 1
    errs = show(a SUBSEP "grp", grp, b " stderr: ")
  }
  f = dir "/t." k
  if ((getline l < f) >= 0) st = "timeout"; else if (r[1] == 0) st = "ok"; else st = "error"
  close(f)
  ending(id, r[1], st, r[2], eol, errs, last_eol, opt)
}
function enter(i) {
  a = i; dir = ARGV[i]; ns = nsq[i]
  head = "[tunnelscope@" ENVIRON["TS_HOST"] " /]#"
  if (ns != "-") head = head " ip netns exec " ns
}
BEGIN {
  b = ENVIRON["TS_B"]; failed_dirs = 0
  for (i = 1; i < ARGC; i++) {
    enter(i)
    f = dir "/m2"
    if ((getline l < f) < 0) f = dir "/m"
    close(f)
    n = 0
    while ((getline l < f) > 0) {
      if (l ~ /^q /) { split(l, e, " "); c = l; sub(/^q [^ ]* /, "", c); cmd[i, e[2], ++ncmd[i, e[2]]] = c }
      else if (l ~ /^n /) nsq[i] = substr(l, 3)
      else if (l ~ /^[bgf] /) entry[i, ++n] = l
    }
    close(f)
    enter(i)
    entries[i] = n
    load(dir "/bo", i SUBSEP "bo", b " b ", "")
    load(dir "/bt", i SUBSEP "bo", b " b ", "")
    load(dir "/be", i SUBSEP "be", b " b ", "")
    load(dir "/go", i SUBSEP "go", b " g ", "")
    load(dir "/ge", i SUBSEP "ge", b " g ", "")
    f = dir "/gx"
    while ((getline l < f) > 0) { split(l, e, " "); gx[i, e[1]] = e[2] " " e[3] }
    close(f)
    bad = ""
    for (j = 1; j <= n; j++) {
      split(entry[i, j], e, " ")
      if (e[1] == "b" && !split_batch(e[2], e[3])) bad = bad e[2] "\n"
    }
    if (bad != "") { printf "%s", bad > (dir "/bad"); close(dir "/bad"); failed_dirs++ }
  }
  if (failed_dirs) exit 3
  for (i = 1; i < ARGC; i++) {
    enter(i)
    for (j = 1; j <= entries[i]; j++) {
      l = entry[i, j]; words = ""
      k = index(l, "\037")
      if (k > 0) { words = substr(l, k + 1); l = substr(l, 1, k - 1) }
      split(l, e, " ")
      if (e[1] == "b") print_batch(e[2], e[4])
      else if (e[1] == "g") print_grouped(e[2], e[3], e[4], e[5], words)
      else if (e[1] == "f") {
        f = dir "/f." e[2]
        while ((getline l < f) > 0) print l
        close(f)
      }
    }
  }
}'

# The finished namespaces' records (their directories as arguments). The commands of a batch whose output does not
# add up run again one by one, in their namespace, and its manifest is rewritten to hold their records instead.
format() {
  TS_B="#ts:$boundary" TS_HOST=$host awk "$format_records" "$@" && return
  for d in "$@"; do [ -s "$d/bad" ] && ( rerun_bad "$d" ); done
  TS_B="#ts:$boundary" TS_HOST=$host awk "$format_records" "$@"
}
rerun_bad() {
  tmp=$1
  own_pid
  while IFS= read -r l; do
    case $l in 'n '*) nsq=${l#n } ;; 'N '*) ns=${l#N } ;; 'r '*) rk=${l#r } ;; esac
  done <"$tmp/m"
  bad=' '
  while read -r g; do bad="$bad$g "; done <"$tmp/bad"
  : >"$tmp/m2"
  while IFS= read -r entry; do
    case $entry in
      'b '*)
        g=${entry#b }; g=${g%% *}
        case $bad in
          *" $g "*)
            rk=$((rk + 1)); fk=$rk
            while read -r kind qg qid qopt rest; do
              [ "$kind $qg" = "q $g" ] || continue
              set -f; set -- $rest; set +f
              run_single "$qid" "$ns" "$qopt" "$@"
            done <"$tmp/m" >"$tmp/f.$fk"
            entry="f $fk" ;;
        esac ;;
    esac
    printf '%s\n' "$entry" >>"$tmp/m2"
  done <"$tmp/m"
}

# Device names of a namespace from `ip -o link show` ("2: eth0@if5: <...").
devices() {
  if [ "$1" = - ]; then ip -o link show 2>/dev/null; else ip -n "$1" -o link show 2>/dev/null; fi |
    while IFS= read -r l; do
      d=${l#*: }; d=${d%%: *}; d=${d%%@*}
      [ -n "$d" ] && printf '%s\n' "$d"
    done
}

# "DEV HOOK" for each clsact or ingress qdisc of tc's JSON listing (the part of batch NUMBER in FILE, see flush), its
# device name unescaped.
hooks_from_json() {
  part=0
  while IFS= read -r l || [ -n "$l" ]; do
    case $l in
      "$bmark $2") part=1; continue ;;
      *"$bmark "*) [ "$part" = 1 ] && break; continue ;;
    esac
    [ "$part" = 1 ] || continue
    while :; do
      case $l in *'"kind":"'*) ;; *) break ;; esac
      l=${l#*\"kind\":\"}
      kind=${l%%\"*}
      obj=${l%%\"kind\":\"*}
      case $kind in clsact | ingress) ;; *) continue ;; esac
      case $obj in *'"dev":"'*) ;; *) continue ;; esac
      raw=${obj#*\"dev\":\"}; dev=''
      while :; do
        case $raw in
          '' | \"*) break ;;
          \\b*) dev="$dev$(printf '\b')"; raw=${raw#??} ;;
          \\?*) raw=${raw#?}; dev="$dev${raw%"${raw#?}"}"; raw=${raw#?} ;;
          \\*) break ;;
          *) run=${raw%%[\\\"]*}; dev="$dev$run"; raw=${raw#"$run"} ;;
        esac
      done
      printf '%s ingress\n' "$dev"
      [ "$kind" = clsact ] && printf '%s egress\n' "$dev"
    done
  done <"$1"
}

# "DEV HOOK" for each tc hook that can hold filters: a clsact qdisc has ingress and egress, the legacy ingress
# qdisc only ingress (asked for egress, tc lists the same ingress filters again). A device with neither has no
# filter to show. Batched, the qdiscs are those the namespace's tc batch listed; on their own, a `tc qdisc show`.
# When the qdiscs cannot be read, every device and both hooks, as before.
filter_hooks() {
  [ "$planning" = over ] && return 0
  if [ -n "$tc_json" ] && [ "$tc_rc" = 0 ]; then hooks_from_json "$tmp/bt" "$tc_json"; return; fi
  if [ "$1" = - ]; then qdiscs=$(tc qdisc show 2>/dev/null); read_ok=$?
  else qdiscs=$(tc -n "$1" qdisc show 2>/dev/null); read_ok=$?; fi
  if [ "$read_ok" -ne 0 ]; then
    devices "$1" | while IFS= read -r dev; do printf '%s ingress\n%s egress\n' "$dev" "$dev"; done
    return
  fi
  # "qdisc clsact ffff: dev eth0 parent ffff:fff1"
  printf '%s\n' "$qdiscs" | while read -r _qdisc kind _handle _dev dev _rest; do
    case $kind in
      clsact) printf '%s ingress\n%s egress\n' "$dev" "$dev" ;;
      ingress) printf '%s ingress\n' "$dev" ;;
    esac
  done
}

# BEGIN commands: generated from lib/commands by `npm run generate:collector`; do not edit by hand.
# The masks an output needs before it is printed (in $mask): those that can hold secrets, as lib/capture/redact.ts masks them.
masks() {
  case $1 in
    ovs-open-vswitch|ovs-bridge|ovs-port|ovs-interface|ovn-lsp|peerpod-config|peerpod-sandboxes) mask=json ;;
    *) mask='' ;;
  esac
}
# The /proc/sys files a sysctl listing selects (in $files); when batching, $sysctl_reader's functions print their lines.
sysctl_files() {
  case $1 in
    sysctl) files='net/ipv4/conf/*/rp_filter net/ipv4/ip_forward' ;;
    *) files='' ;;
  esac
}
sysctl_reader='sysctl_select() {
  files=
  for sg in "$@"; do
    case $sg in
      */\*/*) for sd in /proc/sys/${sg%%/\**}/*; do sf=$sd/${sg#*/\*/}; [ -f "$sf" ] && files="$files $sf"; done ;;
      *) [ -f "/proc/sys/$sg" ] && files="$files /proc/sys/$sg" ;;
    esac
  done
}
sysctl_format() {
  while IFS= read -r sl; do
    sk=; sr=${sl%%:*}; sr=${sr#/proc/sys/}/
    while [ -n "$sr" ]; do
      sc=${sr%%/*}; sr=${sr#*/}
      while :; do case $sc in *.*) sc="${sc%%.*}/${sc#*.}" ;; *) break ;; esac; done
      sk="$sk${sk:+.}$sc"
    done
    printf '\''%s = %s\n'\'' "$sk" "${sl#*:}"
  done <"$1"
}'
# Batched-only commands the host does not answer (tried once, before any namespace), in $unbatchable.
probe_batched() {
  unbatchable=' '
  case $(ip -j netconf show 2>/dev/null </dev/null) in '['* | '{'*) ;; *) unbatchable="${unbatchable}ip-netconf " ;; esac
}

# Once per host, in the root namespace.
collect_host() {
  run hostname - 0 hostname
  run netns-list - 0 ip -j netns list
  run ovs-open-vswitch - 1 ovs-vsctl -f json list Open_vSwitch
  run ovs-bridge - 1 ovs-vsctl -f json list Bridge
  run ovs-port - 1 ovs-vsctl -f json list Port
  run ovs-interface - 1 ovs-vsctl -f json list Interface
  run ovn-lsp - 1 ovn-nbctl -f json list Logical_Switch_Port
  run conntrack-stats - 1 conntrack -S
  run peerpod-config - 1 cat /run/peerpod/podnetwork.json
  run peerpod-sandboxes - 1 find /run/peerpod/pods -mindepth 2 -maxdepth 2 -name apf.json -exec jq -c '{sandbox: (input_filename | split("/") | .[-2]), "pod-network": .["pod-network"]}' '{}' +
  flush -
}

# In one namespace (NETNS INDEX; NETNS - is the root namespace): its listings, then the per-device ones; iproute2
# commands run at each flush, in batches, so the per-device ones are chosen from listings already read.
collect_netns() {
  ns=$1
  covering=' '
  run ip-addr "$ns" 0 ip -j -d -s -s addr show
  run ip-link "$ns" 0 ip -j -d -s -s link show
  run ip-route "$ns" 0 ip -j -d -s -s route show table all
  run ip6-route "$ns" 0 ip -j -d -s -s -6 route show table all
  run ip-rule "$ns" 1 ip -j -d -s -s rule show
  run ip-neigh "$ns" 0 ip -j -s neigh show
  batched ip-netconf "$ns" 1 ip -j netconf show
  run netns-list-id "$ns" 0 ip -j netns list-id
  run tc-qdisc "$ns" 0 tc -j qdisc show
  run bridge-fdb "$ns" 0 bridge -j fdb show
  if [ "$ns" = - ]; then
    run iptables-raw "$ns" 1 iptables-save -t raw
    run iptables-filter "$ns" 1 iptables-save -t filter
  fi
  if [ "$ns" != - ]; then
    run iptables-tables "$ns" 1 iptables-save
  fi
  covered ip-netconf || run sysctl "$ns" 1 sysctl -a -r '^net\.ipv4\.(ip_forward|conf\..*\.rp_filter)$'
  run bpftool-net "$ns" 1 bpftool -j net show
  flush "$ns"
  filter_hooks "$ns" >"$tmp/s"
  while read -r dev hook; do
    run tc-filter "$ns" 0 tc -j filter show dev "$dev" "$hook"
  done <"$tmp/s"
  flush "$ns"
}
# END commands

# BEGIN fallback: generated from lib/commands by `npm run generate:collector`; do not edit by hand.
# Where ip is missing: the namespace the script runs in, read from /proc/net and /sys/class/net (NETNS - only:
# /sys/class/net shows the namespace sysfs was mounted in, not the one a process enters).
collect_fallback() {
  ns=$1
  run sys-class-net "$ns" 1 sh -c 'cd /sys/class/net || exit 1; for d in *; do [ -r "$d/ifindex" ] || continue; l=$d; for f in ifindex iflink address mtu operstate flags type carrier tun_flags; do v=; [ -r "$d/$f" ] && read -r v <"$d/$f" 2>/dev/null; [ -n "$v" ] && l="$l $f=$v"; done; while read -r u; do case $u in DEVTYPE=*) l="$l devtype=${u#DEVTYPE=}" ;; esac; done <"$d/uevent"; v=; [ -r "$d/brport/state" ] && read -r v <"$d/brport/state" && l="$l brport_state=$v"; [ -d "$d/master" ] && m=$(cd "$d/master" && pwd -P) && l="$l master=${m##*/}"; printf "%s\n" "$l"; done'
  run proc-net-addr "$ns" 1 cat /proc/net/if_inet6 /proc/net/route /proc/net/fib_trie
  run proc-net-route "$ns" 1 cat /proc/net/route
  run proc-net-ipv6-route "$ns" 1 cat /proc/net/ipv6_route
  run proc-net-arp "$ns" 1 cat /proc/net/arp
}
# END fallback

unbatchable=' '
[ "$batching" = 1 ] && [ "$ip_json" = 1 ] && probe_batched

group_shell="$clock
$sysctl_reader
$group_body"

case $host in '' | *[!A-Za-z0-9_@%+=:,./-]*) hostq=$(q "$host") ;; *) hostq=$host ;; esac
printf '#tunnelscope-collect format=1 host=%s role=%s date=%s boundary=%s\n' \
  "$hostq" "$role" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$boundary"

# A limit of 0 means none, as for timeout(1). Short limits are checked five times a second where sleep takes fractions.
if [ "$limit_ms" -gt 0 ] && command -v sleep >/dev/null 2>&1; then
  tick=1
  [ "$limit_ms" -lt 5000 ] && sleep 0.01 2>/dev/null && tick=0.2
  watchdog </dev/null >/dev/null 2>&1 &
  watchdog_pid=$!
fi

# One namespace's records (INDEX NAME; INDEX 0 is the host's commands and the root namespace, where without ip
# (an image with a shell and little else) the listings are recorded as missing-tool and the namespace is read from
# /proc and /sys instead).
collect_job() {
  tmp=$top/ns.$1
  own_pid
  rk=0; bfirst=1; bkeys=''; bq=''; bin=''; grp=0; group=''; gpend=''
  nsq=-
  [ "$1" = 0 ] || case $2 in '' | *[!A-Za-z0-9_@%+=:,./-]*) nsq=$(q "$2") ;; *) nsq=$2 ;; esac
  # What format and a rerun of its batches need, first in the manifest: the name as the records spell it and the
  # name (the last number used ends it).
  printf 'n %s\nN %s\n' "$nsq" "$2" >"$tmp/m"
  if [ "$1" = 0 ]; then
    collect_host
    collect_netns - 0
    command -v ip >/dev/null 2>&1 || { collect_fallback -; flush -; }
  else
    collect_netns "$2" "$1"
  fi
  echo "r $rk" >>"$tmp/m"
}

# A named namespace's plan up to its first flush (its batches, group words and manifest lines, see flush) is the same
# for every one of them, the name aside, unless a command of it runs on its own (a missing tool, a word a group cannot
# carry): one dry run in the main shell makes it (planning=dry: nothing runs, and a command that would run on its own
# drops the plan), and each namespace's job takes it over (planning=replay: run and batched do nothing until flush).
# Making it took each job about 1 ms of shell work on a 60-namespace host, two fifths of the jobs' own CPU time.
planning=''
plan_netns() {
  planning=dry; plan_ok=1
  rk=0; bfirst=1; bkeys=''; bq=''; bin=''; grp=0; group=''; gpend=''
  collect_netns -plan- 1
  if [ "$plan_ok" = 1 ] && [ "$planning" = over ]; then planning=replay; else planning=''; fi
}

# Namespaces finished and not printed yet: printed in their order, eight at a time by one awk (batched) or one cat.
pending=''
npending=0
print_pending() {
  set --
  if [ "$batching" = 1 ]; then
    for j in $pending; do set -- "$@" "$top/ns.$j"; done
    format "$@"
  else
    for j in $pending; do set -- "$@" "$top/ns.$j.out"; done
    cat "$@"
  fi
  unprinted=$((j + 1))
  pending=''; npending=0
}
# On INT or TERM (a cancel, a host's time budget run out) the records of every command that finished and is not
# printed yet, namespaces in order, before the script exits; a command still running has none. Nothing runs again.
unprinted=0
salvage() {
  trap '' INT TERM
  [ -n "$jobs_total" ] || return
  set --
  j=$unprinted
  while [ "$j" -le "$jobs_total" ]; do
    if [ "$batching" = 1 ]; then set -- "$@" "$top/ns.$j"; elif [ -e "$top/ns.$j.out" ]; then set -- "$@" "$top/ns.$j.out"; fi
    j=$((j + 1))
  done
  if [ "$batching" = 1 ]; then TS_B="#ts:$boundary" TS_HOST=$host awk "$format_records" "$@" 2>/dev/null
  elif [ $# -gt 0 ]; then cat "$@"; fi
}
# A namespace's job writes its number to the fifo on fd 9 when it ends, so that the next one starts as soon as any
# ends, not only the oldest: a long job (the host's own commands come first) leaves no core idle behind it. Finished
# namespaces are printed in their order. Without mkfifo the oldest is awaited instead. $running is " INDEX:PID ...".
have_fifo=0
mkfifo "$top/done" 2>/dev/null && exec 9<>"$top/done" && have_fifo=1
finished=' '
next=0
started=0
job_ended() {
  if [ "$have_fifo" = 1 ]; then read -r k <&9; else k=${running# }; k=${k%%:*}; fi
  started=$((started - 1))
  finished="$finished$k "
  while :; do
    case $finished in *" $next "*) ;; *) break ;; esac
    rest=${running#*" $next:"}
    wait "${rest%% *}"
    running="${running%%" $next:"*} ${rest#* }"
    pending="$pending $next"; npending=$((npending + 1)); next=$((next + 1))
  done
  if [ "$npending" -ge 8 ] || { [ "$started" = 0 ] && [ "$npending" -gt 0 ]; }; then print_pending; fi
}
start_job() {
  [ "$started" -ge "$parallel" ] && job_ended
  out=/dev/null
  [ "$batching" = 1 ] || out=$top/ns.$1.out
  { collect_job "$1" "$2" </dev/null >"$out" 9>&-; [ "$have_fifo" = 0 ] || echo "$1" >&9; } &
  running="$running$1:$! "
  started=$((started + 1))
}
# The host's own job (its directory made with the scratch directory) starts first; the namespaces, listed in the
# background since the start, are read while it runs: nothing it does depends on them. Every other namespace's
# directory is made by one mkdir.
jobs_total=0
start_job 0 -
: >"$tmp/netns"
set --
i=0
# `ip netns list` prints NAME or NAME (id: N) a line each; a name may hold spaces, quotes and any other byte.
[ -z "$netns_pid" ] || { wait "$netns_pid"; while IFS= read -r name; do
  name=${name% (id: *)}
  case $name in ''|-*|*/*) continue ;; esac
  if [ -n "$only_netns" ]; then
    case "$only_netns
" in *"
$name
"*) ;; *) continue ;; esac
  fi
  printf '%s\n' "$name"
  i=$((i + 1)); set -- "$@" "$top/ns.$i"
done <"$tmp/netns.all" >"$tmp/netns"; }
[ $# = 0 ] || mkdir "$@" || exit 1
jobs_total=$i
[ "$batching" = 1 ] && [ "$i" -ge 2 ] && plan_netns
i=0
while IFS= read -r name; do
  i=$((i + 1))
  start_job "$i" "$name"
done <"$tmp/netns"
while [ "$started" -gt 0 ]; do job_ended; done
