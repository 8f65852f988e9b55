// What both datagram transports check in sendto() (asyncio's
// _SelectorDatagramTransport.sendto): the data, and where it goes.
import { inspect } from 'node:util';
import { ValueError } from '../errors.js';
import type { DatagramAddress } from '../protocols.js';
import type { Data } from '../transports.js';
import { describe } from './checks.js';

/** sendto()'s data as bytes (a string as UTF-8). @throws TypeError for anything else */
export function datagramBytes(data: Data): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  throw new TypeError(`sendto() expects data as a Buffer, Uint8Array or string, got ${describe(data)}`);
}

/**
 * Where a datagram goes: the address given, checked against the endpoint's
 * remote address when it has one, or that remote address.
 * @throws ValueError without an address on an unconnected endpoint, or another address than a connected one's
 */
export function datagramDestination(address: DatagramAddress | null | undefined, remote: DatagramAddress | null): DatagramAddress {
  if (address === undefined || address === null) {
    if (remote === null) throw new ValueError('sendto(): this endpoint has no remoteAddr; pass the address, [host, port]');
    return remote;
  }
  if (!Array.isArray(address) || typeof address[0] !== 'string' || typeof address[1] !== 'number') {
    throw new TypeError(`sendto() expects address as [host, port], got ${describe(address)}`);
  }
  if (remote !== null && (address[0] !== remote[0] || address[1] !== remote[1])) {
    throw new ValueError(`sendto(): Invalid address: must be None or ${inspect(remote)} (the endpoint is connected to it)`);
  }
  return address;
}
