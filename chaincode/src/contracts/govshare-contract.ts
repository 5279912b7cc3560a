import { Context, Contract, Info, Param, Returns, Transaction } from 'fabric-contract-api';
import {
  authorize,
  canonicalJson,
  decodeArguments,
  GovshareError,
  TRANSACTION_LIST,
  type AnyTransaction,
  type ArgumentSpec,
  type ArgumentsOf,
  type ResultOf,
  type TransactionName,
  type Transactions,
} from 'govshare-contract';
import { OrgConfigRepository } from '../repositories/orgConfig';
import * as auditTrail from '../usecases/audit-trail';
import * as catalog from '../usecases/catalog';
import * as certificates from '../usecases/certificates';
import * as grants from '../usecases/grants';
import * as orgRoles from '../usecases/org-config';
import { GovshareContext } from './context';

/** The use case behind each transaction of the table; a table entry without one does not compile. */
type UseCases = {
  readonly [N in TransactionName]: (ctx: GovshareContext, args: ArgumentsOf<Transactions[N]>) => Promise<ResultOf<Transactions[N]>>;
};

const USE_CASES: UseCases = {
  RegisterDataset: catalog.registerDataset,
  UpdateDataset: catalog.updateDatasetMetadata,
  RetireDataset: catalog.retire,
  ReadDataset: catalog.readDataset,
  ListDatasets: catalog.listDatasets,
  GetDatasetHistory: catalog.datasetHistory,
  RequestAccess: grants.requestAccess,
  AttachRequestDetails: grants.attachRequestDetails,
  ApproveAccess: grants.approveAccess,
  DenyAccess: grants.denyAccess,
  WithdrawRequest: grants.withdrawRequest,
  RevokeAccess: grants.revokeAccess,
  CountersignAccess: grants.countersignAccess,
  CheckAccess: grants.checkAccess,
  ReadGrant: grants.readGrant,
  ReadGrantDetails: grants.readGrantDetails,
  ListGrantsByDataset: grants.listGrantsByDataset,
  ListGrantsByRequester: grants.listGrantsByRequester,
  ListPendingGrants: grants.listPendingGrants,
  RecordDelivery: grants.recordDelivery,
  QueryAudit: auditTrail.queryAudit,
  IssueCertificate: certificates.issue,
  VerifyCertificate: certificates.verify,
  RevokeCertificate: certificates.revoke,
  ReadOrgConfig: orgRoles.readOrgConfig,
  SetOrgConfig: orgRoles.setOrgConfig,
};

/**
 * Every transaction of the table, in one adapter: who may call (the table's action) is checked first, then
 * every argument is decoded and validated (decodeArguments), then the use case runs. Results are canonical
 * (sorted-key) JSON so every endorser returns identical bytes.
 */
async function run(ctx: GovshareContext, tx: AnyTransaction, raw: readonly string[]): Promise<string> {
  ctx.orgConfig = await new OrgConfigRepository(ctx).current();
  if (tx.action !== null) authorize(ctx.tx.caller, tx.action, ctx.orgConfig.supervisorMsp);
  const useCase = USE_CASES[tx.name] as (ctx: GovshareContext, args: unknown) => Promise<unknown>;
  return canonicalJson(await useCase(ctx, decodeArguments(tx, raw)));
}

/**
 * The one (default) contract, so transaction names are unprefixed. Its methods are generated from the
 * transaction table (govshare-contract) below the class: the same decorators fabric-contract-api's metadata
 * reads (@Transaction, @Param, @Returns), applied to one thin method per table entry.
 */
@Info({ title: 'GovshareContract', description: 'govshare: data catalogue, access grants, audit trail, e-certificates' })
export class GovshareContract extends Contract {
  constructor() {
    super('govshare');
  }

  override createContext(): GovshareContext {
    return new GovshareContext();
  }

  /** Unknown names fail with a catalogue code like every other error. */
  override unknownTransaction(ctx: Context): Promise<void> {
    const { fcn } = ctx.stub.getFunctionAndParameters();
    return Promise.reject(new GovshareError('INVALID_ARGUMENT', `unknown transaction '${fcn}'`));
  }
}

for (const tx of TRANSACTION_LIST) {
  const prototype = GovshareContract.prototype as unknown as Record<string, unknown>;
  prototype[tx.name] = function (this: GovshareContract, ctx: GovshareContext, ...args: string[]): Promise<string> {
    return run(ctx, tx, args);
  };
  // Decorators in the order TypeScript applies them to a method: @Transaction first registers the
  // transaction, each @Param then adds one parameter in order, @Returns the result.
  Transaction(tx.kind === 'submit')(prototype, tx.name);
  for (const [name, spec] of Object.entries<ArgumentSpec>(tx.args)) Param(name, 'string', spec.description)(prototype, tx.name);
  Returns('string')(prototype, tx.name);
}

/** The generated methods, for callers that invoke them directly (unit tests); Fabric dispatches by name. */
export type TransactionMethods = {
  readonly [N in TransactionName]: (ctx: Context, ...args: string[]) => Promise<string>;
};
