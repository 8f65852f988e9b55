// The root README's two snippets are the files under src/readme/: this test
// keeps the README's copies identical to them, and runs them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { captureLines } from './capture.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe.each(['quick-start-async', 'quick-start-generator'])('README snippet %s', (name) => {
  const source = readFileSync(new URL(`../src/readme/${name}.ts`, import.meta.url), 'utf8');

  it('appears in the root README word for word', () => {
    expect(readme).toContain(`\`\`\`ts\n${source}\`\`\``);
  });

  it('prints what its comment says', async () => {
    const lines = await captureLines(() => import(`../src/readme/${name}.ts`));
    expect(lines).toEqual(["[ 'slow done', 'fast done' ]"]);
  });
});
