import { Context, Contract, Info, Param, Returns, Transaction } from 'fabric-contract-api';
import { canonicalJson, GovshareError, Identifier } from 'govshare-contract';
import { queryAudit } from '../transactions/audit-trail';
import {
  datasetHistory,
  listDatasets,
  readDataset,
  registerDataset,
  retireDatasetTx,
  updateDatasetTx,
} from '../transactions/catalog';
import { issueCertificateTx, revokeCertificateTx, verifyCertificateTx } from '../transactions/certificates';
import {
  approveAccess,
  attachRequestDetails,
  checkAccess,
  countersignAccess,
  denyAccess,
  listGrants,
  readGrant,
  readGrantDetails,
  recordAccess,
  requestAccess,
  revokeAccess,
  withdrawRequest,
} from '../transactions/grants';
import { viewOf } from '../domain/grants';
import { parseArgument } from '../domain/validation';
import { txInfoOf } from './tx-context';

const PAGE_SIZE = 'Page size, 1-100 (decimal string)';
const BOOKMARK = "Bookmark from the previous page, '' for the first";

/**
 * The one (default) contract, so transaction names are unprefixed. Methods stay thin: each
 * delegates to its area module (catalog, grants, audit trail, certificates), which parses,
 * applies pure domain rules and writes through the ledger helpers. Results are canonical (sorted-key) JSON
 * strings so every endorser returns identical bytes.
 */
@Info({ title: 'GovshareContract', description: 'govshare: data catalogue, access grants, audit trail, e-certificates' })
export class GovshareContract extends Contract {
  constructor() {
    super('govshare');
  }

  /** Unknown names fail with a catalogue code like every other error. */
  override unknownTransaction(ctx: Context): Promise<void> {
    const { fcn } = ctx.stub.getFunctionAndParameters();
    return Promise.reject(new GovshareError('INVALID_ARGUMENT', `unknown transaction '${fcn}'`));
  }

  // --- Catalogue -------------------------------------------------------------------------------

  @Transaction()
  @Param('registration', 'string', 'JSON DatasetRegistration: {id, title, description, classification, fingerprint, themes?, keywords?, fields?, updateFrequency?, license?, contactUnit?}')
  @Returns('string')
  async RegisterDataset(ctx: Context, registration: string): Promise<string> {
    return canonicalJson(await registerDataset(ctx, txInfoOf(ctx), registration));
  }

  @Transaction()
  @Param('id', 'string', 'Dataset id')
  @Param('update', 'string', 'JSON DatasetUpdate: the properties to change; a new fingerprint is a new content version')
  @Returns('string')
  async UpdateDataset(ctx: Context, id: string, update: string): Promise<string> {
    return canonicalJson(await updateDatasetTx(ctx, txInfoOf(ctx), id, update));
  }

  @Transaction()
  @Param('id', 'string', 'Dataset id')
  @Returns('string')
  async RetireDataset(ctx: Context, id: string): Promise<string> {
    return canonicalJson(await retireDatasetTx(ctx, txInfoOf(ctx), id));
  }

  @Transaction(false)
  @Param('id', 'string', 'Dataset id')
  @Returns('string')
  async ReadDataset(ctx: Context, id: string): Promise<string> {
    return canonicalJson(await readDataset(ctx, parseArgument(Identifier, id)));
  }

  @Transaction(false)
  @Param('by', 'string', 'all | owner | theme | classification')
  @Param('value', 'string', "The owner MSP id, theme or classification ('' for all)")
  @Param('pageSize', 'string', PAGE_SIZE)
  @Param('bookmark', 'string', BOOKMARK)
  @Returns('string')
  async ListDatasets(ctx: Context, by: string, value: string, pageSize: string, bookmark: string): Promise<string> {
    return canonicalJson(await listDatasets(ctx, by, value, pageSize, bookmark));
  }

