/** `ip -j [-d -s -s] addr show` and `ip a`: the same device blocks as `ip link`, with `addr_info` / `inet` lines. */
import type { Parser } from './parser';
import { toInput } from './parser';
import { parseLinks } from './ip-link';

export const parseIpAddr: Parser = (record) => parseLinks(toInput(record));
