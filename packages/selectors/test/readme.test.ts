// The README's example is a file this test runs, and the README shows it verbatim.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';

describe('README', () => {
  afterEach(() => vi.restoreAllMocks());

  it('shows examples/ping-pong.ts as its usage', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const example = readFileSync(new URL('../examples/ping-pong.ts', import.meta.url), 'utf8');
    expect(readme).toContain('```ts\n' + example + '```');
  });

  it('runs the usage example: the server reads the ping', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    await import('../examples/ping-pong.js');
    expect(log).toHaveBeenCalledWith('ping');
  });
});
