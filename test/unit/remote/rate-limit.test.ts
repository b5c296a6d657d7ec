import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../src/remote/rate-limit.js';
import { retryAfterMs } from '../../../src/remote/http.js';

function fakeClock() {
  let t = 0;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
    get t() {
      return t;
    },
  };
}

describe('RateLimiter (fake clock)', () => {
  it('lets a full minute burst through, then one request per refill interval', async () => {
    const c = fakeClock();
    const rl = new RateLimiter({ requestsPerMinute: 60, now: c.now, sleep: c.sleep });
    for (let i = 0; i < 60; i++) await rl.acquire();
    expect(c.t).toBe(0);
    await rl.acquire();
    expect(c.t).toBe(1000);
    await rl.acquire();
    expect(c.t).toBe(2000);
  });

  it('limits tokens per minute; an oversized request waits for a full bucket and goes into debt', async () => {
    const c = fakeClock();
    const rl = new RateLimiter({ tokensPerMinute: 600, burstSeconds: 1, now: c.now, sleep: c.sleep });
    // capacity 10 tokens, 10 tokens/s
    await rl.acquire(10);
    expect(c.t).toBe(0);
    await rl.acquire(5);
    expect(c.t).toBe(500);
    await rl.acquire(30); // > capacity: waits to full (1 s), level -20
    expect(c.t).toBe(1500);
    await rl.acquire(1); // needs 21 tokens of refill: 2.1 s
    expect(c.t).toBe(3600);
  });

  it('serves callers in arrival order', async () => {
    const c = fakeClock();
    const rl = new RateLimiter({ requestsPerMinute: 60, burstSeconds: 1, now: c.now, sleep: c.sleep });
    const order: number[] = [];
    await Promise.all([0, 1, 2].map((i) => rl.acquire().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2]);
    expect(c.t).toBe(2000);
  });

  it('rejects bad limits', () => {
    expect(() => new RateLimiter({ requestsPerMinute: 0 })).toThrow(/requestsPerMinute/);
    expect(() => new RateLimiter({ tokensPerMinute: Number.NaN })).toThrow(/tokensPerMinute/);
  });
});

describe('retryAfterMs', () => {
  it('reads retry-after-ms, seconds and HTTP dates', () => {
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250' }))).toBe(250);
    expect(retryAfterMs(new Headers({ 'retry-after': '3' }))).toBe(3000);
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(retryAfterMs(new Headers({ 'retry-after': 'Wed, 21 Oct 2015 07:28:05 GMT' }), now)).toBe(5000);
    expect(retryAfterMs(new Headers({}))).toBeUndefined();
  });
});
