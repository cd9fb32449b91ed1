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
#   --timeout SEC     per-command time limit when `timeout` is available (default 20; per batch for batched ones)
#   --no-batch        run every command on its own instead of batching a namespace's ip, tc and bridge commands
#                     (and reading a sysctl listing's files straight from /proc/sys)
#   --parallel N      named namespaces collected at once (default 4); the output keeps their order
#
# Output format 1: a header line, then per command a prompt-shaped line with the command and a marker comment,
# its stdout verbatim, its stderr lines and an end line with the exit code:
#   #tunnelscope-collect format=1 host=H role=R date=D boundary=B
#   [tunnelscope@H /]# ip netns exec NS ip -j addr show #ts:B
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
while [ $# -gt 0 ]; do
  case $1 in
    --netns) only_netns="$only_netns
$2"; shift 2 ;;
    --no-netns) no_netns=1; shift ;;
    --role) role=$2; shift 2 ;;
    --timeout) limit=$2; shift 2 ;;
    --no-batch) batching=0; shift ;;
    --parallel) parallel=$2; shift 2 ;;
    -h|--help) sed -n '2,31p' "$0"; exit 0 ;;
    *) echo "tunnelscope-collect: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

tmp=$(mktemp -d 2>/dev/null || { d="/tmp/tunnelscope.$$"; mkdir -m 700 "$d" && echo "$d"; }) || exit 1
top=$tmp
# Namespaces being collected in the background, "INDEX:PID " in the order they started.
running=''
stop_all() {
  for job in $running; do kill "${job#*:}" 2>/dev/null; done
  rm -rf "$top"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

host=$(hostname 2>/dev/null || cat /proc/sys/kernel/hostname)
boundary=$(od -An -N6 -tx1 /dev/urandom 2>/dev/null | tr -d ' \n')
[ -n "$boundary" ] || boundary="$$$(date +%s)"
if [ -z "$role" ]; then
  if [ -f /run/peerpod/podnetwork.json ]; then role=podvm
  elif [ -d /var/lib/kubelet ]; then role=worker
  else role=unknown; fi
fi
have_timeout=0
command -v timeout >/dev/null 2>&1 && have_timeout=1
have_nsenter=0
command -v nsenter >/dev/null 2>&1 && have_nsenter=1
have_awk=0
command -v awk >/dev/null 2>&1 && have_awk=1
# busybox's ip reads and prints text only; the readers take iproute2's text forms, which it prints.
ip_json=1
ip -j link show >/dev/null 2>&1 || ip_json=0
netns_dir=/run/netns
[ -d "$netns_dir" ] || netns_dir=/var/run/netns

# Any-case bracket form of a word, for sed without a case-insensitive flag: psk -> [Pp][Ss][Kk].
anycase() {
  w=$1; out=''
  while [ -n "$w" ]; do
    c=${w%"${w#?}"}; w=${w#?}
    case $c in
      [A-Za-z]) out="$out[$(printf '%s' "$c" | tr a-z A-Z)$(printf '%s' "$c" | tr A-Z a-z)]" ;;
      *) out="$out$c" ;;
    esac
  done
  printf '%s' "$out"
}
# Key names whose value is a secret (the patterns of lib/capture/redact.ts). `key` alone is a tunnel's VNI, not one.
secret_key="[A-Za-z0-9_.-]*($(anycase psk)|$(anycase password)|$(anycase passwd)|$(anycase secret)|$(anycase token)|$(anycase private)[_-]?$(anycase key)|$(anycase api)[_-]?$(anycase key)|$(anycase credential)[Ss]?)"
json_string='"([^"\\]|\\.)*"'
mask_json="s/\\[(\"$secret_key\")[[:space:]]*,[[:space:]]*$json_string[[:space:]]*\\]/[\\1,\"<redacted>\"]/g;s/(\"$secret_key\")([[:space:]]*):([[:space:]]*)$json_string/\\1\\3:\\4\"<redacted>\"/g"
mask_text="s/([{, ])($secret_key)=($json_string|[^,} ]*)/\\1\\2=\"<redacted>\"/g"
have_sed_e=0
[ "$(echo ab | sed -E 's/(a)(b)/\2\1/' 2>/dev/null)" = ba ] && have_sed_e=1

