// Loading the native addon: the real one, and the error that says how to
// rebuild it when it is missing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBindingFrom } from '../src/binding.js';
import { loadBinding, NativeAddonError } from '../src/index.js';

describe('loadBinding', () => {
  it('loads the real addon once, with the pollers of this system', () => {
    const binding = loadBinding();
    expect(loadBinding()).toBe(binding);
    expect(typeof binding.Poll).toBe('function');
    expect(binding.constants.POLLIN).toBeTypeOf('number');
    if (process.platform === 'linux') expect(typeof binding.Epoll).toBe('function');
    if (process.platform === 'darwin') expect(typeof binding.Kqueue).toBe('function');
    for (const name of ['pipe', 'socketpair', 'read', 'write', 'close', 'setBlocking', 'getBlocking'] as const) {
      expect(binding[name]).toBeTypeOf('function');
    }
    expect(binding.FdWatcher).toBeTypeOf('function');
    expect(binding.uvBackendFd).toBeTypeOf('function');
    for (const name of ['create', 'bind', 'listen', 'connect', 'accept', 'recv', 'send', 'shutdown'] as const) {
      expect(binding.socket[name]).toBeTypeOf('function');
    }
  });

  it('throws a NativeAddonError that says how to rebuild when the addon is missing', () => {
    const directory = mkdtempSync(join(tmpdir(), 'selectors-unbuilt-'));
    writeFileSync(join(directory, 'package.json'), JSON.stringify({ name: 'unbuilt' }));
    try {
      let thrown: unknown;
      try {
        loadBindingFrom(directory);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(NativeAddonError);
      const { message, cause } = thrown as NativeAddonError;
      expect(message).toContain(directory);
      expect(message).toContain('pnpm rebuild @asyncio-ts/selectors');
      expect(message).toContain('npx node-gyp rebuild');
      expect(message).not.toContain('\n');
      expect(cause).toBeInstanceOf(Error);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
