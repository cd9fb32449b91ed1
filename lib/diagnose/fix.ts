/** Fix commands are printed for a person to run; Tunnelscope never runs them. */

/** Prefix a command with `ip netns exec NS ` when the device lives in a named namespace. */
export function inNetns(netns: string | null, command: string): string {
  return netns === null ? command : `ip netns exec ${netns} ${command}`;
}

/** Where a device is, for explanations: "eth0 in netns podns on host vm-1". */
export function where(host: string, netns: string | null, device?: string): string {
  const ns = netns === null ? 'the root namespace' : `netns ${netns}`;
  return device === undefined ? `${ns} on host ${host}` : `${device} in ${ns} on host ${host}`;
}
