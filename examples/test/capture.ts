// Runs an example with console.log captured, and hands back the lines it printed.
import { format } from 'node:util';
import { vi } from 'vitest';

export async function captureLines(run: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(...format(...args).split('\n'));
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return lines;
}

/** Both coroutine shapes, for describe.each. */
export const shapes = ['async', 'generator'] as const;