# A command's stdout as printed, with secret values masked in the outputs that can hold them.
show_out() {
  if [ "$have_sed_e" = 1 ]; then
    masks "$1"
    case $mask in
      json+text) sed -E -e "$mask_json" -e "$mask_text" "$tmp/out"; return ;;
      json) sed -E -e "$mask_json" "$tmp/out"; return ;;
    esac
  fi
  cat "$tmp/out"
}

# Milliseconds since boot in $now, from /proc/uptime (10 ms steps) without starting a process; else from date.
now_ms() {
  if read -r up _ </proc/uptime 2>/dev/null; then
    cs=${up#*.}; cs=${cs#0}
    now=$(( ${up%.*} * 1000 + cs * 10 ))
  else
    now=$(( $(date +%s) * 1000 ))
  fi
}

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

# run ID NETNS OPTIONAL TOOL ARGV...   (NETNS '-' = root namespace)
run() {
  queue "$@" && return
  id=$1; ns=$2; optional=$3; shift 3
  tool=$1
  if [ "$tool" = ip ] && [ "$ip_json" = 0 ]; then
    # An ip without -j (busybox): the same listing in text, without the options it does not know. Its `ip route`
    # lists every family where iproute2's lists IPv4: -4 says what iproute2 means.
    family=''
    case " $* " in *' route '*) case " $* " in *' -6 '*) ;; *) family=-4 ;; esac ;; esac
    for w in "$@"; do
      shift
      case $w in -j|-d|-s) ;; ip) set -- "$@" ip $family ;; *) set -- "$@" "$w" ;; esac
    done
  fi
  prompt "$ns" "$@"
  : >"$tmp/out"; : >"$tmp/err"
  sysctl_files "$id"
  if [ "$batching" = 1 ] && [ -n "$files" ]; then set -f; set -- sh -c "$sysctl_reader" sh $files; set +f; fi
  now_ms; start=$now
  if ! command -v "$tool" >/dev/null 2>&1; then
    rc=127; status=missing-tool
    echo "$tool: command not found" >"$tmp/err"
  else
    # A network namespace is all these tools need: nsenter skips the mount namespace `ip netns exec` sets up.
    if [ "$ns" != - ]; then
      if [ "$have_nsenter" = 1 ] && [ -e "$netns_dir/$ns" ]; then set -- nsenter "--net=$netns_dir/$ns" "$@"
      else set -- ip netns exec "$ns" "$@"; fi
    fi
    [ "$have_timeout" = 1 ] && set -- timeout -s KILL "$limit" "$@"
    "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    case $rc in
      0) status=ok ;;
      124|137) if [ "$have_timeout" = 1 ]; then status=timeout; else status=error; fi ;;
      *) status=error ;;
    esac
  fi
  now_ms; ms=$(( now - start ))
  eol=1
  if [ -s "$tmp/out" ]; then
    show_out "$id"
    ends_with_newline "$tmp/out" || { eol=0; echo; }
  fi
  errs=0; erreol=1
  if [ -s "$tmp/err" ]; then
    ends_with_newline "$tmp/err" || { erreol=0; echo >>"$tmp/err"; }
    while IFS= read -r l; do
      printf '#ts:%s stderr: %s\n' "$boundary" "$l"
      errs=$((errs + 1))
    done <"$tmp/err"
  fi
  printf '#ts:%s end id=%s ns=%s exit=%s status=%s ms=%s eol=%s errs=%s erreol=%s optional=%s\n' \
    "$boundary" "$id" "$nsq" "$rc" "$status" "$ms" "$eol" "$errs" "$erreol" "$optional"
}

# iproute2 commands of a namespace wait in batches, one per tool and global options, until flush runs each batch as
# one `TOOL -n NS OPTIONS -force -batch FILE`: no process per command, no mount namespace per command. Only words
# iproute2's batch reader splits back unchanged go into a batch; any other command runs on its own.
batches=0
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
  g=1
  while [ "$g" -le "$batches" ]; do
    read -r k <"$tmp/b.$g.key"
    [ "$k" = "$key" ] && break
    g=$((g + 1))
  done
  if [ "$g" -gt "$batches" ]; then
    batches=$g
    printf '%s\n' "$key" >"$tmp/b.$g.key"
    : >"$tmp/b.$g.q"; : >"$tmp/b.$g.in"
  fi
  printf '%s %s%s\n' "$qid" "$qopt" "$rest" >>"$tmp/b.$g.q"
  printf '%s\n' "${rest# }" >>"$tmp/b.$g.in"
}

