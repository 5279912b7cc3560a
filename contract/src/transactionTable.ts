import { z } from 'zod';

import { GovshareError } from './errors';
import {
  AccessApproval,
  AccessCheck,
  AccessReceipt,
  AccessRequest,
  AuditQuery,
  AuditRecord,
  Bookmark,
  Certificate,
  CertificateType,
  CertificateVerification,
  Dataset,
  DatasetHistoryEntry,
  DatasetRegistration,
  DatasetUpdate,
  DecisionReason,
  DeliveryRequest,
  FieldList,
  GrantStatus,
  GrantView,
  Identifier,
  Instant,
  MspId,
  pageOf,
  PageSize,
  PRIVATE_DETAILS_TRANSIENT_KEY,
  SaltedRequestDetails,
  RevocationReason,
  Sha256Hex,
} from './model';
import { OrgConfig, OrgConfigRecord } from './orgConfig';
import type { Action } from './permissions';

/**
 * The one table of the chaincode's transactions: name, submit or evaluate, arguments (in order, with their
 * schemas), result schema and who may call. Everything else is derived from it: the chaincode's contract
 * methods and their argument validation, the gateway's typed calls (`ledger.call(user, RegisterDataset, args)`),
 * the offline-signing allowlist, the unit tests' fake ledger and the authorization matrices' action lists.
 *
 * Every Fabric transaction argument is a string. A `text` argument is the value itself (numbers in decimal);
 * a `json` argument is one JSON document, for inputs with structure.
 */

export type WireFormat = 'text' | 'json';

export interface ArgumentSpec<S extends z.ZodType = z.ZodType, W extends WireFormat = WireFormat> {
  readonly wire: W;
  readonly schema: S;
  readonly description: string;
  /** json only: the text an empty argument stands for (e.g. an approval that narrows nothing). */
  readonly emptyAs?: string;
}

/** A plain string argument, parsed with `schema` (a failure names the argument). */
export function text<S extends z.ZodType>(schema: S, description: string): ArgumentSpec<S, 'text'> {
  return { wire: 'text', schema, description };
}

/** One JSON document, parsed with `schema` (a failure names the field inside it). */
export function json<S extends z.ZodType>(schema: S, description: string, emptyAs?: string): ArgumentSpec<S, 'json'> {
  return { wire: 'json', schema, description, ...(emptyAs === undefined ? {} : { emptyAs }) };
}

export type ArgumentSpecs = Readonly<Record<string, ArgumentSpec>>;

export interface TransactionSpec<
  N extends string = string,
  K extends 'submit' | 'evaluate' = 'submit' | 'evaluate',
  A extends ArgumentSpecs = ArgumentSpecs,
  R extends z.ZodType = z.ZodType,
> {
  readonly name: N;
  readonly kind: K;
  /** In positional order (object keys keep their insertion order). */
  readonly args: A;
  readonly result: R;
  /** The permission the caller's org kind and role need (contract PERMISSIONS); null: any channel member. */
  readonly action: Action | null;
  /** Transient-map keys the transaction reads; such a transaction names its endorsers and is never signed offline. */
  readonly transient?: readonly string[];
  readonly description: string;
}

function transaction<N extends string, K extends 'submit' | 'evaluate', A extends ArgumentSpecs, R extends z.ZodType>(
  spec: TransactionSpec<N, K, A, R>,
): TransactionSpec<N, K, A, R> {
  return spec;
}

/** What the chaincode's use case receives: every argument parsed. */
export type ArgumentsOf<T extends TransactionSpec> = {
  readonly [P in keyof T['args']]: z.output<T['args'][P]['schema']>;
};

/** What a caller passes: text arguments as their parsed type, json arguments as the schema's input (defaults optional). */
export type CallArgumentsOf<T extends TransactionSpec> = {
  readonly [P in keyof T['args']]: T['args'][P]['wire'] extends 'json'
    ? z.input<T['args'][P]['schema']>
    : z.output<T['args'][P]['schema']>;
};

export type ResultOf<T extends TransactionSpec> = z.output<T['result']>;

const PAGE_SIZE = 'Page size, 1-100 (decimal string)';
const BOOKMARK = "Bookmark from the previous page, '' for the first";
const pageArgs = { pageSize: text(PageSize, PAGE_SIZE), bookmark: text(Bookmark, BOOKMARK) } as const;

export const DatasetListBy = z.enum(['all', 'owner', 'theme', 'classification'], {
  error: "must be one of: 'all', 'owner', 'theme', 'classification'",
});

// --- Catalogue ------------------------------------------------------------------------------------

export const RegisterDataset = transaction({
  name: 'RegisterDataset',
  kind: 'submit',
  description: 'Registers a dataset owned by the caller organisation',
  args: {
    registration: json(
      DatasetRegistration,
      'JSON DatasetRegistration: {id, title, description, classification, fingerprint, themes?, keywords?, fields?, updateFrequency?, license?, contactUnit?}',
    ),
  },
  result: Dataset,
  action: 'REGISTER_DATASET',
});

