import { promises as fs } from 'node:fs';
import { buildScenario } from './build';
import { FAULTS, findFault, type FaultContext } from './faults';
import { listHostNamespaces } from './host';
import { labPrerequisites } from './prerequisites';
import { runProbes } from './probe';
import { findScenario, FABRIC_NETNS, SCENARIOS } from './scenarios';
import { labDir, readState, withLock, writeState, type LabState } from './state';
import { rootLabNamespaces, teardown } from './teardown';
import type { LabHost, LabStatus, ScenarioSpec } from './types';

export function labList(): { scenarios: { name: string; description: string }[]; faults: { name: string; description: string }[] } {
  return {
    scenarios: SCENARIOS.map(({ name, description }) => ({ name, description })),
    faults: FAULTS.map(({ name, description }) => ({ name, description })),
  };
}

function scenarioOrThrow(name: string): ScenarioSpec {
  const s = findScenario(name);
  if (!s) throw new Error(`unknown scenario "${name}"; known: ${SCENARIOS.map((x) => x.name).join(', ')}`);
  return s;
}

export async function labUp(opts: { scenario?: string } = {}): Promise<LabStatus> {
  const scenario = scenarioOrThrow(opts.scenario ?? 'default');
  const pre = await labPrerequisites();
  if (!pre.ok) throw new Error(`the lab needs: ${pre.missing.join(', ')}. ${pre.hint}`);
  const dir = labDir();
  await withLock(async () => {
    await teardown(dir);
    const leftovers = await rootLabNamespaces();
    if (leftovers.length) throw new Error(`could not remove earlier lab namespaces: ${leftovers.join(', ')}`);
    try {
      await buildScenario(dir, scenario);
    } catch (e) {
      await teardown(dir);
      throw e;
    }
  }, dir);
  const status = await labStatus({ probe: false });
  if (!status) throw new Error('the lab came up but its state file is missing');
  return status;
}

export async function labDown(): Promise<void> {
  const dir = labDir();
  await withLock(() => teardown(dir), dir);
  await fs.rmdir(dir).catch(() => undefined);
}

async function refreshHosts(hosts: LabHost[]): Promise<LabHost[]> {
  return Promise.all(hosts.map(async (h) => ({ ...h, namespaces: await listHostNamespaces(h) })));
}

export async function labStatus(opts: { probe?: boolean } = {}): Promise<LabStatus | null> {
  const state = await readState();
  if (!state) return null;
  if (!(await rootLabNamespaces()).includes(FABRIC_NETNS)) return null;
  const hosts = await refreshHosts(state.hosts);
  const scenario = findScenario(state.scenario);
  const probes = opts.probe !== false && scenario ? await runProbes(scenario, hosts) : [];
  return { scenario: state.scenario, stateDir: state.stateDir, hosts, faults: [...state.faults], probes };
}

async function changeFault(fault: string, broken: boolean): Promise<void> {
  const f = findFault(fault);
  if (!f) throw new Error(`unknown fault "${fault}"; \`tunnelscope lab list\` shows the faults`);
  const dir = labDir();
  await withLock(async () => {
    const state = await readState(dir);
    if (!state) throw new Error('no lab is up; run `tunnelscope lab up` first');
    const scenario = scenarioOrThrow(state.scenario);
    if (f.requires === 'flannel' && scenario.flannel.length < 2) {
      throw new Error(`fault ${fault} needs the flannel nodes: run \`tunnelscope lab up --scenario full\``);
    }
    if (state.faults.includes(fault) === broken) return;
    const next: LabState = { ...state, faults: broken ? [...state.faults, fault] : state.faults.filter((x) => x !== fault) };
    await f.apply(contextFor(scenario, next), broken);
    await writeState(next);
  }, dir);
}

function contextFor(scenario: ScenarioSpec, state: LabState): FaultContext {
  return {
    scenario,
    state,
    host(name) {
      const h = state.hosts.find((x) => x.name === name);
      if (!h) throw new Error(`host ${name} is not part of the running lab`);
      return h;
    },
    broken: (name) => state.faults.includes(name),
  };
}

export const labBreak = (fault: string) => changeFault(fault, true);
export const labHeal = (fault: string) => changeFault(fault, false);
