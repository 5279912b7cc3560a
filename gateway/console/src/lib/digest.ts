/** SHA-256 of a document, computed in the browser (Web Crypto): the document itself never leaves it. */

export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let hex = '';
  for (const byte of view) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

export async function sha256Hex(data: ArrayBuffer | Uint8Array<ArrayBuffer>): Promise<string> {
  return toHex(await crypto.subtle.digest('SHA-256', data));
}

/** A pasted digest: 64 hex characters (any case, surrounding spaces ignored), lower-cased; undefined otherwise. */
export function normaliseSha256(text: string): string | undefined {
  const value = text.trim().toLowerCase();
  return /^[0-9a-f]{64}$/.test(value) ? value : undefined;
}