export const UpdateDataset = transaction({
  name: 'UpdateDataset',
  kind: 'submit',
  description: "A new version of the dataset's metadata; a new fingerprint is a new content version",
  args: {
    id: text(Identifier, 'Dataset id'),
    update: json(DatasetUpdate, 'JSON DatasetUpdate: the properties to change; a new fingerprint is a new content version'),
  },
  result: Dataset,
  action: 'UPDATE_DATASET',
});

export const RetireDataset = transaction({
  name: 'RetireDataset',
  kind: 'submit',
  description: 'Retires a dataset: it can no longer be changed or requested',
  args: { id: text(Identifier, 'Dataset id') },
  result: Dataset,
  action: 'RETIRE_DATASET',
});

export const ReadDataset = transaction({
  name: 'ReadDataset',
  kind: 'evaluate',
  description: 'One dataset',
  args: { id: text(Identifier, 'Dataset id') },
  result: Dataset,
  action: null,
});

export const ListDatasets = transaction({
  name: 'ListDatasets',
  kind: 'evaluate',
  description: 'A page of datasets: all, or by owner, theme or classification (index order)',
  args: {
    by: text(DatasetListBy, 'all | owner | theme | classification'),
    value: text(z.string(), "The owner MSP id, theme or classification ('' for all)"),
    ...pageArgs,
  },
  result: pageOf(Dataset),
  action: null,
});

export const GetDatasetHistory = transaction({
  name: 'GetDatasetHistory',
  kind: 'evaluate',
  description: 'Every committed version of a dataset, newest first',
  args: { id: text(Identifier, 'Dataset id') },
  result: z.array(DatasetHistoryEntry),
  action: null,
});

// --- Access grants --------------------------------------------------------------------------------

const grantId = text(Identifier, 'Grant id');
const reason = text(DecisionReason, 'Reason, 1-500 characters, no personal data');

export const RequestAccess = transaction({
  name: 'RequestAccess',
  kind: 'submit',
  description: "Requests access to fields of another organisation's dataset (PENDING until its owner decides)",
  args: {
    request: json(
      AccessRequest,
      'JSON AccessRequest: {datasetId, purpose: {code, text}, legalBasis, fields, notBefore, notAfter, privateDetailsSha256?}',
    ),
  },
  result: GrantView,
  action: 'REQUEST_ACCESS',
});

export const AttachRequestDetails = transaction({
  name: 'AttachRequestDetails',
  kind: 'submit',
  description: "Stores a PENDING request's private details (transient `details`) on the owner's and requester's peers only",
  args: { grantId: text(Identifier, 'Grant id of a PENDING request that declared privateDetailsSha256') },
  result: z.object({ grantId: z.string(), privateDetailsSha256: Sha256Hex }),
  action: 'REQUEST_ACCESS',
  transient: [PRIVATE_DETAILS_TRANSIENT_KEY],
});

export const ApproveAccess = transaction({
  name: 'ApproveAccess',
  kind: 'submit',
  description: 'The owner approves a PENDING request, optionally narrowing the fields or shortening the validity',
  args: {
    grantId,
    approval: json(AccessApproval, "JSON AccessApproval {fields?, notAfter?} narrowing the request, or '' / '{}'", '{}'),
  },
  result: GrantView,
  action: 'DECIDE_ACCESS',
});

export const DenyAccess = transaction({
  name: 'DenyAccess',
  kind: 'submit',
  description: 'The owner denies a PENDING request',
  args: { grantId, reason },
  result: GrantView,
  action: 'DECIDE_ACCESS',
});

export const WithdrawRequest = transaction({
  name: 'WithdrawRequest',
  kind: 'submit',
  description: 'The requester withdraws its PENDING request',
  args: { grantId },
  result: GrantView,
  action: 'WITHDRAW_REQUEST',
});

export const RevokeAccess = transaction({
  name: 'RevokeAccess',
  kind: 'submit',
  description: 'The owner revokes an APPROVED grant',
  args: { grantId, reason },
  result: GrantView,
  action: 'REVOKE_ACCESS',
});

export const CountersignAccess = transaction({
  name: 'CountersignAccess',
  kind: 'submit',
  description: 'The supervisor countersigns an APPROVED grant on a SECRET dataset',
  args: { grantId: text(Identifier, 'Grant id (on a SECRET dataset)') },
  result: GrantView,
  action: 'COUNTERSIGN_ACCESS',
});

