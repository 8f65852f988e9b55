// A small binary encoding of plain values (undefined, null, booleans,
// numbers, strings, and arrays and plain objects of them) into a shared
// buffer, for the shared-memory channel of a blocking round trip: writing a
// few numbers there costs far less than a structured clone through a port.
//
// It gives exactly what a structured clone would, or refuses: anything
// else (a bigint, a Date, a Map, a class instance, a typed array, a shared
// or cyclic reference, a sparse array, an array with extra properties,
// too deep or too big) makes encode() return -1, and the caller falls back
// to postMessage. Strings are copied as UTF-16 code units, so lone
// surrogates survive as they do in a structured clone.

const UNDEFINED = 0;
const NULL = 1;
const FALSE = 2;
const TRUE = 3;
const INT32 = 4;
const FLOAT64 = 5;
const STRING = 6;
const ARRAY = 7;
const OBJECT = 8;

/** Nesting deeper than this goes through structured clone. */
const MAX_DEPTH = 32;
/** Strings up to this many code units are copied by a loop; longer ones by Buffer (native). */
const SHORT_STRING = 8;

/** Reads and writes plain values in a region of a SharedArrayBuffer. */
export class PlainCodec {
  readonly #view: DataView;
  readonly #bytes: Buffer;
  readonly #start: number;
  readonly #end: number;
  /** The containers on the path being encoded, to refuse shared and cyclic references. */
  readonly #seen = new Set<object>();
  #offset = 0;

  /** Works on bytes [start, end) of `buffer`. */
  constructor(buffer: SharedArrayBuffer, start: number, end: number) {
    this.#view = new DataView(buffer);
    this.#bytes = Buffer.from(buffer);
    this.#start = start;
    this.#end = end;
  }

  /**
   * Writes `value` at the start of the region; returns the number of bytes
   * written, or -1 when the value is not plain or does not fit (nothing
   * useful is left in the region then).
   */
  encode(value: unknown): number {
    this.#offset = this.#start;
    try {
      return this.#write(value, 0) ? this.#offset - this.#start : -1;
    } catch {
      // A getter threw: the structured clone that follows meets the same error and reports it.
      return -1;
    } finally {
      this.#seen.clear();
    }
  }

  /** Reads the value written by encode() (in any thread). */
  decode(): unknown {
    this.#offset = this.#start;
    return this.#read();
  }

  #write(value: unknown, depth: number): boolean {
    switch (typeof value) {
      case 'number':
        if ((value | 0) === value && !Object.is(value, -0)) {
          if (!this.#room(5)) return false;
          this.#view.setUint8(this.#offset, INT32);
          this.#view.setInt32(this.#offset + 1, value, true);
          this.#offset += 5;
        } else {
          if (!this.#room(9)) return false;
          this.#view.setUint8(this.#offset, FLOAT64);
          this.#view.setFloat64(this.#offset + 1, value, true);
          this.#offset += 9;
        }
        return true;
      case 'string':
        return this.#writeString(value);
      case 'boolean':
        return this.#tag(value ? TRUE : FALSE);
      case 'undefined':
        return this.#tag(UNDEFINED);
      case 'object':
        if (value === null) return this.#tag(NULL);
        if (depth >= MAX_DEPTH || this.#seen.has(value)) return false;
        this.#seen.add(value);
        return Array.isArray(value) ? this.#writeArray(value, depth) : this.#writeObject(value, depth);
      default:
        // bigint, symbol, function: structured clone decides (a bigint crosses, the others throw DataCloneError).
        return false;
    }
  }

  #writeString(value: string): boolean {
    const length = value.length;
    if (!this.#room(5 + 2 * length)) return false;
    const view = this.#view;
    let offset = this.#offset;
    view.setUint8(offset, STRING);
    view.setUint32(offset + 1, length, true);
    offset += 5;
    if (length <= SHORT_STRING) {
      for (let index = 0; index < length; index++, offset += 2) view.setUint16(offset, value.charCodeAt(index), true);
    } else offset += this.#bytes.write(value, offset, 'utf16le');
    this.#offset = offset;
    return true;
  }

  #writeArray(value: unknown[], depth: number): boolean {
    if (Object.getPrototypeOf(value) !== Array.prototype) return false;
    const length = value.length;
    if (!this.#room(5 + length)) return false;
    // A structured clone keeps holes and extra properties; plain arrays have neither.
    if (Object.keys(value).length !== length) return false;
    this.#view.setUint8(this.#offset, ARRAY);
    this.#view.setUint32(this.#offset + 1, length, true);
    this.#offset += 5;
    for (let index = 0; index < length; index++) if (!this.#write(value[index], depth + 1)) return false;
    return true;
  }

  #writeObject(value: object, depth: number): boolean {
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) return false;
    const keys = Object.keys(value);
    if (!this.#room(5)) return false;
    this.#view.setUint8(this.#offset, OBJECT);
    this.#view.setUint32(this.#offset + 1, keys.length, true);
    this.#offset += 5;
    for (const key of keys) {
      if (!this.#writeString(key) || !this.#write((value as Record<string, unknown>)[key], depth + 1)) return false;
    }
    return true;
  }

  #tag(tag: number): boolean {
    if (!this.#room(1)) return false;
    this.#view.setUint8(this.#offset++, tag);
    return true;
  }

  #room(bytes: number): boolean {
    return this.#offset + bytes <= this.#end;
  }

  #read(): unknown {
    const view = this.#view;
    const tag = view.getUint8(this.#offset);
    switch (tag) {
      case INT32:
        this.#offset += 5;
        return view.getInt32(this.#offset - 4, true);
      case FLOAT64:
        this.#offset += 9;
        return view.getFloat64(this.#offset - 8, true);
      case STRING:
        return this.#readString();
      case ARRAY: {
        const length = view.getUint32(this.#offset + 1, true);
        this.#offset += 5;
        const array = new Array<unknown>(length);
        for (let index = 0; index < length; index++) array[index] = this.#read();
        return array;
      }
      case OBJECT: {
        const count = view.getUint32(this.#offset + 1, true);
        this.#offset += 5;
        const object: Record<string, unknown> = {};
        for (let index = 0; index < count; index++) {
          const key = this.#readString();
          // defineProperty, not assignment: a key named __proto__ is an own property in a structured clone too.
          Object.defineProperty(object, key, { value: this.#read(), writable: true, enumerable: true, configurable: true });
        }
        return object;
      }
      case UNDEFINED:
      case NULL:
      case FALSE:
      case TRUE:
        this.#offset++;
        return tag === NULL ? null : tag === TRUE ? true : tag === FALSE ? false : undefined;
      default:
        throw new Error(`internal error: unknown tag ${tag} in the shared channel at byte ${this.#offset}`);
    }
  }

  #readString(): string {
    const view = this.#view;
    const length = view.getUint32(this.#offset + 1, true);
    let offset = this.#offset + 5;
    let text: string;
    if (length <= SHORT_STRING) {
      text = '';
      for (let index = 0; index < length; index++, offset += 2) text += String.fromCharCode(view.getUint16(offset, true));
    } else {
      text = this.#bytes.toString('utf16le', offset, offset + 2 * length);
      offset += 2 * length;
    }
    this.#offset = offset;
    return text;
  }
}
