/**
 * The concurrent web scraper's concurrency pattern, without the network: the
 * guide's AsyncScraper (a Semaphore limits how many fetches run at once,
 * createTask() starts them all, asCompleted() reports them as they finish)
 * over ten simulated fetches. The fetches are fake: FakeSession.get() sleeps
 * for the delay its URL names and answers with a made-up status and body, so
 * the example needs no server and runs the same everywhere. The real scraper,
 * with aiohttp's ClientSession, waits for @asyncio-ts/http.
 *
 * Prints (in the order the fetches finish, which a busy machine may swap
 * where two finish close together; the time varies a little):
 *   Completed 1/10: https://fake.test/delay/0.5
 *   Completed 2/10: https://fake.test/delay/0.5
 *   Completed 3/10: https://fake.test/status/404
 *   Completed 4/10: https://unreachable.fake.test/
 *   Completed 5/10: https://fake.test/delay/0.3
 *   Completed 6/10: https://fake.test/delay/1
 *   Completed 7/10: https://fake.test/delay/0.7
 *   Completed 8/10: https://fake.test/delay/1
 *   Completed 9/10: https://fake.test/delay/1.5
 *   Completed 10/10: https://fake.test/delay/0.5
 *
 *   Scraped 10 URLs in 2.20s
 *   Success rate: 9/10
 *   At most 3 fetches ran at once
 *
 * Three at a time, the ten fetches take 2.2 s: more than the longest alone
 * (1.5 s, no limit), less than all of them one after another (6.1 s).
 *
 * Where it differs from the guide: ten URLs in place of five, fake fetches,
 * and the last line, which shows the Semaphore's bound. `async with
 * self.semaphore:` is `using permit = await this.semaphore.hold()`.
 */
import * as asyncio from 'asyncio-ts';
import { resolveOptions, type ExampleOptions } from './options.js';

/** What fetchUrl() reports: the guide's dicts. */
export type FetchResult = { url: string; status: number; size: number; duration: number } | { url: string; error: string };

/** A fake HTTP response: aiohttp's status and text(). */
export interface FakeResponse {
  status: number;
  text(): Promise<string>;
}

/**
 * A stand-in for aiohttp.ClientSession: get(url) waits for `delay/<seconds>`
 * (times the scale) and answers 200, answers `status/<code>` at once with
 * that status, and fails for a host named `unreachable`.
 */
export class FakeSession {
  /** How many get() calls are waiting for their response right now. */
  inFlight = 0;
  /** The most get() calls that waited at once. */
  mostInFlight = 0;

  constructor(readonly scale = 1) {}

  /** The fake request: resolves with the response after the URL's delay. */
  async get(url: string): Promise<FakeResponse> {
    this.mostInFlight = Math.max(this.mostInFlight, ++this.inFlight);
    try {
      const { hostname, pathname } = new URL(url);
      if (hostname.startsWith('unreachable.')) {
        await asyncio.sleep(0.1 * this.scale);
        throw new Error(`getaddrinfo ENOTFOUND ${hostname}`);
      }
      const [, kind, value] = /^\/(delay|status)\/([\d.]+)$/.exec(pathname) ?? [];
      if (kind === 'status') return response(Number(value), '');
      await asyncio.sleep(Number(value ?? 0) * this.scale);
      return response(200, `{"url": "${url}"}`);
    } finally {
      this.inFlight--;
    }
  }
}

function response(status: number, body: string): FakeResponse {
  return { status, text: async () => body };
}

/** The guide's AsyncScraper: at most `maxConcurrent` fetches at once. */
export class AsyncScraper {
  readonly semaphore: asyncio.Semaphore;
  readonly results: FetchResult[] = [];

  constructor(maxConcurrent = 10) {
    this.semaphore = new asyncio.Semaphore(maxConcurrent);
  }