  @Transaction(false)
  @Param('id', 'string', 'Dataset id')
  @Returns('string')
  async GetDatasetHistory(ctx: Context, id: string): Promise<string> {
    return canonicalJson(await datasetHistory(ctx, id));
  }

  // --- Access grants ---------------------------------------------------------------------------

  @Transaction()
  @Param('request', 'string', 'JSON AccessRequest: {datasetId, purpose: {code, text}, legalBasis, fields, notBefore, notAfter, privateDetailsSha256?}')
  @Returns('string')
  async RequestAccess(ctx: Context, request: string): Promise<string> {
    return canonicalJson(await requestAccess(ctx, txInfoOf(ctx), request));
  }

  @Transaction()
  @Param('grantId', 'string', 'Grant id of a PENDING request that declared privateDetailsSha256')
  @Returns('string')
  async AttachRequestDetails(ctx: Context, grantId: string): Promise<string> {
    return canonicalJson(await attachRequestDetails(ctx, txInfoOf(ctx), grantId));
  }

  @Transaction()
  @Param('grantId', 'string', 'Grant id')
  @Param('approval', 'string', "JSON AccessApproval {fields?, notAfter?} narrowing the request, or '' / '{}'")
  @Returns('string')
  async ApproveAccess(ctx: Context, grantId: string, approval: string): Promise<string> {
    return canonicalJson(await approveAccess(ctx, txInfoOf(ctx), grantId, approval));
  }

  @Transaction()
  @Param('grantId', 'string', 'Grant id')
  @Param('reason', 'string', 'Reason, 1-500 characters, no personal data')
  @Returns('string')
  async DenyAccess(ctx: Context, grantId: string, reason: string): Promise<string> {
    return canonicalJson(await denyAccess(ctx, txInfoOf(ctx), grantId, reason));
  }

  @Transaction()
  @Param('grantId', 'string', 'Grant id')
  @Returns('string')
  async WithdrawRequest(ctx: Context, grantId: string): Promise<string> {
    return canonicalJson(await withdrawRequest(ctx, txInfoOf(ctx), grantId));
  }

  @Transaction()
  @Param('grantId', 'string', 'Grant id')
  @Param('reason', 'string', 'Reason, 1-500 characters, no personal data')
  @Returns('string')
  async RevokeAccess(ctx: Context, grantId: string, reason: string): Promise<string> {
    return canonicalJson(await revokeAccess(ctx, txInfoOf(ctx), grantId, reason));
  }

  @Transaction()
  @Param('grantId', 'string', 'Grant id (on a SECRET dataset)')
  @Returns('string')
  async CountersignAccess(ctx: Context, grantId: string): Promise<string> {
    return canonicalJson(await countersignAccess(ctx, txInfoOf(ctx), grantId));
  }

  @Transaction(false)
  @Param('datasetId', 'string', 'Dataset id')
  @Param('requesterMsp', 'string', 'Requesting organisation MSP id')
  @Param('fields', 'string', 'JSON array of field names')
  @Returns('string')
  async CheckAccess(ctx: Context, datasetId: string, requesterMsp: string, fields: string): Promise<string> {
    return canonicalJson(await checkAccess(ctx, txInfoOf(ctx), datasetId, requesterMsp, fields));
  }

  @Transaction(false)
  @Param('grantId', 'string', 'Grant id')
  @Returns('string')
  async ReadGrant(ctx: Context, grantId: string): Promise<string> {
    return canonicalJson(viewOf(await readGrant(ctx, grantId), txInfoOf(ctx).timestamp));
  }

  @Transaction(false)
  @Param('grantId', 'string', 'Grant id')
  @Returns('string')
  async ReadGrantDetails(ctx: Context, grantId: string): Promise<string> {
    return canonicalJson(await readGrantDetails(ctx, txInfoOf(ctx), grantId));
  }

