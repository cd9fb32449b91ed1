import { NextRequest } from 'next/server';
import { afterEach, describe, expect, it } from 'vitest';
import { embedAncestors, framingHeaders } from '@/lib/auth/framing';
import { proxy } from '@/proxy';

describe('framing policy', () => {
  afterEach(() => {
    delete process.env.TUNNELSCOPE_EMBED_ORIGINS;
  });

  it('lets only the configured origins frame an embed', () => {
    expect(framingHeaders('/embed/abc', 'https://wiki.example.com https://grafana.example.com:3000')).toEqual({
      'Content-Security-Policy': 'frame-ancestors https://wiki.example.com https://grafana.example.com:3000',
    });
  });

  it("defaults embeds to 'self' when no origins are configured", () => {
    expect(framingHeaders('/embed/abc', undefined)['Content-Security-Policy']).toBe("frame-ancestors 'self'");
  });

  it('drops tokens that could inject other CSP directives', () => {
    expect(embedAncestors("https://ok.example; script-src * 'unsafe-inline' https://good.example")).toBe('https://good.example');
    expect(embedAncestors('; default-src *')).toBe("'self'");
  });

  it('refuses framing of every other page with CSP and X-Frame-Options', () => {
    for (const path of ['/', '/s/abc', '/embedded', '/api/snapshots']) {
      expect(framingHeaders(path, 'https://wiki.example.com')).toEqual({
        'Content-Security-Policy': "frame-ancestors 'none'",
        'X-Frame-Options': 'DENY',
      });
    }
  });

  it('sets the headers on responses passing through the proxy', () => {
    process.env.TUNNELSCOPE_EMBED_ORIGINS = 'https://wiki.example.com';
    const embed = proxy(new NextRequest('http://localhost/embed/abc?focus=x'));
    expect(embed.headers.get('content-security-policy')).toContain('; frame-ancestors https://wiki.example.com');
    expect(embed.headers.get('x-frame-options')).toBeNull();
    const page = proxy(new NextRequest('http://localhost/s/abc'));
    expect(page.headers.get('content-security-policy')).toContain("; frame-ancestors 'none'");
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{20,}' 'strict-dynamic';/);
    expect(page.headers.get('content-security-policy')).not.toMatch(/script-src[^;]*unsafe-inline/);
    const api = proxy(new NextRequest('http://localhost/api/snapshots'));
    expect(api.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
  });
});
