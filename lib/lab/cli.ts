import { labBreak, labDown, labHeal, labList, labStatus, labUp } from './lab';
import type { LabStatus } from './types';

const USAGE = 'usage: tunnelscope lab up [--scenario NAME] | down | status [--json] | list | break FAULT | heal FAULT';

function printStatus(s: LabStatus, out: (line: string) => void): void {
  out(`scenario: ${s.scenario}   state: ${s.stateDir}`);
  out(`broken faults: ${s.faults.length ? s.faults.join(', ') : 'none'}`);
  for (const h of s.hosts) {
    out(`${h.name}  (${h.role}, cni ${h.cni}, netns ${h.netns})`);
    out(`  namespaces: ${h.namespaces.join(', ') || '-'}`);
    out(`  run on it:  ${h.enter.join(' ')} <command>`);
    if (h.ovs) out(`  ovs db: ${h.ovs.dbSocket}${h.ovs.ovnNbSocket ? `   ovn nb: ${h.ovs.ovnNbSocket}` : ''}`);
  }
  for (const p of s.probes) out(`ping ${p.from} -> ${p.to}: ${p.ok ? 'reply' : 'NO REPLY'}`);
}

function scenarioArg(args: string[]): string | undefined {
  const i = args.findIndex((a) => a === '--scenario' || a.startsWith('--scenario='));
  if (i < 0) return undefined;
  const value = args[i].includes('=') ? args[i].split('=')[1] : args[i + 1];
  if (!value) throw new Error('--scenario needs a name (see `tunnelscope lab list`)');
  return value;
}

async function dispatch(args: string[], out: (line: string) => void): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case 'up': {
      const status = await labUp({ scenario: scenarioArg(rest) });
      out(`lab up: scenario ${status.scenario}, ${status.hosts.length} hosts`);
      printStatus(status, out);
      return 0;
    }
    case 'down':
      await labDown();
      out('lab down: everything removed');
      return 0;
    case 'status': {
      const status = await labStatus({ probe: true });
      if (rest.includes('--json')) {
        out(JSON.stringify(status, null, 2));
        return status ? 0 : 1;
      }
      if (!status) {
        out('no lab is up (tunnelscope lab up)');
        return 1;
      }
      printStatus(status, out);
      return 0;
    }
    case 'list': {
      const list = labList();
      out('scenarios:');
      for (const s of list.scenarios) out(`  ${s.name.padEnd(22)} ${s.description}`);
      out('faults:');
      for (const f of list.faults) out(`  ${f.name.padEnd(22)} ${f.description}`);
      return 0;
    }
    case 'break':
    case 'heal': {
      const fault = rest[0];
      if (!fault) throw new Error(`lab ${command} needs a fault name (see \`tunnelscope lab list\`)`);
      await (command === 'break' ? labBreak(fault) : labHeal(fault));
      out(`${command === 'break' ? 'broke' : 'healed'} ${fault}`);
      return 0;
    }
    default:
      out(USAGE);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

/** `tunnelscope lab ...`: human output through out, the exit code as the result; errors are one line. */
export async function runLabCli(args: string[], out: (line: string) => void): Promise<number> {
  try {
    return await dispatch(args, out);
  } catch (e) {
    out(`lab: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    return 1;
  }
}
