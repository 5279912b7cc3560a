/** What changed between two versions of a dataset, for the dataset history view. */
import type { Dataset, DatasetField, DatasetHistoryEntry } from 'govshare-contract';

export interface Change {
  readonly property: string;
  readonly description: string;
}

/** Provenance and counters change with every update; the history table shows them in their own columns. */
const BOOKKEEPING = new Set(['version', 'contentVersion', 'created', 'updated']);

function describe(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.map((item) => describe(item)).join(', ');
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  if (typeof value === 'string') return value === '' ? '(empty)' : value;
  return String(value);
}

function fieldText(field: DatasetField): string {
  return `${field.name} (${field.type}, ${field.sensitivity})`;
}

function fieldChanges(before: readonly DatasetField[], after: readonly DatasetField[]): string {
  const old = new Map(before.map((field) => [field.name, field]));
  const now = new Map(after.map((field) => [field.name, field]));
  const parts: string[] = [];
  for (const field of after) {
    const previous = old.get(field.name);
    if (previous === undefined) parts.push(`added ${fieldText(field)}`);
    else if (previous.type !== field.type || previous.sensitivity !== field.sensitivity) {
      parts.push(`changed ${fieldText(previous)} → ${fieldText(field)}`);
    }
  }
  for (const field of before) if (!now.has(field.name)) parts.push(`removed ${fieldText(field)}`);
  return parts.length === 0 ? 'reordered' : parts.join('; ');
}

/** The properties that differ from `before` to `after` (null: the first version, or a deletion). */
export function datasetChanges(before: Dataset | null, after: Dataset | null): Change[] {
  if (after === null) return [{ property: '(dataset)', description: 'deleted' }];
  if (before === null) return [{ property: '(dataset)', description: `registered by ${after.ownerMsp} as “${after.title}”` }];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((key) => !BOOKKEEPING.has(key)).sort();
  const changes: Change[] = [];
  const older = before as unknown as Record<string, unknown>;
  const newer = after as unknown as Record<string, unknown>;
  for (const key of keys) {
    if (JSON.stringify(older[key]) === JSON.stringify(newer[key])) continue;
    const description =
      key === 'fields' ? fieldChanges(before.fields, after.fields) : `${describe(older[key])} → ${describe(newer[key])}`;
    changes.push({ property: key, description });
  }
  return changes;
}

export interface HistoryRow {
  readonly entry: DatasetHistoryEntry;
  readonly changes: readonly Change[];
}

/** The API's history (newest first) with each version's changes against the one before it. */
export function historyRows(entries: readonly DatasetHistoryEntry[]): HistoryRow[] {
  return entries.map((entry, index) => ({
    entry,
    changes: entry.isDelete ? datasetChanges(null, null) : datasetChanges(entries[index + 1]?.value ?? null, entry.value),
  }));
}
