import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { closureError, resolveFunction } from '../src/function-reference.js';
import { deserializeError, serializeError } from '../src/internal/remote-error.js';
import { ensureTypeScript } from '../src/internal/typescript.js';
import { CancelledError, transfer } from '../src/index.js';

describe('resolveFunction()', () => {
  it('sends a function as its source text, once per function', () => {
    const double = (x: number) => x * 2;
    const reference = resolveFunction('submit()', double);
    expect(reference.spec).toEqual({ kind: 'source', source: `(${double.toString()})`, name: 'double' });
    expect(resolveFunction('submit()', double)).toBe(reference);
  });

  it('wraps a method written in shorthand so that it compiles on its own', () => {
    const object = {
      run(x: number) {
        return x;
      },
    };
    const { spec } = resolveFunction('submit()', object.run);
    expect(spec.kind === 'source' && new Function(`return ${spec.source}`)()(5)).toBe(5);
  });

  it('takes module references by URL, file URL string, absolute path or package name', () => {
    const url = new URL('./fixtures/plain.mjs', import.meta.url);
    const byUrl = resolveFunction('submit()', { module: url, export: 'twice' });
    expect(byUrl.spec).toEqual({ kind: 'module', url: url.href, name: 'twice', typescript: false });
    expect(resolveFunction('submit()', { module: url.href, export: 'twice' })).toBe(byUrl);
    expect(resolveFunction('submit()', { module: url.pathname, export: 'twice' })).toBe(byUrl);
    expect(resolveFunction('submit()', { module: 'some-package' }).spec).toMatchObject({ url: 'some-package', name: 'default' });
    expect(resolveFunction('submit()', { module: pathToFileURL('/x/work.mts').href, export: 'f' }).spec).toMatchObject({ typescript: true });
  });

  it('explains what it cannot send, naming the fix', () => {
    expect(() => resolveFunction('submit()', { module: '../work.js', export: 'f' })).toThrow(
      'submit(): the module "../work.js" is relative, and a worker cannot tell to what; pass new URL("../work.js", import.meta.url) or an absolute path',
    );
    expect(() => resolveFunction('submit()', { module: 42 as never, export: 'f' })).toThrow(/must be a URL or an absolute path, got 42/);
    expect(() => resolveFunction('submit()', { module: '/x.js', export: '' })).toThrow(/must be the export's name/);
    expect(() => resolveFunction('submit()', JSON.parse)).toThrow(/a built-in function \(parse\)/);
    expect(() => resolveFunction('map()', null)).toThrow(/map\(\) expects a function or a module reference/);
  });
});

describe('closureError()', () => {
  const spec = { kind: 'source' as const, source: '((x) => x * factor)', name: 'scale' };

  it('explains a ReferenceError for a variable the function uses', () => {
    const error = closureError(spec, new ReferenceError('factor is not defined')) as Error;
    expect(error).toBeInstanceOf(ReferenceError);
    expect(error.message).toContain('The function scale uses `factor`, which does not exist in the worker');
    expect(error.message).toContain("executor.submit({ module: import.meta.url, export: 'scale' }, ...args)");
    expect((error.cause as Error).message).toBe('factor is not defined');
  });

  it('leaves other errors alone', () => {
    const elsewhere = new ReferenceError('other is not defined');
    expect(closureError(spec, elsewhere)).toBe(elsewhere);
    const type = new TypeError('x');
    expect(closureError(spec, type)).toBe(type);
    expect(closureError({ kind: 'module', url: 'file:///x.js', name: 'f', typescript: false }, elsewhere)).toBe(elsewhere);
  });
});

describe('TypeScript modules without tsx', () => {
  it('fail with an error that names the module and the fix', async () => {
    await expect(ensureTypeScript('file:///app/work.ts', 'file:///nowhere/at/all.js', () => null)).rejects.toThrow(
      'Loading the TypeScript module file:///app/work.ts in a worker needs tsx, which is not installed: install it (npm install --save-dev tsx), or pass the compiled .js module',
    );
  });
});

describe('errors across threads', () => {
  it('keep class name, message, stack, properties and cause', () => {
    class QuotaError extends Error {
      readonly limit = 5;
    }
    const original = new QuotaError('over quota', { cause: new TypeError('inner') });
    original.name = 'QuotaError';
    const copy = deserializeError(structuredClone(serializeError(original))) as QuotaError;
    expect(copy.constructor.name).toBe('QuotaError');
    expect(copy.name).toBe('QuotaError');
    expect(copy.message).toBe('over quota');
    expect(copy.limit).toBe(5);
    expect(copy.stack).toBe(original.stack);
    expect(copy.cause).toBeInstanceOf(TypeError);
  });

  it('rebuild our errors, AggregateError and DOMException as their classes', () => {
    const cancelled = deserializeError(structuredClone(serializeError(new CancelledError('stop'))));
    expect(cancelled).toBeInstanceOf(CancelledError);
    const aggregate = deserializeError(structuredClone(serializeError(new AggregateError([new Error('a')], 'many')))) as AggregateError;
    expect(aggregate).toBeInstanceOf(AggregateError);
    expect((aggregate.errors[0] as Error).message).toBe('a');
    const abort = deserializeError(structuredClone(serializeError(new DOMException('aborted', 'AbortError')))) as DOMException;
    expect(abort).toBeInstanceOf(DOMException);
    expect(abort.name).toBe('AbortError');
  });

  it('pass other thrown values through, and what cannot be cloned as a string', () => {
    expect(deserializeError(serializeError(42))).toBe(42);
    expect(deserializeError(serializeError({ reason: 'plain' }))).toEqual({ reason: 'plain' });
    expect(serializeError(() => 1)).toBe('() => 1');
  });
});

describe('transfer()', () => {
  it('needs a transfer list for what it cannot guess', () => {
    expect(() => transfer({ bytes: new ArrayBuffer(1) })).toThrow(/pass the list: transfer\(value, \[value\.buffer\]\)/);
  });
});
