import type { LedgerClient } from '../src/fabric/ledgerClient';
import { createDatasetService } from '../src/services/datasetService';

const user = { id: 'education-officer', role: 'officer', mspId: 'EducationMSP' } as const;

function ledgerReturning(payload: string): LedgerClient {
  return {
    submit: () => Promise.resolve({ result: Buffer.from(payload), txId: 'tx1', blockNumber: 1n }),
    evaluate: () => Promise.resolve(Buffer.from(payload)),
    checkReady: () => Promise.resolve(),
    close: () => undefined,
  };
}

describe('DatasetService', () => {
  it('rejects a chaincode reply that does not match the shared Dataset model', async () => {
    const service = createDatasetService(ledgerReturning(JSON.stringify({ id: 'x' })));

    await expect(service.readDataset(user, 'x')).rejects.toThrow('ReadDataset returned an unexpected shape');
  });

  it('rejects a chaincode reply that is not JSON', async () => {
    const service = createDatasetService(ledgerReturning('not json'));

    await expect(service.readDataset(user, 'x')).rejects.toThrow('ReadDataset returned a payload that is not JSON');
  });
});
