// The README's "Transports and protocols" example is a file this test runs, and the README shows it verbatim.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';

describe('README: Transports and protocols', () => {
  afterEach(() => vi.restoreAllMocks());

  it('shows examples/protocols-echo.ts verbatim', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const example = readFileSync(new URL('../examples/protocols-echo.ts', import.meta.url), 'utf8');
    expect(readme).toContain('```ts\n' + example + '```');
  });

  it('runs the echo example: the server echoes, then closes the connection', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    await import('../examples/protocols-echo.js');
    const lines = log.mock.calls.map((call) => String(call[0]));
    expect(lines[0]).toMatch(/^Connection from 127\.0\.0\.1:\d+$/);
    expect(lines.slice(1)).toEqual([
      'Data sent: "Hello World!"',
      'Data received: "Hello World!"',
      'Close the client socket',
      'Data received: "Hello World!"',
      'The server closed the connection',
    ]);
  });
});
