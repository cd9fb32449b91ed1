/**
 * The layer table of eslint.config.mjs, run by ESLint itself on small sources placed in each folder: an import
 * against the flow of DESIGN.md is an error, and the imports the flow allows are not.
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
let eslint: ESLint;

/** The messages of no-restricted-imports for `source` as if it were the file at `file`. */
async function flowErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${source}\nexport const used = 1;\n`, { filePath: path.join(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
});

describe('the layer rule', () => {
  it('stops a component from opening the store, even for a type', async () => {
    expect(await flowErrors('components/Example.tsx', "import { getStore } from '@/lib/store';")).toHaveLength(1);
    expect(await flowErrors('components/Example.tsx', "import type { SnapshotStore } from '@/lib/store/types';")).toHaveLength(1);
  });

  it('stops a component from running a parser or a capture reader, and lets it read their types', async () => {
    expect(await flowErrors('components/Example.tsx', "import { parseHost } from '@/lib/parse';")).toHaveLength(1);
    expect(await flowErrors('components/Example.tsx', "import { parseBundle } from '@/lib/capture/bundle';")).toHaveLength(1);
    expect(await flowErrors('components/Example.tsx', "import type { Interface } from '@/lib/parse/types';")).toEqual([]);
    expect(await flowErrors('components/Example.tsx', "import type { SnapshotMeta } from '@/lib/snapshot/types';")).toEqual([]);
  });

  it('stops a lower layer from importing a higher one', async () => {
    expect(await flowErrors('lib/graph/example.ts', "import { searchTopology } from '@/lib/view/search';")).toHaveLength(1);
    expect(await flowErrors('lib/topology/example.ts', "import { diagnose } from '@/lib/diagnose';")).toHaveLength(1);
    expect(await flowErrors('lib/snapshot/example.ts', "import { getStore } from '@/lib/store';")).toHaveLength(1);
    expect(await flowErrors('lib/diagnose/rules/example.ts', "import { buildDeviceElements } from '@/lib/graph/elements';")).toHaveLength(1);
  });

  it('lets a layer import the layers below it', async () => {
    expect(await flowErrors('lib/view/example.ts', "import { deviceClass } from '@/lib/graph/device-class';")).toEqual([]);
    expect(await flowErrors('lib/diff/example.ts', "import { buildDeviceElements } from '@/lib/graph/elements';")).toEqual([]);
    expect(await flowErrors('lib/diagnose/rules/example.ts', "import type { Finding } from '../types';")).toEqual([]);
  });

  it('keeps the store to persisting: the snapshot model at run time, the computing layers as types only', async () => {
    expect(await flowErrors('lib/store/example.ts', "import { overviewOf } from '@/lib/snapshot/subview';")).toEqual([]);
    expect(await flowErrors('lib/store/example.ts', "import type { Topology } from '@/lib/topology/types';")).toEqual([]);
    expect(await flowErrors('lib/store/example.ts', "import { buildTopology } from '@/lib/topology/build';")).toHaveLength(1);
    expect(await flowErrors('lib/store/example.ts', "import { buildDeviceElements } from '@/lib/graph/elements';")).toHaveLength(1);
  });

  it('keeps deriving and re-diagnosing a snapshot out of the store, even as a type', async () => {
    expect(await flowErrors('lib/store/example.ts', "import { deriveSnapshot } from '@/lib/snapshot/derive';")).toHaveLength(1);
    expect(await flowErrors('lib/store/example.ts', "import type { AnalyzeBundle } from '@/lib/snapshot/derive';")).toHaveLength(1);
    expect(await flowErrors('lib/store/example.ts', "import type { DerivedSnapshot } from '@/lib/snapshot/subview';")).toEqual([]);
    expect(await flowErrors('lib/serve/example.ts', "import { deriveSnapshot } from '@/lib/snapshot/derive';")).toEqual([]);
  });

  it('keeps app/, components/, React and Next.js out of lib/', async () => {
    expect(await flowErrors('lib/analysis-job.ts', "import { ApiError } from '@/app/api/_http/errors';")).toHaveLength(1);
    expect(await flowErrors('lib/graph/example.ts', "import { Legend } from '@/components/Legend';")).toHaveLength(1);
    expect(await flowErrors('lib/view/example.ts', "import { useState } from 'react';")).toHaveLength(1);
    expect(await flowErrors('lib/serve/example.ts', "import { NextResponse } from 'next/server';")).toHaveLength(1);
  });

  it('sees a relative import that leaves its layer', async () => {
    expect(await flowErrors('lib/graph/example.ts', "import { searchTopology } from '../view/search';")).not.toEqual([]);
    expect(await flowErrors('lib/diagnose/rules/example.ts', "import type { Topology } from '../../topology/types';")).not.toEqual([]);
  });
});
