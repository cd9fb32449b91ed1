import { describe, expect, it } from 'vitest';
import { finding } from '@/lib/diagnose/finding';
import { sh } from '@/lib/diagnose/fix';

const facts = { title: 't', explanation: 'e', evidence: [{ host: 'h', netns: null, command: 'ip -j link', lines: ['{}'] }], elements: ['host:h'] };

describe('finding()', () => {
  it('writes the fields in the order stored snapshots and exports print them, whatever order the rule gives', () => {
    const f = finding('some-rule', 'warning', { causedAt: ['host:h'], fix: [sh`ip link set dev eth0 up`], elements: ['host:h'], evidence: [], explanation: 'e', title: 't' });
    expect(Object.keys(f)).toEqual(['rule', 'severity', 'title', 'explanation', 'evidence', 'elements', 'fix', 'causedAt']);
  });

  it('leaves out a fix or a cause the rule did not give, so the JSON has no empty keys', () => {
    const f = finding('some-rule', 'info', { ...facts, fix: undefined, causedAt: undefined });
    expect(Object.keys(f)).toEqual(['rule', 'severity', 'title', 'explanation', 'evidence', 'elements']);
    expect(JSON.stringify(f)).toBe(
      '{"rule":"some-rule","severity":"info","title":"t","explanation":"e","evidence":[{"host":"h","netns":null,"command":"ip -j link","lines":["{}"]}],"elements":["host:h"]}',
    );
  });
});
