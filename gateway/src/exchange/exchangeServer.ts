import type { X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import { TLSSocket } from 'node:tls';

import express, { type Express, type Request } from 'express';
import { FieldName, Identifier } from 'govshare-contract';
import type { Logger } from 'pino';
import { z } from 'zod';

import { appServerOptions } from '../http/appServer';
import { problemErrorHandler, routeNotFound } from '../http/errorHandler';
import { HttpProblem } from '../http/problem';
import { requestLogging } from '../http/requestLogging';
import { commaList } from '../http/routes/common';
import { parseOrThrow } from '../http/validation';
import type { AuthenticatedUser } from '../identity/user';
import type { DatasetService } from '../services/datasetService';
import type { GrantService } from '../services/grantService';
import type { PayloadStore } from './payloadStore';
import { peerMspOf, type ExchangePeer } from './peers';

export interface ExchangeAppDeps {
  readonly logger: Logger;
  /** The organisation this gateway serves: it hands out only the datasets this organisation owns. */
  readonly mspId: string;
  /** The gateway's own identity for the ledger checks (the requesting organisation has no identity here). */
  readonly serviceUser: AuthenticatedUser;
  readonly datasets: DatasetService;
  readonly grants: GrantService;
  readonly store: PayloadStore;
  /** The requesting organisation, from the TLS client certificate; undefined when it is no known department. */
  readonly identifyPeer: (req: Request) => string | undefined;
}

const Params = z.object({ id: Identifier });
const Query = z.object({ fields: commaList(FieldName) });

export const PAYLOAD_SHA256_HEADER = 'X-Payload-Sha256';

/**
 * The owner side of the data exchange: another department's gateway asks for a dataset's payload and gets it only
 * if the ledger says its organisation holds an active grant covering the fields it asks for.
 */
export function createExchangeApp(deps: ExchangeAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestLogging(deps.logger));

  app.get('/exchange/datasets/:id/data', async (req, res) => {
    const requesterMsp = deps.identifyPeer(req);
    if (requesterMsp === undefined) {
      throw new HttpProblem({
        status: 403,
        code: 'UNKNOWN_PEER',
        title: 'Unknown peer',
        detail: "The client certificate is not a known department's TLS client certificate",
      });
    }
    const { id } = parseOrThrow(Params, req.params, 'path parameters');
    const { fields } = parseOrThrow(Query, req.query, 'query parameters');
    const dataset = await deps.datasets.readDataset(deps.serviceUser, id);
    if (dataset.ownerMsp !== deps.mspId) {
      throw new HttpProblem({ status: 404, code: 'NOT_OWNER', title: 'Not found', detail: `${deps.mspId} does not own dataset '${id}'` });
    }
    const check = await deps.grants.checkAccess(deps.serviceUser, id, requesterMsp, fields);
    req.log.info({ requesterMsp, datasetId: id, decision: check.decision, reason: check.reason, grantId: check.grantId }, 'payload request');
    if (check.decision !== 'GRANTED') {
      throw new HttpProblem({
        status: 403,
        code: 'ACCESS_DENIED',
        title: 'Access denied',
        detail: `${requesterMsp} may not read these fields of dataset '${id}': ${check.reason}`,
        extensions: { reason: check.reason, ...(check.grantId === undefined ? {} : { grantId: check.grantId }) },
      });
    }
    const bytes = await deps.store.load(id, dataset.fingerprint);
    if (bytes === undefined) {
      throw new HttpProblem({
        status: 404,
        code: 'PAYLOAD_NOT_AVAILABLE',
        title: 'Not found',
        detail: `No payload with the committed fingerprint of dataset '${id}' is stored`,
      });
    }
    // The whole content goes out: the requester verifies it against the on-chain fingerprint, then projects it.
    res.status(200).type('application/json').set(PAYLOAD_SHA256_HEADER, dataset.fingerprint).send(bytes);
  });

  app.use(routeNotFound);
  app.use(problemErrorHandler);
  return app;
}

/** The organisation of the TLS client behind `req`, from its verified certificate's issuing CA. */
export function tlsPeerIdentifier(peers: readonly ExchangePeer[]): (req: Request) => string | undefined {
  return (req) => {
    const socket = req.socket;
    if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined;
    const certificate: X509Certificate | undefined = socket.getPeerX509Certificate();
    return certificate === undefined ? undefined : peerMspOf(certificate, peers);
  };
}

export interface ExchangeServerOptions {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly peers: readonly ExchangePeer[];
}

/** HTTPS with mandatory client certificates from one of the departments' CAs. */
export function createExchangeServer(app: Express, options: ExchangeServerOptions): Server {
  return createServer(
    {
      cert: options.cert,
      key: options.key,
      ca: options.peers.map((peer) => peer.tlsRootCert),
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.3',
      ...appServerOptions(app),
    },
    app,
  );
}
