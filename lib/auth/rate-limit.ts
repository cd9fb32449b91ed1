/**
 * Collections run commands on hosts, so each person gets a budget of them: a token bucket per user that refills
 * continuously (TUNNELSCOPE_COLLECT_PER_MINUTE, default 60: the live view refreshes every 5 s, so a person may keep a few open).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token; false when the person has none left. */
  take(key: string): boolean {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
    const tokens = Math.min(this.perMinute, bucket.tokens + ((now - bucket.at) / 60_000) * this.perMinute);
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: now });
      return false;
    }
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    if (this.buckets.size > 10_000) this.buckets.clear();
    return true;
  }

  /** Seconds until the next token. */
  retryAfter(key: string): number {
    const bucket = this.buckets.get(key);
    if (!bucket) return 0;
    return Math.max(1, Math.ceil(((1 - bucket.tokens) * 60) / this.perMinute));
  }
}

export function collectPerMinute(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const value = Number(env.TUNNELSCOPE_COLLECT_PER_MINUTE);
  return Number.isFinite(value) && value > 0 ? value : 60;
}