  @Transaction(false)
  @Param('datasetId', 'string', 'Dataset id')
  @Param('pageSize', 'string', PAGE_SIZE)
  @Param('bookmark', 'string', BOOKMARK)
  @Returns('string')
  async ListGrantsByDataset(ctx: Context, datasetId: string, pageSize: string, bookmark: string): Promise<string> {
    return canonicalJson(await listGrants(ctx, txInfoOf(ctx), 'dataset', datasetId, pageSize, bookmark));
  }

  @Transaction(false)
  @Param('requesterMsp', 'string', 'Requesting organisation MSP id')
  @Param('pageSize', 'string', PAGE_SIZE)
  @Param('bookmark', 'string', BOOKMARK)
  @Returns('string')
  async ListGrantsByRequester(ctx: Context, requesterMsp: string, pageSize: string, bookmark: string): Promise<string> {
    return canonicalJson(await listGrants(ctx, txInfoOf(ctx), 'requester', requesterMsp, pageSize, bookmark));
  }

  @Transaction(false)
  @Param('ownerMsp', 'string', 'Owning organisation MSP id')
  @Param('pageSize', 'string', PAGE_SIZE)
  @Param('bookmark', 'string', BOOKMARK)
  @Returns('string')
  async ListPendingGrants(ctx: Context, ownerMsp: string, pageSize: string, bookmark: string): Promise<string> {
    return canonicalJson(await listGrants(ctx, txInfoOf(ctx), 'pending', ownerMsp, pageSize, bookmark));
  }

  // --- Audit trail -----------------------------------------------------------------------------

  @Transaction()
  @Param('grantId', 'string', 'Grant the data is fetched under')
  @Param('payloadSha256', 'string', 'SHA-256 of the payload delivered')
  @Param('fields', 'string', 'JSON array of the field names delivered')
  @Returns('string')
  async RecordAccess(ctx: Context, grantId: string, payloadSha256: string, fields: string): Promise<string> {
    return canonicalJson(await recordAccess(ctx, txInfoOf(ctx), grantId, payloadSha256, fields));
  }

  @Transaction(false)
  @Param('query', 'string', 'JSON AuditQuery: {datasetId? | actorMsp?, from, to, pageSize?, bookmark?}')
  @Returns('string')
  async QueryAudit(ctx: Context, query: string): Promise<string> {
    return canonicalJson(await queryAudit(ctx, txInfoOf(ctx), query));
  }

  // --- E-certificates --------------------------------------------------------------------------

  @Transaction()
  @Param('type', 'string', 'DIPLOMA | TRANSCRIPT (Education), TAX_CLEARANCE (Finance), NO_CRIMINAL_RECORD (Justice)')
  @Param('documentSha256', 'string', 'SHA-256 of the certificate document')
  @Param('subjectPseudonym', 'string', 'Salted SHA-256 of the subject, computed off chain')
  @Param('notAfter', 'string', 'ISO 8601 end of validity')
  @Returns('string')
  async IssueCertificate(ctx: Context, type: string, documentSha256: string, subjectPseudonym: string, notAfter: string): Promise<string> {
    return canonicalJson(await issueCertificateTx(ctx, txInfoOf(ctx), type, documentSha256, subjectPseudonym, notAfter));
  }

  @Transaction(false)
  @Param('documentSha256', 'string', 'SHA-256 of the certificate document')
  @Returns('string')
  async VerifyCertificate(ctx: Context, documentSha256: string): Promise<string> {
    return canonicalJson(await verifyCertificateTx(ctx, txInfoOf(ctx), documentSha256));
  }

  @Transaction()
  @Param('documentSha256', 'string', 'SHA-256 of the certificate document')
  @Param('reason', 'string', 'ISSUED_IN_ERROR | SUPERSEDED | FRAUD | COURT_ORDER | OTHER')
  @Returns('string')
  async RevokeCertificate(ctx: Context, documentSha256: string, reason: string): Promise<string> {
    return canonicalJson(await revokeCertificateTx(ctx, txInfoOf(ctx), documentSha256, reason));
  }
}
