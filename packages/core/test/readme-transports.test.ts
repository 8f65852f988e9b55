// The README's "Transports and protocols" example is a file this test runs, and the README shows it verbatim.
import { expect } from 'vitest';
import { readmeExample } from './fixtures/readme-example.js';

readmeExample({
  section: 'Transports and protocols',
  file: 'protocols-echo.ts',
  load: () => import('../examples/protocols-echo.js'),
  runs: 'runs the echo example: the server echoes, then closes the connection',
  check(lines) {
    expect(lines[0]).toMatch(/^Connection from 127\.0\.0\.1:\d+$/);
    expect(lines.slice(1)).toEqual([
      'Data sent: "Hello World!"',
      'Data received: "Hello World!"',
      'Close the client socket',
      'Data received: "Hello World!"',
      'The server closed the connection',
    ]);
  },
});
