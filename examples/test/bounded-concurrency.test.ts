import { describe, expect, it } from 'vitest';
import * as asyncio from 'asyncio-ts';
import { AsyncScraper, FakeSession, main, urls } from '../src/bounded-concurrency.js';
import { captureLines, shapes } from './capture.js';

// Three at a time, the fetches finish about in this order, 2.2 s (times the
// scale) after the start; some finish 0.1 s apart, close enough at small
// scales for a busy machine to swap them, so the test checks the numbering
// and the set, not the order.
const completed = [
  'https://fake.test/delay/0.5',
  'https://fake.test/delay/0.5',
  'https://fake.test/status/404',
  'https://unreachable.fake.test/',
  'https://fake.test/delay/0.3',
  'https://fake.test/delay/1',
  'https://fake.test/delay/0.7',
  'https://fake.test/delay/1',
  'https://fake.test/delay/1.5',
  'https://fake.test/delay/0.5',
];

describe.each(shapes)('bounded-concurrency (%s)', (shape) => {
  it('reports each fetch as it completes, three at a time, and the statistics', async () => {
    const scale = 0.2;
    const lines = await captureLines(() => main({ shape, scale }));
    const progress = lines.slice(0, 10).map((line) => /^Completed (\d+)\/10: (\S+)$/.exec(line));
    expect(progress.map((match) => Number(match?.[1]))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(progress.map((match) => match?.[2]).sort()).toEqual([...completed].sort());
    expect(lines[10]).toBe('');
    const duration = Number(/^Scraped 10 URLs in (\d+\.\d\d)s$/.exec(lines[11]!)?.[1]);
    // More than 2.2 s (three at a time), less than 6.1 s (one at a time), times the scale.
    expect(duration).toBeGreaterThanOrEqual(2.2 * scale * 0.95);
    expect(duration).toBeLessThan(6.1 * scale);
    expect(lines.slice(12)).toEqual(['Success rate: 9/10', 'At most 3 fetches ran at once']);
  });
});

describe('AsyncScraper', () => {
  it('turns a failed fetch into an error result and goes on', async () => {
    const results = await asyncio.run(() => new AsyncScraper(2).fetchUrl(new FakeSession(0.01), 'https://unreachable.fake.test/'));
    expect(results).toEqual({ url: 'https://unreachable.fake.test/', error: 'getaddrinfo ENOTFOUND unreachable.fake.test' });
  });

  it('gives its permit back when a fetch waiting for one is cancelled', async () => {
    const locked = await asyncio.run(async () => {
      const scraper = new AsyncScraper(1);
      const session = new FakeSession(0.01);
      const first = asyncio.createTask(() => scraper.fetchUrl(session, urls[0]!));
      const waiting = asyncio.createTask(scraper.fetchUrlGenerator(session, urls[1]!));
      await asyncio.sleep(0);
      waiting.cancel();
      await expect(waiting).rejects.toBeInstanceOf(asyncio.CancelledError);
      expect(await first).toMatchObject({ url: urls[0], status: 200 });
      return scraper.semaphore.locked();
    });
    expect(locked).toBe(false);
  });
});
