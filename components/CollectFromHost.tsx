'use client';

import { useSyncExternalStore } from 'react';
import { CopyButton } from './CopyButton';

/** Served from public/: a POSIX sh collector that needs only iproute2 on the host. */
export const COLLECTOR_PATH = '/tunnelscope-collect.sh';

const noChanges = () => () => {};

/** The address this page was opened at: the one a host (or the CLI) reaches this server by. */
function useOrigin(): string {
  return useSyncExternalStore(
    noChanges,
    () => window.location.origin,
    () => 'http://THIS-SERVER',
  );
}

function Commands({ lines, caption, testId }: { lines: string[]; caption: string; testId: string }) {
  const text = lines.join('\n');
  return (
    <figure>
      <div className="mb-1 flex items-center justify-between gap-2">
        <figcaption className="text-xs font-semibold uppercase text-slate-500">{caption}</figcaption>
        <CopyButton text={text} label={lines.length > 1 ? 'Copy commands' : 'Copy command'} />
      </div>
      <pre className="mono whitespace-pre-wrap break-all rounded bg-slate-900 p-2 text-slate-100" data-testid={testId}>
        {text}
      </pre>
    </figure>
  );
}

/** How to capture a node or pod VM that has no Tunnelscope on it, and the CLI way for hosts that do. */
export function CollectFromHost() {
  const origin = useOrigin();
  return (
    <div className="space-y-3 text-sm">
      <p>
        Tunnelscope need not be installed on the host. On a Kubernetes node or a peer-pod VM, as root,{' '}
        <a className="font-medium text-sky-700 underline dark:text-sky-400" href={COLLECTOR_PATH} download data-testid="collector-download">
          download tunnelscope-collect.sh
        </a>{' '}
        (or fetch it from this server) and run it. It needs only iproute2 and only reads.
      </p>
      <Commands caption="On the node or pod VM" lines={[`curl -fsSLO ${origin}${COLLECTOR_PATH}`, 'sh tunnelscope-collect.sh > node1.txt']} testId="collector-commands" />
      <p>
        Then upload <span className="mono">node1.txt</span> under New snapshot. For several hosts, join their outputs into one file (
        <span className="mono">cat node1.txt podvm1.txt &gt; incident.txt</span>) and upload that: each output names its host.
      </p>
      <Commands caption="Or, with the tunnelscope CLI on the host" lines={[`tunnelscope snapshot --source local --server ${origin}`]} testId="cli-command" />
    </div>
  );
}