  /** The guide's fetch_url(), as an async function. */
  async fetchUrl(session: FakeSession, url: string): Promise<FetchResult> {
    using permit = await this.semaphore.hold(); // Limit concurrent requests
    try {
      const start = performance.now();
      const response = await session.get(url);
      const content = await response.text();
      const duration = (performance.now() - start) / 1000;
      return { url, status: response.status, size: content.length, duration };
    } catch (error) {
      return { url, error: String(error instanceof Error ? error.message : error) };
    }
  }

  /** The same fetch_url() as a generator: a promise is awaited by wrapping it in a loop Future. */
  *fetchUrlGenerator(session: FakeSession, url: string): asyncio.Coroutine<FetchResult> {
    using permit = yield* this.semaphore.hold(); // released on the way out, as async with
    try {
      const start = performance.now();
      const response = yield* asyncio.ensureFuture(session.get(url));
      const content = yield* asyncio.ensureFuture(response.text());
      const duration = (performance.now() - start) / 1000;
      return { url, status: response.status, size: content.length, duration };
    } catch (error) {
      return { url, error: String(error instanceof Error ? error.message : error) };
    }
  }

  /** The guide's scrape_urls(), as an async function. */
  async scrapeUrls(session: FakeSession, urls: readonly string[]): Promise<FetchResult[]> {
    const tasks = urls.map((url) => asyncio.createTask(() => this.fetchUrl(session, url)));

    // Gather with progress reporting
    let i = 0;
    for (const task of asyncio.asCompleted(tasks)) {
      const result = await task;
      this.results.push(result);
      console.log(`Completed ${++i}/${tasks.length}: ${result.url}`);
    }
    return this.results;
  }

  /** The same scrape_urls() as a generator. */
  *scrapeUrlsGenerator(session: FakeSession, urls: readonly string[]): asyncio.Coroutine<FetchResult[]> {
    const tasks = urls.map((url) => asyncio.createTask(this.fetchUrlGenerator(session, url)));
    let i = 0;
    for (const task of asyncio.asCompleted(tasks)) {
      const result = yield* task;
      this.results.push(result);
      console.log(`Completed ${++i}/${tasks.length}: ${result.url}`);
    }
    return this.results;
  }
}

/** The ten fake URLs: delays in seconds, a 404, and a host that cannot be reached. */
export const urls: readonly string[] = [
  'https://fake.test/delay/0.5',
  'https://fake.test/delay/1',
  'https://fake.test/delay/0.5',
  'https://fake.test/status/404',
  'https://fake.test/delay/1.5',
  'https://unreachable.fake.test/',
  'https://fake.test/delay/0.3',
  'https://fake.test/delay/1',
  'https://fake.test/delay/0.7',
  'https://fake.test/delay/0.5',
];

function summarize(results: readonly FetchResult[], start: number, session: FakeSession): void {
  const duration = (performance.now() - start) / 1000;
  console.log(`\nScraped ${results.length} URLs in ${duration.toFixed(2)}s`);
  // Show statistics
  const successful = results.filter((result) => !('error' in result));
  console.log(`Success rate: ${successful.length}/${results.length}`);
  console.log(`At most ${session.mostInFlight} fetches ran at once`);
}

/** The guide's main(), as an async function. */
export async function scrape(scale = 1): Promise<FetchResult[]> {
  const scraper = new AsyncScraper(3);
  const session = new FakeSession(scale);
  const start = performance.now();
  const results = await scraper.scrapeUrls(session, urls);
  summarize(results, start, session);
  return results;
}

/** The same main as a generator. */
export function* scrapeGenerator(scale = 1): asyncio.Coroutine<FetchResult[]> {
  const scraper = new AsyncScraper(3);
  const session = new FakeSession(scale);
  const start = performance.now();
  const results = yield* scraper.scrapeUrlsGenerator(session, urls);
  summarize(results, start, session);
  return results;
}

/** Runs the example: `asyncio.run(main())`. */
export async function main(options: ExampleOptions = {}): Promise<void> {
  const { shape, scale } = resolveOptions(options);
  if (shape === 'generator') await asyncio.run(scrapeGenerator(scale));
  else await asyncio.run(() => scrape(scale));
}
