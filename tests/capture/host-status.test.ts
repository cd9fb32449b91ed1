/**
 * A pod VM image with busybox's ip has no `ip netns`: its `ip netns list` and `ip netns list-id` fail with the
 * applet's usage (stderr below as busybox 1.35 prints it). That is a command the host does not have, not a failure.
 */
import { describe, expect, it } from 'vitest';
import { defaultHostStatus } from '@/lib/capture/collect/host-status';
import type { CommandRecord, NamespaceCapture } from '@/lib/capture/types';

const BUSYBOX_USAGE = 'BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.\n\nUsage: ip [OPTIONS] address|route|link|tunnel|neigh|rule [ARGS]\n';

function record(id: CommandRecord['id'], argv: string[], status: CommandRecord['status'], stderr = ''): CommandRecord {
  return { id, argv, stdout: status === 'ok' ? '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536\n' : '', stderr, exitCode: status === 'ok' ? 0 : 1, durationMs: 1, status, format: 'text' };
}

function root(...failed: CommandRecord[]): NamespaceCapture[] {
  return [{ netns: null, commands: [record('ip-link', ['ip', 'link', 'show'], 'ok'), ...failed] }];
}

describe('the status of a host whose ip lacks a command', () => {
  it('stays complete when busybox ip has no netns applet', () => {
    const namespaces = root(record('netns-list', ['ip', 'netns', 'list'], 'error', BUSYBOX_USAGE), record('netns-list-id', ['ip', 'netns', 'list-id'], 'error', BUSYBOX_USAGE));
    expect(defaultHostStatus(namespaces).status).toBe('complete');
  });

  it('stays complete when iproute2 does not know the object', () => {
    const namespaces = root(record('netns-list-id', ['ip', '-j', 'netns', 'list-id'], 'error', 'Object "netns" is unknown, try "ip help".\n'));
    expect(defaultHostStatus(namespaces).status).toBe('complete');
  });

  it('is partial when the same command fails for another reason', () => {
    const namespaces = root(record('netns-list', ['ip', '-j', 'netns', 'list'], 'error', 'Error: Peer netns reference is invalid.\n'));
    expect(defaultHostStatus(namespaces).status).toBe('partial');
  });
});
