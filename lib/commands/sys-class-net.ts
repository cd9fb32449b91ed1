import type { CommandDeclaration } from './declaration';
import { parseSysClassNet } from '@/lib/parse/sys-class-net';

/**
 * One line per device of /sys/class/net: its name, then `file=value` for the attributes it has, the DEVTYPE of its
 * uevent, its master (the name the `master` link resolves to) and its bridge port state. Only shell built-ins read
 * the files, so a shell alone is enough; nothing outside /sys/class/net is read. A device's name holds no blank
 * (the kernel refuses whitespace, `/` and `:` in one), so the words split back unchanged.
 */
const PROGRAM = [
  'cd /sys/class/net || exit 1',
  'for d in *; do [ -r "$d/ifindex" ] || continue; l=$d',
  'for f in ifindex iflink address mtu operstate flags type carrier tun_flags; do v=; [ -r "$d/$f" ] && read -r v <"$d/$f" 2>/dev/null; [ -n "$v" ] && l="$l $f=$v"; done',
  'while read -r u; do case $u in DEVTYPE=*) l="$l devtype=${u#DEVTYPE=}" ;; esac; done <"$d/uevent"',
  'v=; [ -r "$d/brport/state" ] && read -r v <"$d/brport/state" && l="$l brport_state=$v"',
  '[ -d "$d/master" ] && m=$(cd "$d/master" && pwd -P) && l="$l master=${m##*/}"',
  'printf "%s\\n" "$l"; done',
].join('; ');

export const sysClassNet = {
  id: 'sys-class-net',
  tool: 'sh',
  format: 'text',
  scope: 'netns',
  argv: ['sh', '-c', PROGRAM],
  optional: true,
  collect: true,
  summary: 'devices from /sys/class/net, where ip is missing',
  parse: parseSysClassNet,
  fills: ['interfaces'],
  lineRecords: true,
  fallbackFor: { id: 'ip-link', whole: true },
} as const satisfies CommandDeclaration;
