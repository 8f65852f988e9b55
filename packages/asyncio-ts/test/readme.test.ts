// The README's usage snippet is test/fixtures/readme-usage.ts: this test
// keeps the README's copy identical to it, and runs it.
import { readFileSync } from 'node:fs';
import { format } from 'node:util';
import { describe, expect, it, vi } from 'vitest';

const fixture = new URL('./fixtures/readme-usage.ts', import.meta.url);

describe('the README usage snippet', () => {
  it('appears in the README word for word', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain('```ts\n' + readFileSync(fixture, 'utf8') + '```');
  });

  it('prints what its comment says', async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(format(...args));
    });
    try {
      await import('./fixtures/readme-usage.js');
    } finally {
      spy.mockRestore();
    }
    expect(lines).toEqual(["[ 'item 1', 'item 2', 'item 3', 'item 4', 'item 5' ]"]);
  });
});
