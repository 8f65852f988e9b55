// The README's Streams example is a file this test runs, and the README shows it verbatim.
import { expect } from 'vitest';
import { readmeExample } from './fixtures/readme-example.js';

readmeExample({
  section: 'Streams',
  file: 'streams-echo.ts',
  load: () => import('../examples/streams-echo.js'),
  runs: 'runs the echo example: the client gets its message back',
  check(lines) {
    expect(lines[0]).toBe('Send: "Hello World!"');
    expect(lines[1]).toMatch(/^Received "Hello World!" from 127\.0\.0\.1:\d+$/);
    expect(lines.slice(2)).toEqual(['Received: "Hello World!"', 'Close the connection']);
  },
});
