import { describe, expect, it } from 'vitest';
import { readJsonValues } from '@/lib/parse/json-values';
import { mergeIntoNamespace, emptyNamespace } from '@/lib/parse/merge';
import { parseRecord } from '@/lib/parse';
import { recordOf } from './fixture';

// `ip -j route show` prints one line; a pasted pretty print spreads the same values over lines.
const ONE_LINE = '[{"dst":"default","gateway":"10.0.0.1","dev":"eth0","flags":[]},{"dst":"10.0.0.0/24","dev":"eth0","flags":[]}]\n';
const PRETTY = '[\n  {"dst":"default","gateway":"10.0.0.1","dev":"eth0","flags":[]},\n  {"dst":"10.0.0.0/24","dev":"eth0","flags":[]}\n]\n';

describe('readJsonValues', () => {
  it('reads one-line output element by element, every value on line 1, as the elementwise reading would', () => {
    const { values, problems } = readJsonValues(ONE_LINE, 'ip -j route show');
    expect(problems).toEqual([]);
    expect(values).toEqual([
      { value: { dst: 'default', gateway: '10.0.0.1', dev: 'eth0', flags: [] }, line: 1 },
      { value: { dst: '10.0.0.0/24', dev: 'eth0', flags: [] }, line: 1 },
    ]);
    expect(readJsonValues('  {"a":1}  ', 'x').values).toEqual([{ value: { a: 1 }, line: 1 }]);
  });

  it('keeps the line of each element when the output spans lines or starts on a later line', () => {
    expect(readJsonValues(PRETTY, 'x').values.map((v) => v.line)).toEqual([2, 3]);
    expect(readJsonValues('\n{"a":1}', 'x').values).toEqual([{ value: { a: 1 }, line: 2 }]);
  });

  it('still reports what the one-line reading cannot take: a byte order mark, two documents, a scalar', () => {
    expect(readJsonValues('\uFEFF[{"a":1}]', 'x').problems).toHaveLength(1);
    expect(readJsonValues('[{"a":1}][{"a":2}]', 'x').values.map((v) => v.value)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(readJsonValues('42', 'x')).toMatchObject({ values: [], problems: [expect.objectContaining({ line: 1, message: 'not JSON: line skipped' })] });
  });
});

describe('the printed text of each value', () => {
  const textsOf = (output: string): string[] => {
    const { values, texts } = readJsonValues(output, 'x');
    return values.map((_, i) => texts.textOf(i));
  };

  it('is each element exactly as a one-line output printed it, strings with brackets and escapes included', () => {
    const output = '[{"a":"x]}\\"y","b":[1,{"c":2}]} , 7,"s,]" ,{"d":null}]\n';
    expect(textsOf(output)).toEqual(['{"a":"x]}\\"y","b":[1,{"c":2}]}', '7', '"s,]"', '{"d":null}']);
    expect(textsOf('  {"a":1}  ')).toEqual(['{"a":1}']);
  });

  it('is one compact line per element of a pretty-printed paste, and skips elements that could not be read', () => {
    expect(textsOf(PRETTY)).toEqual(['{"dst":"default","gateway":"10.0.0.1","dev":"eth0","flags":[]}', '{"dst":"10.0.0.0/24","dev":"eth0","flags":[]}']);
    expect(textsOf('[\n  {\n    "a": [1,\n      2]\n  }\n]')).toEqual(['{"a":[1,2]}']);
    expect(textsOf('[{"a":1},\n{"a":},\n{"a":3}]')).toEqual(['{"a":1}', '{"a":3}']);
    expect(textsOf('[{"a":1}][{"a":2}]')).toEqual(['{"a":1}', '{"a":2}']);
  });

  it('serialises as the plain { command, lines } that evidence and storage read', () => {
    const result = parseRecord(recordOf('ip-route', ['ip', '-j', 'route', 'show'], ONE_LINE));
    const [first, second] = result?.state.routes ?? [];
    expect(first.source?.lines).toEqual(['{"dst":"default","gateway":"10.0.0.1","dev":"eth0","flags":[]}']);
    expect(JSON.parse(JSON.stringify(second.source))).toEqual({ command: 'ip -j route show', lines: ['{"dst":"10.0.0.0/24","dev":"eth0","flags":[]}'] });
  });
});

describe('mergeIntoNamespace', () => {
  it('keeps a tc filter listed by both hooks of a legacy ingress qdisc once, in first-seen order', () => {
    const filters =
      '[{"parent":"ffff:","protocol":"all","pref":49152,"kind":"u32","chain":0,"options":{"fh":"800::800","actions":[{"order":1,"kind":"mirred","mirred_action":"redirect","direction":"egress","to_dev":"vxlan1"}]}}]';
    const ns = emptyNamespace('pod');
    for (const hook of ['ingress', 'egress', 'ingress']) {
      const result = parseRecord(recordOf('tc-filter', ['tc', '-j', 'filter', 'show', 'dev', 'eth0', hook], filters, { dev: 'eth0', hook }));
      mergeIntoNamespace(ns, result?.state ?? {});
    }
    expect(ns.tcFilters).toHaveLength(1);
    expect(ns.tcFilters[0]).toMatchObject({ dev: 'eth0', hook: 'ingress', source: { command: 'tc -j filter show dev eth0 ingress' } });
  });
});
