import { describe, expect, it } from 'vitest';
import { diagnose, RULES, UNCOVERED_FAULTS } from '@/lib/diagnose';
import { topo } from './builders';
import { HEALTHY, peerPodMacMismatch } from './fixtures';

describe('healthy topologies', () => {
  for (const [name, make] of Object.entries(HEALTHY)) {
    it(`reports no warning or critical finding on the healthy ${name} shape across all rules`, () => {
      const serious = diagnose(topo(make())).findings.filter((f) => f.severity !== 'info');
      expect(serious.map((f) => `${f.rule}: ${f.title}`)).toEqual([]);
    });
  }
});

describe('diagnose', () => {
  it('reports exactly the MAC mismatch for the peer-pod incident, critical first', () => {
    const { findings, rulesVersion } = diagnose(topo(peerPodMacMismatch()));
    expect(rulesVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(findings.filter((f) => f.severity !== 'info').map((f) => f.rule)).toEqual(['peerpod-podvm-mac-mismatch']);
  });

  it('gives every rule a unique id and every uncovered fault a reason', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const fault of UNCOVERED_FAULTS) {
      expect(ids).not.toContain(fault.id);
      expect(fault.needs.length).toBeGreaterThan(10);
    }
  });
});
