import type { CommandDeclaration } from './declaration';
import { parseSysctl } from '@/lib/parse/sysctl';

const RP_FILTER_KEYS = '^net\\.ipv4\\.(ip_forward|conf\\..*\\.rp_filter)$';

export const sysctl = {
  id: 'sysctl',
  tool: 'sysctl',
  format: 'text',
  scope: 'netns',
  argv: ['sysctl', '-a', '-r', RP_FILTER_KEYS],
  optional: true,
  collect: true,
  summary: 'ip_forward and rp_filter',
  parse: parseSysctl,
  fills: ['sysctls'],
  lineRecords: true,
  sysctlFiles: ['net/ipv4/conf/*/rp_filter', 'net/ipv4/ip_forward'],
} as const satisfies CommandDeclaration;

/**
 * sh program printing `sysctl -a`'s "key = value" lines for the /proc/sys files its arguments name, each a path
 * with at most one `*` component, in sysctl's order: the directories a `*` matches in byte order, as the kernel
 * keeps them (a glob of the whole path would put `eth0.7/x` before `eth0/x`). Keys are spelled as sysctl spells
 * them (a dot inside a name becomes `/`). One grep reads the files: a shell's `read` takes a /proc/sys
 * file one byte at a time, and the kernel answers only the first. The files are those of the reading process's network
 * namespace, so it runs inside the namespace. It answers as a shell does when sysctl itself is missing, so a host
 * without sysctl reports the same status as when sysctl runs. Fixed text: globs come from declarations, never from
 * a host; device names go through no expansion.
 */
export const SYSCTL_FILES_READER = `LC_ALL=C; export LC_ALL
command -v sysctl >/dev/null 2>&1 || { echo 'sh: 1: sysctl: not found' >&2; exit 127; }
files=
for g in "$@"; do
  case $g in
    */\\*/*) for d in /proc/sys/\${g%%/\\**}/*; do f=$d/\${g#*/\\*/}; [ -f "$f" ] && files="$files $f"; done ;;
    *) [ -f "/proc/sys/$g" ] && files="$files /proc/sys/$g" ;;
  esac
done
[ -n "$files" ] || exit 0
set -f
grep -H '' $files | while IFS= read -r l; do
  k=; r=\${l%%:*}; r=\${r#/proc/sys/}/
  while [ -n "$r" ]; do
    c=\${r%%/*}; r=\${r#*/}
    while :; do case $c in *.*) c="\${c%%.*}/\${c#*.}" ;; *) break ;; esac; done
    k="$k\${k:+.}$c"
  done
  printf '%s = %s\\n' "$k" "\${l#*:}"
done`;
