/**
 * No module of lib/ reaches itself through its imports, type-only imports included: a cycle ties two layers (or
 * two ideas of one layer) so that neither can be read, tested or moved alone. ESLint checks the direction of each
 * import (eslint.config.mjs); this walks the whole graph, whatever the spelling of the import.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SOURCE = /\.(ts|tsx|mjs)$/;

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourcesUnder(full);
    return SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** The file an import names, or undefined for packages and files outside the repository's sources. */
function resolve(from: string, specifier: string): string | undefined {
  const base = specifier.startsWith('@/') ? path.join(ROOT, specifier.slice(2)) : specifier.startsWith('.') ? path.resolve(path.dirname(from), specifier) : undefined;
  if (base === undefined) return undefined;
  const candidates = [base, `${base}.ts`, `${base}.tsx`, `${base}.mjs`, path.join(base, 'index.ts')];
  return candidates.find((file) => SOURCE.test(file) && existsSync(file));
}

function importGraph(files: string[]): Map<string, string[]> {
  return new Map(
    files.map((file) => {
      const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
      const targets = importedFiles.map((ref) => resolve(file, ref.fileName)).filter((target): target is string => target !== undefined);
      return [file, [...new Set(targets)]];
    }),
  );
}

/** Strongly connected components of more than one module, or of one that imports itself (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || graph.get(node)?.includes(node)) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

const relative = (file: string) => path.relative(ROOT, file);

describe('the import graph of lib/', () => {
  it('has no cycle', () => {
    const found = cycles(importGraph(sourcesUnder(path.join(ROOT, 'lib')))).map((component) => component.map(relative));
    expect(found).toEqual([]);
  });

  it('finds the cycle that the snapshot model once made between the graph layer and the store', () => {
    const subview = path.join(ROOT, 'lib/graph/subview.ts');
    const types = path.join(ROOT, 'lib/store/types.ts');
    const utility = path.join(ROOT, 'lib/graph/faults.ts');
    const graph = new Map([
      [subview, [types]],
      [types, [subview]],
      [utility, [subview]],
    ]);
    expect(cycles(graph).map((component) => component.map(relative))).toEqual([['lib/graph/subview.ts', 'lib/store/types.ts']]);
  });
});
