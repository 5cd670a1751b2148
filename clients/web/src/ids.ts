/** A random 16-byte id in hex; ids of a client's events are `<client id>-<sequence>`. */
export function randomHex(bytes = 16): string {
  const buffer = new Uint8Array(bytes);
  const crypto = globalThis.crypto;
  if (crypto && typeof crypto.getRandomValues === 'function') {
    crypto.getRandomValues(buffer);
  } else {
    for (let i = 0; i < bytes; i++) buffer[i] = Math.floor(Math.random() * 256);
  }
  let hex = '';
  for (const byte of buffer) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/** Hands out the ids of one client's events: unique per client, fixed once given, so a retried batch repeats them. */
export class IdSource {
  private sequence = 0;

  constructor(readonly clientId: string = randomHex()) {}

  next(): string {
    this.sequence += 1;
    return `${this.clientId}-${this.sequence}`;
  }
}
