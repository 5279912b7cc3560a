import { createServer, type Server } from 'node:https';
import { TLSSocket } from 'node:tls';

import express, { type Express, type Request, type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { FieldName, Identifier, sha256Hex, type AccessReceipt } from 'govshare-contract';
import type { Logger } from 'pino';
import { z } from 'zod';

import { appServerOptions } from '../performance/appServer';
import { problemErrorHandler, routeNotFound } from '../http/errorHandler';
import { HttpProblem } from '../http/problem';
import { requestLogging } from '../http/requestLogging';
import { commaList } from '../http/routes/common';
import { parseOrThrow } from '../http/validation';
import type { AuthenticatedUser } from '../identity/user';
import type { DatasetService } from '../services/datasetService';
import type { GrantService } from '../services/grantService';
import type { Committed } from '../services/ledgerJson';
import { GovshareChaincodeError } from '../fabric/errors';
import { CONTENT_FINGERPRINT_HEADER, GRANT_ID_HEADER, PAYLOAD_SHA256_HEADER } from './headers';
import { canonicalPayload, parsePayload, projectRecords } from './payload';
import type { PayloadStore } from './payloadStore';
import { encodeReceiptHeader, RECEIPT_HEADER, type AccessReceiptBody, type SignedAccessReceipt } from './receipts';
import { classifyExchangeClient, type ExchangeClient, type ExchangePeer } from './peers';

/** How much one owner's exchange serves: per requesting organisation per window, and at once. */
export interface ExchangeLimits {
  readonly windowMs: number;
  /** Requests per requesting organisation per window. */
  readonly maxRequests: number;
  /** Transfers in progress at once, all requesters together. */
  readonly maxConcurrentTransfers: number;
  /** Transfers in progress at once for one requesting organisation (so one cannot take every slot). */
  readonly maxConcurrentPerRequester: number;
}

export const DEFAULT_EXCHANGE_LIMITS: ExchangeLimits = {
  windowMs: 60_000,
  maxRequests: 300,
  maxConcurrentTransfers: 8,
  maxConcurrentPerRequester: 4,
};

export interface ExchangeAppDeps {
  readonly logger: Logger;
  /** The organisation this gateway serves: it hands out only the datasets this organisation owns. */
  readonly mspId: string;
  /**
   * The gateway's own identity (govshare.role=gateway) for the ledger: the requesting organisation has no
   * identity here. Its services must evaluate on this organisation's own peer (ownPeerLedger).
   */
  readonly serviceUser: AuthenticatedUser;
  readonly datasets: DatasetService;
  readonly grants: GrantService;
  readonly store: PayloadStore;
  /** Signs the receipt of a released delivery with the gateway identity's key. */
  readonly signReceipt: (receipt: AccessReceiptBody) => SignedAccessReceipt;
  /** Who is calling, from the verified TLS client certificate. */
  readonly identifyClient: (req: Request) => ExchangeClient;
  readonly limits?: ExchangeLimits;
}

const Params = z.object({ id: Identifier });
const Query = z.object({ fields: commaList(FieldName) });


interface Requester {
  readonly mspId: string;
}

function requesterOf(res: express.Response): Requester {
  const requester = res.locals.requester as Requester | undefined;
  if (requester === undefined) throw new Error('the exchange client was not identified');
  return requester;
}

/** Only another department's gateway certificate gets past this; everything else is 403 with a stable code. */
function onlyGateways(identify: (req: Request) => ExchangeClient): RequestHandler {
  return (req, res, next) => {
    const client = identify(req);
    if (client.kind === 'untrusted') {
      throw new HttpProblem({ status: 403, code: 'EXCHANGE_CLIENT_UNTRUSTED', title: 'Unknown client', detail: client.detail });
    }
    if (client.kind === 'not-gateway') {
      throw new HttpProblem({
        status: 403,
        code: 'EXCHANGE_CLIENT_NOT_GATEWAY',
        title: 'Not a gateway',
        detail: `${client.detail}: only a department's gateway certificate may use the data exchange`,
      });
    }
    res.locals.requester = { mspId: client.mspId } satisfies Requester;
    next();
  };
}

function perRequesterRateLimit(limits: ExchangeLimits): RequestHandler {
  return rateLimit({
    windowMs: limits.windowMs,
    limit: limits.maxRequests,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (_req, res) => requesterOf(res).mspId,
    handler: (_req, res, next) => {
      next(
        new HttpProblem({
          status: 429,
          code: 'RATE_LIMITED',
          title: 'Too many requests',
          detail: `${requesterOf(res).mspId} sent more than ${limits.maxRequests} requests in ${Math.round(limits.windowMs / 1000)} s; retry later`,
        }),
      );
    },
  });
}

/** At most `maxConcurrentTransfers` requests in progress (and `maxConcurrentPerRequester` per organisation); 503 beyond. */
function concurrencyCap(limits: ExchangeLimits): RequestHandler {
  let total = 0;
  const perRequester = new Map<string, number>();
  return (_req, res, next) => {
    const { mspId } = requesterOf(res);
    const mine = perRequester.get(mspId) ?? 0;
    if (total >= limits.maxConcurrentTransfers || mine >= limits.maxConcurrentPerRequester) {
      throw new HttpProblem(
        {
          status: 503,
          code: 'EXCHANGE_BUSY',
          title: 'Too many transfers',
          detail:
            mine >= limits.maxConcurrentPerRequester
              ? `${mspId} already has ${mine} transfers in progress (at most ${limits.maxConcurrentPerRequester}); retry shortly`
              : `The exchange serves at most ${limits.maxConcurrentTransfers} transfers at once; retry shortly`,
        },
        { 'Retry-After': '1' },
      );
    }
    total += 1;
    perRequester.set(mspId, mine + 1);
    res.once('close', () => {
      total -= 1;
      const left = (perRequester.get(mspId) ?? 1) - 1;
      if (left === 0) perRequester.delete(mspId);
      else perRequester.set(mspId, left);
    });
    next();
  };
}

/**
 * The owner side of the data exchange: another department's gateway asks for fields of a dataset and gets exactly
 * those fields, and only if this organisation's own peer says the requester holds an active grant covering them.
 * The projection happens here: a field that was not granted never leaves this process.
 */
export function createExchangeApp(deps: ExchangeAppDeps): Express {
  const limits = deps.limits ?? DEFAULT_EXCHANGE_LIMITS;
  const app = express();
  app.disable('x-powered-by');
  app.use(requestLogging(deps.logger));
  app.use(onlyGateways(deps.identifyClient));
  app.use(perRequesterRateLimit(limits));

  app.get('/exchange/datasets/:id/data', concurrencyCap(limits), async (req, res) => {
    const { mspId: requesterMsp } = requesterOf(res);
    const { id } = parseOrThrow(Params, req.params, 'path parameters');
    const { fields } = parseOrThrow(Query, req.query, 'query parameters');
    const dataset = await deps.datasets.readDataset(deps.serviceUser, id);
    if (dataset.ownerMsp !== deps.mspId) {
      throw new HttpProblem({ status: 404, code: 'NOT_OWNER', title: 'Not found', detail: `${deps.mspId} does not own dataset '${id}'` });
    }
    const check = await deps.grants.checkAccess(deps.serviceUser, id, requesterMsp, fields);
    let projected: Buffer | undefined;
    if (check.decision === 'GRANTED') {
      const bytes = await deps.store.load(id, dataset.fingerprint);
      if (bytes === undefined || sha256Hex(bytes) !== dataset.fingerprint) {
        throw new HttpProblem({
          status: 404,
          code: 'PAYLOAD_NOT_AVAILABLE',
          title: 'Not found',
          detail: `No payload with the committed fingerprint of dataset '${id}' is stored`,
        });
      }
      // Granted ∩ requested: CheckAccess granted only if every requested field is granted, so this is `fields`.
      projected = canonicalPayload(projectRecords(parsePayload(bytes), fields));
    }
    // Recorded before anything leaves, granted or refused, and waited for VALID: no record, no data. A refusal
    // names the empty payload (nothing was released).
    const payloadSha256 = sha256Hex(projected ?? Buffer.alloc(0));
    let record: Committed<AccessReceipt>;
    try {
      record = await deps.grants.recordDelivery(deps.serviceUser, {
        datasetId: id,
        requesterMsp,
        fields: [...fields],
        contentFingerprint: dataset.fingerprint,
        payloadSha256,
      });
    } catch (err) {
      if (err instanceof GovshareChaincodeError) throw err;
      req.log.error({ err, requesterMsp, datasetId: id }, 'the delivery could not be recorded; nothing released');
      throw new HttpProblem(
        {
          status: 503,
          code: 'DELIVERY_NOT_RECORDED',
          title: 'Delivery not recorded',
          detail: `The delivery of dataset '${id}' could not be recorded on the ledger, so nothing was released; retry later`,
        },
        { 'Retry-After': '5' },
      );
    }
    const decision = record.value;
    req.log.info(
      { requesterMsp, datasetId: id, decision: decision.decision, reason: decision.reason, grantId: decision.grantId, txId: record.txId },
      'delivery recorded',
    );
    // Released only when this organisation's own peer and the committed record both grant it.
    if (projected === undefined || check.decision !== 'GRANTED' || decision.decision !== 'GRANTED' || decision.grantId === undefined) {
      const reason = decision.decision === 'GRANTED' ? check.reason : decision.reason;
      throw new HttpProblem({
        status: 403,
        code: 'ACCESS_DENIED',
        title: 'Access denied',
        detail: `${requesterMsp} may not read these fields of dataset '${id}': ${reason}; the refusal is recorded on the ledger`,
        txId: record.txId,
        extensions: {
          reason,
          ...(decision.grantId === undefined ? {} : { grantId: decision.grantId }),
          receipt: { ...decision, blockNumber: record.blockNumber.toString() },
        },
      });
    }
    const signed = deps.signReceipt({
      datasetId: id,
      grantId: decision.grantId,
      ownerMsp: deps.mspId,
      requesterMsp,
      fields: decision.fields,
      payloadSha256,
      contentFingerprint: decision.contentFingerprint,
      txId: record.txId,
      blockNumber: record.blockNumber.toString(),
      timestamp: decision.timestamp,
    });
    res
      .status(200)
      .type('application/json')
      .set(PAYLOAD_SHA256_HEADER, payloadSha256)
      .set(CONTENT_FINGERPRINT_HEADER, dataset.fingerprint)
      .set(GRANT_ID_HEADER, decision.grantId)
      .set(RECEIPT_HEADER, encodeReceiptHeader(signed))
      .send(projected);
  });

  app.use(routeNotFound);
  app.use(problemErrorHandler);
  return app;
}

/** Who is behind `req`: its TLS client certificate, verified by the handshake against the departments' CAs. */
export function tlsClientIdentifier(peers: readonly ExchangePeer[]): (req: Request) => ExchangeClient {
  return (req) => {
    const socket = req.socket;
    if (!(socket instanceof TLSSocket) || !socket.authorized) {
      return classifyExchangeClient(undefined, peers);
    }
    return classifyExchangeClient(socket.getPeerX509Certificate(), peers);
  };
}

export interface ExchangeServerOptions {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly peers: readonly ExchangePeer[];
}

/**
 * HTTPS asking every client for a certificate from one of the departments' CAs. The handshake does not reject
 * the others: the app answers them 403 with a stable code (tlsClientIdentifier sees socket.authorized false).
 */
export function createExchangeServer(app: Express, options: ExchangeServerOptions): Server {
  return createServer(
    {
      cert: options.cert,
      key: options.key,
      ca: options.peers.map((peer) => peer.tlsRootCert),
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.3',
      ...appServerOptions(app),
    },
    app,
  );
}
