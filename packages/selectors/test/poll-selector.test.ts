// PollSelector's own behaviour beyond the shared suite.
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EVENT_READ, EVENT_WRITE, PollSelector } from '../src/index.js';

describe('PollSelector', () => {
  it('has no kernel object: fileno() is -1', () => {
    using selector = new PollSelector();
    expect(selector.fileno()).toBe(-1);
    expect(selector.kind).toBe('poll');
  });

  it('watches a regular file, always ready, as poll(2) does', () => {
    using selector = new PollSelector();
    const fd = openSync(fileURLToPath(import.meta.url), 'r');
    try {
      const key = selector.register(fd, EVENT_READ | EVENT_WRITE);
      expect(selector.select(0)).toEqual([[key, EVENT_READ | EVENT_WRITE]]);
    } finally {
      closeSync(fd);
    }
  });
});