export const CheckAccess = transaction({
  name: 'CheckAccess',
  kind: 'evaluate',
  description: 'Whether an organisation may read these fields of a dataset now (nothing is recorded)',
  args: {
    datasetId: text(Identifier, 'Dataset id'),
    requesterMsp: text(MspId, 'Requesting organisation MSP id'),
    fields: json(FieldList, 'JSON array of field names'),
  },
  result: AccessCheck,
  action: null,
});

export const ReadGrant = transaction({
  name: 'ReadGrant',
  kind: 'evaluate',
  description: 'One grant with its status at the transaction time',
  args: { grantId },
  result: GrantView,
  action: null,
});

export const ReadGrantDetails = transaction({
  name: 'ReadGrantDetails',
  kind: 'evaluate',
  description: "A request's private details from the caller's own peer (owner and requester only)",
  args: { grantId },
  result: SaltedRequestDetails,
  action: 'READ_PRIVATE_DETAILS',
});

/** A grant list's optional filters: '' for any. Filtered in the chaincode, so pages are full and bookmarks exact. */
const anyOr = <S extends z.ZodType>(schema: S) => z.union([z.literal(''), schema]);
const STATUS_FILTER = "Only grants in this status at the transaction's time (EXPIRED included), '' for any";

export const ListGrantsByDataset = transaction({
  name: 'ListGrantsByDataset',
  kind: 'evaluate',
  description: "A page of a dataset's grants, optionally of one requester and in one status",
  args: {
    datasetId: text(Identifier, 'Dataset id'),
    requesterMsp: text(anyOr(MspId), "Only this requester organisation's grants, '' for any"),
    status: text(anyOr(GrantStatus), STATUS_FILTER),
    ...pageArgs,
  },
  result: pageOf(GrantView),
  action: null,
});

export const ListGrantsByRequester = transaction({
  name: 'ListGrantsByRequester',
  kind: 'evaluate',
  description: "A page of a requester organisation's grants, optionally in one status",
  args: { requesterMsp: text(MspId, 'Requesting organisation MSP id'), status: text(anyOr(GrantStatus), STATUS_FILTER), ...pageArgs },
  result: pageOf(GrantView),
  action: null,
});

export const ListPendingGrants = transaction({
  name: 'ListPendingGrants',
  kind: 'evaluate',
  description: "A page of the requests awaiting an owner organisation's decision",
  args: { ownerMsp: text(MspId, 'Owning organisation MSP id'), ...pageArgs },
  result: pageOf(GrantView),
  action: null,
});

// --- Audit trail ----------------------------------------------------------------------------------

export const RecordDelivery = transaction({
  name: 'RecordDelivery',
  kind: 'submit',
  description:
    "The dataset owner's gateway records a request for data before it releases anything: the chaincode decides " +
    'from the grants and the dataset as they are now, and the decision (GRANTED or DENIED) is committed either way',
  args: {
    delivery: json(
      DeliveryRequest,
      'JSON DeliveryRequest: {datasetId, requesterMsp, fields, contentFingerprint, payloadSha256}',
    ),
  },
  result: AccessReceipt,
  action: 'RECORD_DELIVERY',
});

export const QueryAudit = transaction({
  name: 'QueryAudit',
  kind: 'evaluate',
  description: 'A page of the audit records of a time window that the caller may read',
  args: { query: json(AuditQuery, 'JSON AuditQuery: {datasetId? | actorMsp?, from, to, pageSize?, bookmark?}') },
  result: pageOf(AuditRecord),
  action: 'QUERY_AUDIT',
});

// --- E-certificates -------------------------------------------------------------------------------

const documentSha256 = text(Sha256Hex, 'SHA-256 of the certificate document');

export const IssueCertificate = transaction({
  name: 'IssueCertificate',
  kind: 'submit',
  description: "Issues an e-certificate for a document's fingerprint (the type decides the issuing organisation)",
  args: {
    type: text(CertificateType, 'DIPLOMA | TRANSCRIPT (Education), TAX_CLEARANCE (Finance), NO_CRIMINAL_RECORD (Justice)'),
    documentSha256,
    subjectPseudonym: text(Sha256Hex, 'Salted SHA-256 of the subject, computed off chain'),
    notAfter: text(Instant, 'ISO 8601 end of validity'),
  },
  result: Certificate,
  action: 'ISSUE_CERTIFICATE',
});

export const VerifyCertificate = transaction({
  name: 'VerifyCertificate',
  kind: 'evaluate',
  description: "A document fingerprint's certificate status: VALID, REVOKED, EXPIRED or UNKNOWN",
  args: { documentSha256 },
  result: CertificateVerification,
  action: null,
});

export const RevokeCertificate = transaction({
  name: 'RevokeCertificate',
  kind: 'submit',
  description: 'The issuer revokes a certificate',
  args: { documentSha256, reason: text(RevocationReason, 'ISSUED_IN_ERROR | SUPERSEDED | FRAUD | COURT_ORDER | OTHER') },
  result: Certificate,
  action: 'REVOKE_CERTIFICATE',
});

