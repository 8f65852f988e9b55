// KqueueSelector's own behaviour beyond the shared suite (which runs it on
// macOS and the BSDs): its kqueue fd, and its absence elsewhere.
import { describe, expect, it } from 'vitest';
import { KqueueSelector, loadBinding, NotImplementedError, os } from '../src/index.js';
import { createFakeBinding } from './fixtures/fake-binding.js';

describe('KqueueSelector', () => {
  it.runIf(loadBinding().Kqueue)('owns a kqueue fd until close() releases it', () => {
    const selector = new KqueueSelector();
    const kqueueFd = selector.fileno();
    expect(kqueueFd).toBeGreaterThanOrEqual(0);
    selector.close();
    expect(() => os.getBlocking(kqueueFd)).toThrow();
  });

  it.runIf(!loadBinding().Kqueue)('throws a NotImplementedError where there is no kqueue', () => {
    expect(() => new KqueueSelector()).toThrow(NotImplementedError);
    expect(() => new KqueueSelector()).toThrow(new RegExp(`KqueueSelector needs kqueue\\(2\\).*for ${process.platform}`));
  });

  it('throws a NotImplementedError for a binding without kqueue', () => {
    expect(() => new KqueueSelector(createFakeBinding())).toThrow(NotImplementedError);
  });
});
