import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashedPagePolicy, pageSecurityPolicy } from '@/lib/auth/framing';
import { hashedPage } from '@/lib/serve/script-hashes';

const N = Buffer.from('0f8c2a51-0f0e-4a43-9c7e-6f1d2b9a7c11').toString('base64');
const hashOf = (text: string) => `'sha256-${createHash('sha256').update(Buffer.from(text, 'utf8')).digest('base64')}'`;
const page = (html: string) => Buffer.from(html, 'utf8');

describe('a kept page by the hashes of its scripts', () => {
  it('hashes every inline script that carries the nonce, as sent, and takes the nonce out of the body', () => {
    const flight = `self.__next_f.push([1,"{\\"nonce\\":\\"${N}\\",\\"name\\":\\"é \\u003cscript\\u003e\\"}"])`;
    const html =
      `<!DOCTYPE html><html><head><SCRIPT nonce="${N}">theme()</SCRIPT><script src="/_next/static/a.js" async="" nonce="${N}"></script></head>` +
      `<body data-x='a>b'><!-- <script>comment()</script> --><!--$--><p>é</p><script id="s" nonce='${N}' data-title="x > y">${flight}</script>` +
      `<script nonce="${N}">theme()</script><script nonce="${N}"></script ></body></html>`;
    const hashed = hashedPage(page(html), N);
    expect(hashed).toBeDefined();
    const sent = hashed!.body.toString('utf8');
    expect(sent).not.toContain(N);
    expect(sent).not.toMatch(/ nonce="/);
    const sentFlight = flight.replace(N, '');
    expect(sent).toContain(`>${sentFlight}</script>`);
    expect(sent).toContain('<!-- <script>comment()</script> -->');
    expect(hashed!.hashes).toEqual([hashOf('theme()'), hashOf(sentFlight), hashOf('')]);
  });

  it('keeps the nonce for a page whose scripts it cannot read as the browser does', () => {
    const unread = [
      `<script>injected()</script><script nonce="${N}">ok()</script>`,
      `<script nonce="other">x()</script>`,
      `<script nonce="${N}" src="/a.js">ignored()</script>`,
      `<script nonce="${N}">a = "<!--"; b = "<script>";</script>`,
      `<script nonce="${N}">line()\r\n</script>`,
      `<script nonce="${N}">a()\u0000</script>`,
      `<script nonce="${N}">never(closed)`,
      `<script nonce="${N}"`,
      `<!-- <script nonce="${N}">x()</script>`,
    ];
    for (const html of unread) expect(hashedPage(page(html), N), html).toBeUndefined();
    expect(hashedPage(Buffer.concat([page(`<script nonce="${N}">a()</script>`), Buffer.from([0xff])]), N)).toBeUndefined();
  });

  it('swaps the nonce and strict-dynamic of a page policy for the hashes, and nothing else', () => {
    const policy = pageSecurityPolicy('/embed/x', 'https://runbooks.example', N);
    const hashed = hashedPagePolicy(policy, N, [hashOf('a()'), hashOf('b()')]);
    expect(hashed).toBe(policy.replace(`'nonce-${N}' 'strict-dynamic'`, `${hashOf('a()')} ${hashOf('b()')}`));
    expect(hashed).toContain('frame-ancestors https://runbooks.example');
    expect(hashedPagePolicy(pageSecurityPolicy('/s/x', undefined, N), N, [])).toMatch(/script-src 'self'; /);
    expect(hashedPagePolicy(policy, 'another', [])).toBeUndefined();
    expect(hashedPagePolicy(`script-src 'nonce-${N}'`, N, [])).toBeUndefined();
  });
});
