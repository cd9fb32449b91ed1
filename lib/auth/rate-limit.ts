/**
 * How much one key (a person, a client's address) may make the server do: a token bucket per key, refilled
 * continuously. Collections per person use it here; creations and reads per client in lib/serve, which may import
 * auth while auth may not import serve.
 *
 * Buckets are bounded in number: past `maxKeys` the one touched longest ago goes, one at a time. That bucket has had
 * the longest to refill, so dropping it forgets the least (a full bucket and no bucket admit the same), a key in use
 * keeps its state while idle ones remain, and whoever floods new keys to reset someone's spent bucket must send
 * `maxKeys` of them after that key's last request, never fewer because others' keys happened to fill the table.
 */
export type Admission = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

export interface LimiterOptions {
  /** Buckets kept at most (default 10,000, a few hundred bytes each). */
  maxKeys?: number;
  now?: () => number;
  /**
   * How many keys' budgets a server-wide bucket holds, taken from with every key's (default 0: none). It holds a
   * client that picks a new key each time (a forged X-Forwarded-For) to a few clients' worth, at the price of
   * everyone sharing that ceiling.
   */
  shared?: number;
}

export class RateLimiter {
  /** In order of last use, oldest first: a Map keeps insertion order, and each take re-inserts its key. */
  private readonly buckets = new Map<string, Bucket>();
  private readonly everyone: Bucket;
  private readonly everyonePerMinute: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  /** `perMinute`: each key's budget, as a burst or spread over the minute; 0 admits everything. */
  constructor(
    private readonly perMinute: number,
    { maxKeys = 10_000, now = Date.now, shared = 0 }: LimiterOptions = {},
  ) {
    this.maxKeys = maxKeys;
    this.now = now;
    this.everyonePerMinute = perMinute * shared;
    this.everyone = { tokens: this.everyonePerMinute, at: now() };
  }

  /** Keys holding a bucket: never more than `maxKeys`. */
  get size(): number {
    return this.buckets.size;
  }

  /** Takes one token from the key's bucket (and the server-wide one); when either has none, says when to come back. */
  take(key: string): Admission {
    if (this.perMinute <= 0) return { ok: true };
    const t = this.now();
    const own = this.buckets.get(key) ?? { tokens: this.perMinute, at: t };
    this.buckets.delete(key);
    this.buckets.set(key, own);
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
    refill(own, t, this.perMinute);
    if (own.tokens < 1) return refusal(own, this.perMinute);
    if (this.everyonePerMinute > 0) {
      refill(this.everyone, t, this.everyonePerMinute);
      if (this.everyone.tokens < 1) return refusal(this.everyone, this.everyonePerMinute);
      this.everyone.tokens -= 1;
    }
    own.tokens -= 1;
    return { ok: true };
  }
}

function refill(bucket: Bucket, t: number, perMinute: number): void {
  bucket.tokens = Math.min(perMinute, bucket.tokens + ((t - bucket.at) * perMinute) / 60_000);
  bucket.at = t;
}

function refusal(bucket: Bucket, perMinute: number): Admission {
  return { ok: false, retryAfterSeconds: Math.ceil(((1 - bucket.tokens) * 60) / perMinute) };
}

/** TUNNELSCOPE_COLLECT_PER_MINUTE (default 60): the live view refreshes every 5 s, so a person may keep a few open. */
export function collectPerMinute(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const value = Number(env.TUNNELSCOPE_COLLECT_PER_MINUTE);
  return Number.isFinite(value) && value > 0 ? value : 60;
}