# Splits a batch's output back into one record per command: each JSON command prints exactly one line when it
# succeeds and nothing when it fails, and iproute2 names each failed line ("Command failed FILE:N") after its
# messages. Exits 3, printing nothing, when the output does not add up; the commands then run one by one.
split_batch='
BEGIN {
  b = ENVIRON["TS_B"]; n = 0; failed = 0; pend = ""; pc = 0
  while ((getline l < ARGV[1]) > 0) { n++; cmd[n] = l }
  while ((getline l < ARGV[3]) > 0) {
    if (l ~ /^Command failed .*:[0-9]+$/) {
      k = l; sub(/.*:/, "", k); k += 0
      if (k < 1 || k > n || (k in bad)) exit 3
      bad[k] = 1; failed++; emsg[k] = pend; ecnt[k] = pc; pend = ""; pc = 0
    } else { pend = pend b " stderr: " l "\n"; pc++ }
  }
  lines = 0
  while ((getline l < ARGV[2]) > 0) { lines++; out[lines] = l }
  if (n == 0 || lines + failed != n || (failed == 0 && ENVIRON["TS_RC"] != 0)) exit 3
  if (pc > 0) { emsg[n] = emsg[n] pend; ecnt[n] += pc }
  ms = int(ENVIRON["TS_MS"] / n); o = 0
  for (i = 1; i <= n; i++) {
    split(cmd[i], w, " "); id = w[1]; opt = w[2]
    words = cmd[i]; sub(/^[^ ]* [^ ]* /, "", words)
    printf "%s%s %s %s\n", ENVIRON["TS_PROMPT"], ENVIRON["TS_KEY"], words, b
    if (i in bad) { rc = 1; st = "error" } else { o++; print out[o]; rc = 0; st = "ok" }
    printf "%s", emsg[i]
    printf "%s end id=%s ns=%s exit=%s status=%s ms=%s eol=1 errs=%d erreol=1 optional=%s\n", b, id, ENVIRON["TS_NS"], rc, st, ms, ecnt[i] + 0, opt
  }
}'

# flush NETNS: runs the batches queued for the namespace.
flush() {
  fns=$1; g=1
  if [ "$fns" = - ]; then fprompt="[tunnelscope@$host /]# "; else fprompt="[tunnelscope@$host /]# ip netns exec $nsq "; fi
  while [ "$g" -le "$batches" ]; do
    read -r key <"$tmp/b.$g.key"
    set -f; set -- $key; set +f
    tool=$1; shift
    if [ "$fns" = - ]; then set -- "$tool" "$@"; else set -- "$tool" -n "$fns" "$@"; fi
    [ "$have_timeout" = 1 ] && set -- timeout -s KILL "$limit" "$@"
    now_ms; start=$now
    "$@" -force -batch "$tmp/b.$g.in" >"$tmp/out" 2>"$tmp/err" </dev/null
    brc=$?
    now_ms; bms=$(( now - start ))
    # The split prints nothing before it knows the output adds up, so it writes straight to the script's output.
    if [ "$have_awk" = 1 ] && TS_B="#ts:$boundary" TS_RC=$brc TS_MS=$bms TS_PROMPT=$fprompt TS_KEY=$key TS_NS=$nsq \
      awk "$split_batch" "$tmp/b.$g.q" "$tmp/out" "$tmp/err"; then
      :
    else
      was_batching=$batching; batching=0
      while read -r qid qopt rest; do
        set -f; set -- $key $rest; set +f
        run "$qid" "$fns" "$qopt" "$@"
      done <"$tmp/b.$g.q"
      batching=$was_batching
    fi
    g=$((g + 1))
  done
  batches=0
}

