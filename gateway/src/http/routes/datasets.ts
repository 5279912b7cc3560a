import type { Router } from 'express';
import { DatasetRegistration, Identifier } from 'govshare-chaincode/model';

import type { DatasetService } from '../../services/datasetService';
import { authenticatedUser } from '../auth';
import { resourceRouter } from '../metrics';
import { HttpProblem } from '../problem';
import { parseOrThrow } from '../validation';

export function datasetsRouter(datasets: DatasetService): Router {
  const router = resourceRouter();

  router.post('/', async (req, res) => {
    if (!req.is('application/json')) {
      throw new HttpProblem({
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
        title: 'Unsupported media type',
        detail: 'Send the dataset as application/json',
      });
    }
    const registration = parseOrThrow(DatasetRegistration, req.body, 'dataset registration');
    const { dataset, txId, blockNumber } = await datasets.registerDataset(authenticatedUser(req), registration);
    res
      .status(201)
      .location(`${req.baseUrl}/${encodeURIComponent(dataset.id)}`)
      // blockNumber is a uint64 on the ledger: a decimal string never loses precision in JSON.
      .json({ ...dataset, txId, blockNumber: blockNumber.toString() });
  });

  router.get('/:id', async (req, res) => {
    const id = parseOrThrow(Identifier, req.params.id, 'dataset id');
    res.json(await datasets.readDataset(authenticatedUser(req), id));
  });

  return router;
}
