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
  coveredBy: 'ip-netconf',
  collect: true,
  summary: 'ip_forward and rp_filter',
  parse: parseSysctl,
  fills: ['sysctls'],
  lineRecords: true,
  sysctlFiles: ['net/ipv4/conf/*/rp_filter', 'net/ipv4/ip_forward'],
} as const satisfies CommandDeclaration;

/**
 * sh functions for the group shell that runs inside a namespace, printing `sysctl -a`'s "key = value" lines for the
 * /proc/sys files its arguments name, each a path with at most one `*` component. `sysctl_select` puts the files in
 * $files in sysctl's order: the directories a `*` matches in byte order, as the kernel keeps them (a glob of the
 * whole path would put `eth0.7/x` before `eth0/x`). One `grep -H` reads them (a shell's `read` takes a /proc/sys
 * file one byte at a time, and the kernel answers only the first), run by the group shell as any command is, so the
 * watchdog sees it and no subshell or pipeline is started; `sysctl_format` then turns grep's "FILE:VALUE" lines (a
 * file of the group's directory) into keys spelled as sysctl spells them (a dot inside a name becomes `/`). The files
 * are those of the reading process's network namespace, so grep runs inside the namespace. Their variables start
 * with s, apart from $files, so that the group shell's own survive. Fixed text: globs come from declarations, never
 * from a host; device names go through no expansion.
 */
export const SYSCTL_FILES_READER = `sysctl_select() {
  files=
  for sg in "$@"; do
    case $sg in
      */\\*/*) for sd in /proc/sys/\${sg%%/\\**}/*; do sf=$sd/\${sg#*/\\*/}; [ -f "$sf" ] && files="$files $sf"; done ;;
      *) [ -f "/proc/sys/$sg" ] && files="$files /proc/sys/$sg" ;;
    esac
  done
}
sysctl_format() {
  while IFS= read -r sl; do
    sk=; sr=\${sl%%:*}; sr=\${sr#/proc/sys/}/
    while [ -n "$sr" ]; do
      sc=\${sr%%/*}; sr=\${sr#*/}
      while :; do case $sc in *.*) sc="\${sc%%.*}/\${sc#*.}" ;; *) break ;; esac; done
      sk="$sk\${sk:+.}$sc"
    done
    printf '%s = %s\\n' "$sk" "\${sl#*:}"
  done <"$1"
}`;
