'use client';

import type { PodVmSshChoice } from './queries';
import { TextField } from './TextField';

/** What the form holds while it is filled in; `choice` turns it into what the server is sent. */
export interface PodVmSshDraft {
  enabled: boolean;
  keySecret: string;
  user: string;
  knownHostsFrom: 'key-secret' | 'configmap';
  configMap: string;
  skipHostKeyCheck: boolean;
}

const EMPTY_SSH_DRAFT: PodVmSshDraft = { enabled: false, keySecret: '', user: '', knownHostsFrom: 'key-secret', configMap: '', skipHostKeyCheck: false };

/** The form as `choice` fills it (a live view's link), or empty: the inverse of `sshChoice`. */
export function sshDraft(choice?: PodVmSshChoice): PodVmSshDraft {
  if (!choice) return EMPTY_SSH_DRAFT;
  return {
    enabled: true,
    keySecret: choice.keySecret,
    user: choice.user ?? '',
    knownHostsFrom: choice.knownHostsConfigMap === undefined ? 'key-secret' : 'configmap',
    configMap: choice.knownHostsConfigMap ?? '',
    skipHostKeyCheck: choice.skipHostKeyCheck === true,
  };
}

/**
 * The fields still empty that SSH needs; names are checked by the server, whose answer the form shows.
 */
export function sshProblems(draft: PodVmSshDraft): Partial<Record<'keySecret' | 'configMap', string>> {
  if (!draft.enabled) return {};
  return {
    ...(draft.keySecret.trim() ? {} : { keySecret: 'Name the Secret that holds the key, as namespace/name.' }),
    ...(!draft.skipHostKeyCheck && draft.knownHostsFrom === 'configmap' && !draft.configMap.trim() ? { configMap: 'Name the ConfigMap, as namespace/name.' } : {}),
  };
}

/** The SSH choice a draft sends; none when SSH is not asked for, so the server's own settings apply. */
export function sshChoice(draft: PodVmSshDraft): PodVmSshChoice | undefined {
  if (!draft.enabled) return undefined;
  const user = draft.user.trim();
  return {
    keySecret: draft.keySecret.trim(),
    ...(user ? { user } : {}),
    ...(draft.skipHostKeyCheck ? { skipHostKeyCheck: true } : draft.knownHostsFrom === 'configmap' ? { knownHostsConfigMap: draft.configMap.trim() } : {}),
  };
}

/** An object in the cluster, named `namespace/name`; the server checks the name. */
function ObjectField(props: { testId: string; label: string; value: string; missing?: string; onChange: (value: string) => void }) {
  return <TextField {...props} placeholder="namespace/name" hint={props.missing} required />;
}

/**
 * SSH to pod VMs from the cluster panel. The form names objects in the cluster (the key's Secret, a known_hosts
 * ConfigMap), never a key or a file: the server reads them with the cluster's RBAC. Skipping host key checks is a
 * separate box with its warning in view.
 */
export function PodVmSshFields(props: { draft: PodVmSshDraft; onChange: (draft: PodVmSshDraft) => void }) {
  const { draft } = props;
  const set = (patch: Partial<PodVmSshDraft>) => props.onChange({ ...draft, ...patch });
  const problems = sshProblems(draft);
  return (
    <fieldset className="space-y-2 border-l-2 border-slate-200 pl-3 dark:border-slate-700">
      <legend className="sr-only">SSH to pod VMs</legend>
      <label className="inline-flex items-center gap-1">
        <input type="checkbox" data-testid="cluster-ssh" checked={draft.enabled} onChange={(event) => set({ enabled: event.target.checked })} aria-describedby="cluster-ssh-help" />
        SSH into each pod VM (its root namespace and podns)
      </label>
      <p id="cluster-ssh-help" className="text-xs text-slate-500">
        {draft.enabled
          ? 'With a key from a Secret; exec into the peer pod is tried when SSH fails.'
          : "Unticked: the server's own SSH settings if it has any, else exec into each peer pod (podns only)."}
      </p>
      {draft.enabled && (
        <>
          <div className="grid gap-2 sm:grid-cols-2">
            <ObjectField testId="cluster-ssh-key-secret" label="Key Secret (ssh-privatekey)" value={draft.keySecret} missing={problems.keySecret} onChange={(keySecret) => set({ keySecret })} />
            <TextField testId="cluster-ssh-user" label="SSH user" placeholder="root" value={draft.user} onChange={(user) => set({ user })} />
          </div>
          <fieldset disabled={draft.skipHostKeyCheck}>
            <legend className="mb-1 font-medium">Host keys are checked against known_hosts from</legend>
            <div className="flex flex-wrap gap-3">
              <label className="inline-flex items-center gap-1">
                <input type="radio" name="cluster-known-hosts" value="key-secret" checked={draft.knownHostsFrom === 'key-secret'} onChange={() => set({ knownHostsFrom: 'key-secret' })} />
                the key Secret (its known_hosts key)
              </label>
              <label className="inline-flex items-center gap-1">
                <input type="radio" name="cluster-known-hosts" value="configmap" checked={draft.knownHostsFrom === 'configmap'} onChange={() => set({ knownHostsFrom: 'configmap' })} />a ConfigMap (its
                known_hosts key)
              </label>
            </div>
            {draft.knownHostsFrom === 'configmap' && (
              <div className="mt-2 sm:w-1/2">
                <ObjectField
                  testId="cluster-ssh-known-hosts-configmap"
                  label="known_hosts ConfigMap"
                  value={draft.configMap}
                  missing={problems.configMap}
                  onChange={(configMap) => set({ configMap })}
                />
              </div>
            )}
          </fieldset>
          <label className="inline-flex items-center gap-1">
            <input
              type="checkbox"
              data-testid="cluster-ssh-no-host-key-check"
              checked={draft.skipHostKeyCheck}
              onChange={(event) => set({ skipHostKeyCheck: event.target.checked })}
              aria-describedby="cluster-ssh-no-check-warning"
            />
            Do not check host keys
          </label>
          <p id="cluster-ssh-no-check-warning" className={`text-xs ${draft.skipHostKeyCheck ? 'text-sev-critical' : 'text-slate-500'}`} role={draft.skipHostKeyCheck ? 'alert' : undefined}>
            {draft.skipHostKeyCheck
              ? 'Warning: host keys will NOT be checked. Anything that answers at a VM’s address gets the SSH session and the collector’s output is trusted as the VM’s. Every VM reached so is marked in the snapshot.'
              : 'Only for a first look at VMs whose keys you cannot get: whoever answers at a VM’s address would be trusted.'}
          </p>
        </>
      )}
    </fieldset>
  );
}
