// The README's "I/O on the loop" example is a file this test runs, and the README shows it verbatim.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';

describe('README: I/O on the loop', () => {
  afterEach(() => vi.restoreAllMocks());

  it('shows examples/sock-echo.ts verbatim', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const example = readFileSync(new URL('../examples/sock-echo.ts', import.meta.url), 'utf8');
    expect(readme).toContain('```ts\n' + example + '```');
  });

  it('runs the socket echo example on a SelectorEventLoop: the client gets its message back', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    await import('../examples/sock-echo.js');
    expect(log.mock.calls.map((call) => String(call[0]))).toEqual(['Hello World!']);
  });
});
