// The README's "Datagrams (UDP)" example is a file this test runs, and the README shows it verbatim.
import { expect } from 'vitest';
import { readmeExample } from './fixtures/readme-example.js';

readmeExample({
  section: 'Datagrams (UDP)',
  file: 'udp-echo.ts',
  load: () => import('../examples/udp-echo.js'),
  runs: 'runs the UDP echo example: one datagram there and back, then the client closes',
  check(lines) {
    expect(lines[0]).toBe('Send: "Hello World!"');
    expect(lines[1]).toMatch(/^Received "Hello World!" from 127\.0\.0\.1:\d+$/);
    expect(lines.slice(2)).toEqual(['Send "Hello World!" back', 'Received: "Hello World!"', 'Close the socket', 'Connection closed']);
  },
});
