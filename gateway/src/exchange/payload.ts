
import { canonicalJsonBytes, FieldName, type Dataset, type DatasetField } from 'govshare-contract';
import { z } from 'zod';

import { InvalidRequestError, UnknownFieldsError, type FieldIssue } from '../services/errors';

/** A dataset's content: an array of records keyed by the dataset's field names. Values are checked per field type. */
export const DataRecords = z
  .array(z.record(FieldName, z.unknown()).meta({ description: "One record: the dataset's field names to values (null for none)" }))
  .max(1_000_000);
export type DataRecord = Record<string, unknown>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** Whether `value` fits the field's declared type; null always does (a missing value). */
function fitsType(field: DatasetField, value: unknown): boolean {
  if (value === null) return true;
  switch (field.type) {
    case 'STRING':
    case 'CODE':
      return typeof value === 'string';
    case 'INTEGER':
      return Number.isSafeInteger(value);
    case 'DECIMAL':
      return isNumber(value);
    case 'BOOLEAN':
      return typeof value === 'boolean';
    case 'DATE':
      return typeof value === 'string' && DATE.test(value) && !Number.isNaN(Date.parse(value));
    case 'DATETIME':
      return typeof value === 'string' && z.iso.datetime({ offset: true }).safeParse(value).success;
    case 'GEOMETRY':
      return typeof value === 'object' || typeof value === 'string';
  }
}

const MAX_ISSUES = 20;

/** Checks every record against the dataset's field schema; throws an UnknownFieldsError or InvalidRequestError listing (up to 20) offending values. */
export function checkRecords(dataset: Dataset, records: readonly DataRecord[]): void {
  const fields = new Map(dataset.fields.map((field) => [field.name, field]));
  const unknown: FieldIssue[] = [];
  const invalid: FieldIssue[] = [];
  records.forEach((record, index) => {
    for (const [name, value] of Object.entries(record)) {
      const field = fields.get(name);
      if (field === undefined) {
        unknown.push({ path: `${index}.${name}`, message: `dataset '${dataset.id}' has no field ${name}` });
      } else if (!fitsType(field, value)) {
        invalid.push({ path: `${index}.${name}`, message: `must be a ${field.type} value or null` });
      }
    }
  });
  if (unknown.length > 0) {
    throw new UnknownFieldsError(
      `The records name fields the dataset does not have: ${[...new Set(unknown.map((i) => i.path.split('.')[1]))].join(', ')}`,
      unknown.slice(0, MAX_ISSUES),
    );
  }
  if (invalid.length > 0) {
    throw new InvalidRequestError(`${String(invalid.length)} value(s) do not match their field's type`, invalid.slice(0, MAX_ISSUES));
  }
}

/** The bytes that are stored, fingerprinted and sent: JSON with sorted keys, so the digest does not depend on key order. */
export function canonicalPayload(records: readonly DataRecord[]): Buffer {
  return Buffer.from(canonicalJsonBytes(records));
}

/** Each record cut down to `fields` (the granted ones); a field a record lacks stays absent. */
export function projectRecords(records: readonly DataRecord[], fields: readonly string[]): DataRecord[] {
  return records.map((record) => {
    const projected: DataRecord = {};
    for (const name of fields) {
      if (Object.hasOwn(record, name)) projected[name] = record[name];
    }
    return projected;
  });
}

/** Parses a payload received from an owner's gateway (after its digest was verified). */
export function parsePayload(bytes: Buffer): DataRecord[] {
  const parsed = DataRecords.safeParse(JSON.parse(bytes.toString('utf8')));
  if (!parsed.success) {
    throw new Error(`the payload is not an array of records: ${parsed.error.message}`);
  }
  return parsed.data;
}