// --- Organisation roles ---------------------------------------------------------------------------

export const ReadOrgConfig = transaction({
  name: 'ReadOrgConfig',
  kind: 'evaluate',
  description: 'The organisation roles in force: the supervisor and the issuers of each certificate type',
  args: {},
  result: OrgConfigRecord,
  action: null,
});

export const SetOrgConfig = transaction({
  name: 'SetOrgConfig',
  kind: 'submit',
  description: "Changes the organisation roles (the supervisor's admin; endorsed like every transaction)",
  args: { config: json(OrgConfig, 'JSON OrgConfig: {supervisorMsp, certificateIssuers: {DIPLOMA, TRANSCRIPT, TAX_CLEARANCE, NO_CRIMINAL_RECORD}}') },
  result: OrgConfigRecord,
  action: 'CONFIGURE_ORGS',
});

/** Every transaction, by name. */
export const TRANSACTIONS = {
  RegisterDataset,
  UpdateDataset,
  RetireDataset,
  ReadDataset,
  ListDatasets,
  GetDatasetHistory,
  RequestAccess,
  AttachRequestDetails,
  ApproveAccess,
  DenyAccess,
  WithdrawRequest,
  RevokeAccess,
  CountersignAccess,
  CheckAccess,
  ReadGrant,
  ReadGrantDetails,
  ListGrantsByDataset,
  ListGrantsByRequester,
  ListPendingGrants,
  RecordDelivery,
  QueryAudit,
  IssueCertificate,
  VerifyCertificate,
  RevokeCertificate,
  ReadOrgConfig,
  SetOrgConfig,
} as const;

export type Transactions = typeof TRANSACTIONS;
export type TransactionName = keyof Transactions;
export type AnyTransaction = Transactions[TransactionName];

export const TRANSACTION_LIST: readonly AnyTransaction[] = Object.values(TRANSACTIONS);

export function transactionNamed(name: string): AnyTransaction | undefined {
  return Object.hasOwn(TRANSACTIONS, name) ? TRANSACTIONS[name as TransactionName] : undefined;
}

/**
 * Submits an app may sign with its own key (offline signing): all but those needing transient data, and
 * RecordDelivery, which only the owner's gateway identity makes (an app never holds that key).
 */
export const OFFLINE_TRANSACTION_NAMES = TRANSACTION_LIST.filter(
  (tx) => tx.kind === 'submit' && tx.transient === undefined && tx.action !== 'RECORD_DELIVERY',
).map(
  (tx) => tx.name,
);

// --- Arguments on the wire ------------------------------------------------------------------------

/** The positional string arguments of a call (what the gateway sends). */
export function encodeArguments<T extends TransactionSpec>(tx: T, args: CallArgumentsOf<T>): string[] {
  const values = args as Readonly<Record<string, unknown>>;
  return Object.entries(tx.args).map(([name, spec]) => {
    const value = values[name];
    if (spec.wire === 'json') return JSON.stringify(value);
    // Numbers (page sizes) in decimal: JSON's number syntax.
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}

/** The first zod issue as `INVALID_ARGUMENT: <field>: <reason>`; `name` stands for the value itself. */
export function invalidArgument(error: z.ZodError, name: string): GovshareError {
  const issue = error.issues[0];
  const field = issue === undefined || issue.path.length === 0 ? name : issue.path.map(String).join('.');
  return new GovshareError('INVALID_ARGUMENT', `${field}: ${issue?.message ?? 'is invalid'}`);
}

function decodeArgument(name: string, spec: ArgumentSpec, raw: string): unknown {
  let input: unknown = raw;
  if (spec.wire === 'json') {
    try {
      input = JSON.parse(raw === '' && spec.emptyAs !== undefined ? spec.emptyAs : raw);
    } catch {
      throw new GovshareError('INVALID_ARGUMENT', `${name}: must be a JSON document`);
    }
  }
  const result = spec.schema.safeParse(input);
  if (!result.success) throw invalidArgument(result.error, name);
  return result.data;
}

/**
 * The one place arguments are validated: the chaincode's contract methods (and the unit tests' fake ledger)
 * decode every call through it. Failures are INVALID_ARGUMENT naming the argument or the field.
 */
export function decodeArguments<T extends TransactionSpec>(tx: T, raw: readonly string[]): ArgumentsOf<T> {
  const specs = Object.entries(tx.args);
  if (raw.length !== specs.length) {
    throw new GovshareError('INVALID_ARGUMENT', `${tx.name} takes ${specs.length} argument(s), not ${raw.length}`);
  }
  return Object.fromEntries(specs.map(([name, spec], index) => [name, decodeArgument(name, spec, raw[index] ?? '')])) as ArgumentsOf<T>;
}
