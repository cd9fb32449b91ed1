import { afterEach, describe, expect, it } from 'vitest';
import { main } from '@/cli/main';

async function run(...argv: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const code = await main(argv, { out: () => undefined, err: (t) => err.push(t) });
  return { code, err: err.join('\n') };
}

describe('tunnelscope serve and access control', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of ['TUNNELSCOPE_AUTH', 'TUNNELSCOPE_HOST', 'TUNNELSCOPE_TOKENS']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('refuses to serve without sign-in on an address other than loopback, before starting anything', async () => {
    delete process.env.TUNNELSCOPE_AUTH;
    const { code, err } = await run('serve', '--port', '1', '--host', '0.0.0.0');
    expect(code).not.toBe(0);
    expect(err).toMatch(/TUNNELSCOPE_AUTH=none .* only runs on loopback; the server listens on 0\.0\.0\.0/);
  });

  it('refuses a token mode whose tokens are not digests, without printing the value', async () => {
    process.env.TUNNELSCOPE_AUTH = 'token';
    process.env.TUNNELSCOPE_TOKENS = 'alice:sre:my-plain-secret';
    const { code, err } = await run('serve', '--port', '1', '--host', '0.0.0.0');
    expect(code).not.toBe(0);
    expect(err).toMatch(/user:groups:sha256/);
    expect(err).not.toContain('my-plain-secret');
  });
});
