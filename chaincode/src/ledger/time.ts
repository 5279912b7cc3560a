/** ISO 8601 from a protobuf Timestamp; JS dates hold milliseconds, so sub-millisecond nanos are dropped. */
export function isoFromTimestamp(seconds: number, nanos: number): string {
  return new Date(seconds * 1000 + Math.floor(nanos / 1_000_000)).toISOString();
}
