import { z } from 'zod';
import { Classification, distinctList, Identifier, MspId, Sha256Hex, TxStamp } from './common';

/** A catalogue tag (theme or keyword): lowercase words joined by '-', usable as a composite-key attribute. */
export const Tag = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be 1-40 characters of a-z 0-9 - starting with a letter or digit');

export const Sensitivity = z.enum(['NONE', 'PERSONAL', 'SENSITIVE'], { error: 'must be one of NONE, PERSONAL, SENSITIVE' });
export type Sensitivity = z.infer<typeof Sensitivity>;

export const FieldName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ starting with a letter or _');

export const FieldType = z.enum(['STRING', 'INTEGER', 'DECIMAL', 'BOOLEAN', 'DATE', 'DATETIME', 'CODE', 'GEOMETRY'], {
  error: 'must be one of STRING, INTEGER, DECIMAL, BOOLEAN, DATE, DATETIME, CODE, GEOMETRY',
});

export const DatasetField = z.strictObject({ name: FieldName, type: FieldType, sensitivity: Sensitivity });
export type DatasetField = z.infer<typeof DatasetField>;

export const DatasetFields = z
  .array(DatasetField)
  .max(200, 'must have at most 200 entries')
  .refine((fields) => new Set(fields.map((f) => f.name)).size === fields.length, 'must not repeat a field name');

export const UpdateFrequency = z.enum(['CONTINUOUS', 'DAILY', 'WEEKLY', 'MONTHLY', 'QUARTERLY', 'ANNUAL', 'IRREGULAR', 'NEVER'], {
  error: 'must be one of CONTINUOUS, DAILY, WEEKLY, MONTHLY, QUARTERLY, ANNUAL, IRREGULAR, NEVER',
});

/** SPDX-style licence id or a short licence name. */
export const License = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 .+()-]{0,63}$/, 'must be a licence id such as CC-BY-4.0');

/**
 * A department unit code such as EDU.STATISTICS — never a person: no spaces, no '@', upper case only,
 * so a name or e-mail address cannot be stored as the contact.
 */
export const ContactUnit = z
  .string()
  .regex(/^[A-Z][A-Z0-9]*(?:[._-][A-Z0-9]+){0,7}$/, 'must be a department unit code such as EDU.STATISTICS, never a person');

const Title = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .regex(/\S/, 'must not be blank');
const Description = z.string().max(2000, 'must be at most 2000 characters');
const Themes = distinctList(Tag, 10);
const Keywords = distinctList(Tag, 20);

/** Input of RegisterDataset (also the gateway's request body). Unknown fields are rejected. */
export const DatasetRegistration = z.strictObject({
  id: Identifier,
  title: Title,
  description: Description,
  classification: Classification,
  fingerprint: Sha256Hex,
  themes: Themes.default([]),
  keywords: Keywords.default([]),
  fields: DatasetFields.default([]),
  updateFrequency: UpdateFrequency.default('IRREGULAR'),
  license: License.default('UNSPECIFIED'),
  contactUnit: ContactUnit.default('UNASSIGNED'),
});
export type DatasetRegistrationInput = z.input<typeof DatasetRegistration>;
export type DatasetRegistration = z.output<typeof DatasetRegistration>;

/** Input of UpdateDataset: the properties to change (at least one); id and owner never change. */
export const DatasetUpdate = z
  .strictObject({
    title: Title.optional(),
    description: Description.optional(),
    classification: Classification.optional(),
    fingerprint: Sha256Hex.optional(),
    themes: Themes.optional(),
    keywords: Keywords.optional(),
    fields: DatasetFields.optional(),
    updateFrequency: UpdateFrequency.optional(),
    license: License.optional(),
    contactUnit: ContactUnit.optional(),
  })
  .refine((update) => Object.values(update).some((value: unknown) => value !== undefined), 'must change at least one property');
export type DatasetUpdateInput = z.input<typeof DatasetUpdate>;
export type DatasetUpdate = z.output<typeof DatasetUpdate>;

export const DatasetStatus = z.enum(['ACTIVE', 'RETIRED']);
export type DatasetStatus = z.infer<typeof DatasetStatus>;

/** A dataset as stored on the ledger and returned by the catalogue transactions. */
export const Dataset = z.object({
  id: Identifier,
  ownerMsp: MspId,
  title: z.string(),
  description: z.string(),
  themes: z.array(Tag),
  keywords: z.array(Tag),
  classification: Classification,
  fields: z.array(DatasetField),
  fingerprint: Sha256Hex,
  /** Bumped by every update; `contentVersion` only when the fingerprint changes. */
  version: z.number().int().positive(),
  contentVersion: z.number().int().positive(),
  updateFrequency: UpdateFrequency,
  license: License,
  contactUnit: ContactUnit,
  status: DatasetStatus,
  created: TxStamp,
  updated: TxStamp,
});
export type Dataset = z.infer<typeof Dataset>;

export const DatasetListFilter = z.discriminatedUnion('by', [
  z.strictObject({ by: z.literal('all') }),
  z.strictObject({ by: z.literal('owner'), value: MspId }),
  z.strictObject({ by: z.literal('theme'), value: Tag }),
  z.strictObject({ by: z.literal('classification'), value: Classification }),
], { error: "must be one of: 'all', 'owner', 'theme', 'classification'" });
export type DatasetListFilter = z.infer<typeof DatasetListFilter>;

/** One entry of GetDatasetHistory (GetHistoryForKey); `value` is null for a deletion. */
export const DatasetHistoryEntry = z.object({
  txId: z.string(),
  timestamp: z.iso.datetime(),
  isDelete: z.boolean(),
  value: Dataset.nullable(),
});
export type DatasetHistoryEntry = z.infer<typeof DatasetHistoryEntry>;
