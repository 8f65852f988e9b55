// The README's Streams example is a file this test runs, and the README shows it verbatim.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';

describe('README: Streams', () => {
  afterEach(() => vi.restoreAllMocks());

  it('shows examples/streams-echo.ts verbatim', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const example = readFileSync(new URL('../examples/streams-echo.ts', import.meta.url), 'utf8');
    expect(readme).toContain('```ts\n' + example + '```');
  });

  it('runs the echo example: the client gets its message back', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    await import('../examples/streams-echo.js');
    const lines = log.mock.calls.map((call) => String(call[0]));
    expect(lines[0]).toBe('Send: "Hello World!"');
    expect(lines[1]).toMatch(/^Received "Hello World!" from 127\.0\.0\.1:\d+$/);
    expect(lines.slice(2)).toEqual(['Received: "Hello World!"', 'Close the connection']);
  });
});
