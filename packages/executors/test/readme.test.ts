import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';

describe('README', () => {
  it('shows the usage example that test/fixtures/readme-usage.ts runs', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const example = readFileSync(new URL('./fixtures/readme-usage.ts', import.meta.url), 'utf8').split('\n').slice(1).join('\n');
    expect(readme).toContain(`## Usage\n\n\`\`\`ts\n${example}\`\`\``);
  });

  it('runs the usage example', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await import('./fixtures/readme-usage.js');
      const printed = log.mock.calls.map((call) => call[0]);
      expect(printed.slice(0, 5)).toEqual([75025, 6765, 55, 610, 6765]);
      expect(printed.slice(5).sort((a, b) => a - b)).toEqual([55, 6765, 832040]);
    } finally {
      log.mockRestore();
    }
  });
});
