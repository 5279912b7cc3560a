import { Context } from 'fabric-contract-api';
import { GovshareError, type Caller, type OrgConfig } from 'govshare-contract';
import type { TxInfo } from '../domain/tx';
import { isoFromTimestamp } from '../ledger/time';

/**
 * The CN from a fabric-shim ClientIdentity id, `x509::/C=US/.../CN=name::/C=US/.../CN=ca`.
 * Only the subject (before the issuer) is searched; the shim escapes '/' inside values as '\/'.
 * Falls back to the whole id when the subject has no CN, so the actor is never empty.
 */
export function enrolmentIdFromX509Id(x509Id: string): string {
  const subject = x509Id.startsWith('x509::') ? x509Id.slice('x509::'.length).split('::')[0] ?? '' : '';
  const match = /(?:^|\/)CN=((?:\\\/|[^/])+)/.exec(subject);
  const cn = match?.[1];
  return cn === undefined ? x509Id : cn.replace(/\\\//g, '/');
}

/** The ecert attribute of an organisation's gateway identity (registered only by the org's operator). */
export const GATEWAY_ROLE_ATTRIBUTE = 'govshare.role';

/** The one place that reads the caller from the client certificate. */
export function callerOf(ctx: Context): Caller {
  return {
    mspId: ctx.clientIdentity.getMSPID(),
    id: enrolmentIdFromX509Id(ctx.clientIdentity.getID()),
    role: ctx.clientIdentity.getAttributeValue('role'),
    gateway: ctx.clientIdentity.getAttributeValue(GATEWAY_ROLE_ATTRIBUTE) === 'gateway',
  };
}

/**
 * The transaction context of every govshare transaction (GovshareContract.createContext): Fabric's stub and
 * client identity, plus the transaction's facts read once. Time comes only from the proposal timestamp: the
 * endorsers' clocks differ, and any difference would make their read/write sets disagree.
 */
export class GovshareContext extends Context {
  #tx: TxInfo | undefined;
  #orgConfig: OrgConfig | undefined;

  /** The organisation roles in force (OrgConfig), loaded once per transaction before its use case runs. */
  get orgConfig(): OrgConfig {
    if (this.#orgConfig === undefined) throw new GovshareError('INTERNAL', 'the org configuration was not loaded');
    return this.#orgConfig;
  }

  set orgConfig(config: OrgConfig) {
    this.#orgConfig = config;
  }

  /** Transaction id, time (ISO 8601 UTC) and caller. */
  get tx(): TxInfo {
    if (this.#tx === undefined) {
      const { seconds, nanos } = this.stub.getTxTimestamp();
      this.#tx = { txId: this.stub.getTxID(), timestamp: isoFromTimestamp(seconds.toNumber(), nanos), caller: callerOf(this) };
    }
    return this.#tx;
  }
}
