// The README's examples are files this test runs, and the README shows them verbatim.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';

describe('README', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each(['ping-pong.ts', 'echo-server.ts'])('shows examples/%s verbatim', (name) => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const example = readFileSync(new URL(`../examples/${name}`, import.meta.url), 'utf8');
    expect(readme).toContain('```ts\n' + example + '```');
  });

  it('runs the usage example: the server reads the ping', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    await import('../examples/ping-pong.js');
    expect(log).toHaveBeenCalledWith('ping');
  });

  it('runs the echo server example: a Node client gets its ping back', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    await import('../examples/echo-server.js');
    await vi.waitFor(() => expect(log).toHaveBeenCalledWith('ping'), { timeout: 5000 });
  });
});
