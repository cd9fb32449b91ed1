import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { clientOf, clientOfRequest } from '@/lib/serve/rate-limit';

describe('clientOf', () => {
  it('takes the first X-Forwarded-For address', () => {
    expect(clientOf(new Headers({ 'x-forwarded-for': '10.0.0.7, 127.0.0.1' }))).toBe('10.0.0.7');
    expect(clientOf(new Headers())).toBe('unknown');
  });
});

describe('clientOfRequest', () => {
  const request = (headers: Record<string, string>, remoteAddress?: string) => ({ headers, socket: { remoteAddress } }) as unknown as IncomingMessage;

  it('names the client as Next.js will: the first X-Forwarded-For address, else the socket peer', () => {
    expect(clientOfRequest(request({ 'x-forwarded-for': '10.0.0.7, 127.0.0.1' }, '127.0.0.1'))).toBe('10.0.0.7');
    expect(clientOfRequest(request({}, '192.0.2.9'))).toBe('192.0.2.9');
    expect(clientOfRequest(request({ 'x-forwarded-for': ' ' }, '192.0.2.9'))).toBe('192.0.2.9');
  });
});
