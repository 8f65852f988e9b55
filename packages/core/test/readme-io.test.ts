// The README's "I/O on the loop" example is a file this test runs, and the README shows it verbatim.
import { expect } from 'vitest';
import { readmeExample } from './fixtures/readme-example.js';

readmeExample({
  section: 'I/O on the loop',
  file: 'sock-echo.ts',
  load: () => import('../examples/sock-echo.js'),
  runs: 'runs the socket echo example on a SelectorEventLoop: the client gets its message back',
  check(lines) {
    expect(lines).toEqual(['Hello World!']);
  },
});
