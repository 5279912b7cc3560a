import type { ChaincodeEventSource } from './chaincodeEvents';
import { FabricBlockArchive } from './archiveAdapter';
import { FabricConnection, type FabricConnectionOptions } from './connection';
import { FabricChaincodeEvents } from './eventAdapter';
import type { LedgerArchive } from './ledgerArchive';
import type { LedgerClient } from './ledgerClient';
import type { ChannelRecords } from './ledgerRecords';
import { instrumentArchive, instrumentEvents, instrumentLedger, instrumentOffline, type FabricMetrics } from './metrics';
import { FabricOfflineSigning } from './offlineAdapter';
import type { OfflineTransactions } from './offlineSigning';
import { FabricTransactions, type FabricTransactionsOptions } from './transactionAdapter';

/** The gateway's whole view of Fabric: four adapters, one per side of the peer, over one shared connection. */
export interface FabricAdapters {
  /** The peer connection and the users' credentials: readiness, run-time enrolment (addCredentials), close. */
  readonly connection: FabricConnection;
  /** Submit and evaluate the govshare chaincode. */
  readonly transactions: LedgerClient;
  /** The chaincode's events. */
  readonly events: ChaincodeEventSource;
  /** Blocks, transactions and channel configuration as the peer has them. */
  readonly archive: LedgerArchive & ChannelRecords;
  /** The relay of messages apps sign with their own keys. */
  readonly offline: OfflineTransactions;
}

export type FabricAdaptersOptions = FabricConnectionOptions & FabricTransactionsOptions;

/** Connects to the peer and builds the four adapters; with `metrics`, every call of each adapter is timed. */
export function createFabricAdapters(options: FabricAdaptersOptions, metrics?: FabricMetrics): FabricAdapters {
  const connection = new FabricConnection(options);
  const transactions = new FabricTransactions(connection, options);
  const events = new FabricChaincodeEvents(connection);
  const archive = new FabricBlockArchive(connection);
  const offline = new FabricOfflineSigning(connection);
  if (metrics === undefined) return { connection, transactions, events, archive, offline };
  return {
    connection,
    transactions: instrumentLedger(transactions, metrics),
    events: instrumentEvents(events, metrics),
    archive: instrumentArchive(archive, metrics),
    offline: instrumentOffline(offline, metrics),
  };
}