# Device names of a namespace from `ip -o link show` ("2: eth0@if5: <...").
devices() {
  if [ "$1" = - ]; then ip -o link show 2>/dev/null; else ip -n "$1" -o link show 2>/dev/null; fi |
    while IFS= read -r l; do
      d=${l#*: }; d=${d%%: *}; d=${d%%@*}
      [ -n "$d" ] && printf '%s\n' "$d"
    done
}

# "DEV HOOK" for each tc hook that can hold filters: a clsact qdisc has ingress and egress, the legacy ingress
# qdisc only ingress (asked for egress, tc lists the same ingress filters again). A device with neither has no
# filter to show. When the qdiscs cannot be read, every device and both hooks, as before.
filter_hooks() {
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
# The /proc/sys files a sysctl listing selects (in $files); when batching, $sysctl_reader prints their lines.
sysctl_files() {
  case $1 in
    sysctl) files='net/ipv4/conf/*/rp_filter net/ipv4/ip_forward' ;;
    *) files='' ;;
  esac
}
sysctl_reader='LC_ALL=C; export LC_ALL
command -v sysctl >/dev/null 2>&1 || { echo '\''sh: 1: sysctl: not found'\'' >&2; exit 127; }
files=
for g in "$@"; do
  case $g in
    */\*/*) for d in /proc/sys/${g%%/\**}/*; do f=$d/${g#*/\*/}; [ -f "$f" ] && files="$files $f"; done ;;
    *) [ -f "/proc/sys/$g" ] && files="$files /proc/sys/$g" ;;
  esac
done
[ -n "$files" ] || exit 0
set -f
grep -H '\'''\'' $files | while IFS= read -r l; do
  k=; r=${l%%:*}; r=${r#/proc/sys/}/
  while [ -n "$r" ]; do
    c=${r%%/*}; r=${r#*/}
    while :; do case $c in *.*) c="${c%%.*}/${c#*.}" ;; *) break ;; esac; done
    k="$k${k:+.}$c"
  done
  printf '\''%s = %s\n'\'' "$k" "${l#*:}"
done'

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
  run ip-link "$ns" 0 ip -j -d -s -s link show
  run ip-addr "$ns" 0 ip -j addr show
  run ip-route "$ns" 0 ip -j route show table all
  run ip6-route "$ns" 0 ip -j -6 route show table all
  run ip-rule "$ns" 1 ip -j rule show
  run ip-neigh "$ns" 0 ip -j -s neigh show
  run netns-list-id "$ns" 0 ip -j netns list-id
  run tc-qdisc "$ns" 0 tc -j qdisc show
  run bridge-fdb "$ns" 0 bridge -j fdb show
  run iptables-raw "$ns" 1 iptables-save -t raw
  run iptables-filter "$ns" 1 iptables-save -t filter
  run sysctl "$ns" 1 sysctl -a -r '^net\.ipv4\.(ip_forward|conf\..*\.rp_filter)$'
  run bpftool-net "$ns" 1 bpftool -j net show
  flush "$ns"
  filter_hooks "$ns" >"$tmp/tc-filter.$2"
  while read -r dev hook; do
    run tc-filter "$ns" 0 tc -j filter show dev "$dev" "$hook"
  done <"$tmp/tc-filter.$2"
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

printf '#tunnelscope-collect format=1 host=%s role=%s date=%s boundary=%s\n' \
  "$(q "$host")" "$role" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$boundary"

nsq=-
collect_host
collect_netns - 0
# Without ip (an image with a shell and little else) the listings above are recorded as missing-tool and the
# namespace is read from /proc and /sys instead; there is no `ip netns list` to name other namespaces.
command -v ip >/dev/null 2>&1 || collect_fallback -

[ "$no_netns" = 1 ] && exit 0
# `ip netns list` prints NAME or NAME (id: N) a line each; a name may hold spaces, quotes and any other byte.
ip netns list 2>/dev/null | while IFS= read -r name; do
  name=${name% (id: *)}
  case $name in ''|-*|*/*) continue ;; esac
  if [ -n "$only_netns" ]; then
    case "$only_netns
" in *"
$name
"*) ;; *) continue ;; esac
  fi
  printf '%s\n' "$name"
done >"$tmp/netns"

# Prints the oldest namespace still running once it is done, so the output keeps the namespaces' order.
finish_oldest() {
  job=${running%% *}; running=${running#* }
  wait "${job#*:}"
  cat "$top/ns.${job%%:*}.out"
  rm -rf "$top/ns.${job%%:*}" "$top/ns.${job%%:*}.out"
}
i=0; started=0
while IFS= read -r name; do
  i=$((i + 1))
  [ "$started" -ge "$parallel" ] && { finish_oldest; started=$((started - 1)); }
  (
    tmp=$top/ns.$i
    mkdir "$tmp" || exit 1
    nsq=$(q "$name")
    collect_netns "$name" "$i" >"$top/ns.$i.out"
  ) </dev/null &
  running="$running$i:$! "
  started=$((started + 1))
done <"$tmp/netns"
while [ -n "$running" ]; do finish_oldest; done
