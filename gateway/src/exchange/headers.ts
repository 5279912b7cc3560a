/** The response headers of the data exchange (owner → requester). */

/** SHA-256 of the bytes sent: the projected payload. */
export const PAYLOAD_SHA256_HEADER = 'X-Payload-Sha256';
/** The dataset content (its on-chain fingerprint) the payload was projected from. */
export const CONTENT_FINGERPRINT_HEADER = 'X-Content-Fingerprint';
/** The grant the owner's peer found covering the request. */
export const GRANT_ID_HEADER = 'X-Grant-Id';
