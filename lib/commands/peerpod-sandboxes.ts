import type { CommandDeclaration } from './declaration';
import { parsePeerpodSandboxes } from '@/lib/parse/peerpod-sandboxes';

/** One line per sandbox: its id (the directory name) and the `pod-network` member of its apf.json, nothing else. */
const SANDBOX_FILTER = '{sandbox: (input_filename | split("/") | .[-2]), "pod-network": .["pod-network"]}';

/**
 * The adaptor's per-sandbox record on a worker also holds the pod VM's TLS private key: jq prints only the
 * `pod-network` member (pod IP, worker IP, VXLAN id and port, MTU, routes), so the key never leaves the node.
 */
export const peerpodSandboxes = {
  id: 'peerpod-sandboxes',
  tool: 'find',
  format: 'json',
  scope: 'host',
  argv: ['find', '/run/peerpod/pods', '-mindepth', '2', '-maxdepth', '2', '-name', 'apf.json', '-exec', 'jq', '-c', SANDBOX_FILTER, '{}', '+'],
  optional: true,
  collect: true,
  summary: "peer-pod tunnels as the worker's cloud-api-adaptor set them up (pod-network only)",
  parse: parsePeerpodSandboxes,
  fills: ['peerpodSandboxes'],
  secrets: true,
} as const satisfies CommandDeclaration;
