import { execFileSync } from 'node:child_process';

import request from 'supertest';

import { GovshareChaincodeError, InvalidMessageError } from '../src/fabric/errors';
import type { OfflineIdentity, OfflineTransactions } from '../src/fabric/offlineSigning';
import { buildTestApp, OFFICER_TOKEN } from './support/testApp';

const auth = { Authorization: `Bearer ${OFFICER_TOKEN}` };

const certificate = execFileSync(
  'openssl',
  ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=app', '-keyout', '/dev/null'],
  { encoding: 'utf8' },
);

/** Records what the gateway relays; every message is `<step>:<input>` so the test can follow the bytes. */
class FakeOffline implements OfflineTransactions {
  readonly seen: { step: string; identity: OfflineIdentity; bytes: string; signature?: string }[] = [];
  endorseError: Error | undefined;

  prepare(identity: OfflineIdentity, txName: string, args: readonly string[]) {
    this.seen.push({ step: 'prepare', identity, bytes: `${txName}(${args.join(',')})` });
    return { txId: 'tx1', bytes: Buffer.from('proposal'), digest: Buffer.from('proposal-digest') };
  }

  endorseSigned(identity: OfflineIdentity, proposal: Uint8Array, signature: Uint8Array) {
    this.seen.push({ step: 'endorse', identity, bytes: Buffer.from(proposal).toString(), signature: Buffer.from(signature).toString() });
    if (this.endorseError !== undefined) return Promise.reject(this.endorseError);
    return Promise.resolve({ txId: 'tx1', bytes: Buffer.from('transaction'), digest: Buffer.from('tx-digest'), result: Buffer.from('{"id":"x"}') });
  }

  submitSigned(identity: OfflineIdentity, transaction: Uint8Array, signature: Uint8Array) {
    this.seen.push({ step: 'submit', identity, bytes: Buffer.from(transaction).toString(), signature: Buffer.from(signature).toString() });
    return Promise.resolve({ txId: 'tx1', bytes: Buffer.from('commit'), digest: Buffer.from('commit-digest') });
  }

  commitStatusSigned(identity: OfflineIdentity, commit: Uint8Array, signature: Uint8Array) {
    this.seen.push({ step: 'commit', identity, bytes: Buffer.from(commit).toString(), signature: Buffer.from(signature).toString() });
    return Promise.resolve({ txId: 'tx1', blockNumber: 77n, successful: true, validationCode: 'VALID' });
  }
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');

describe('offline signing', () => {
  it('relays prepare → endorse → submit → commit for the app identity, the app signing each digest', async () => {
    const offline = new FakeOffline();
    const { app } = buildTestApp(undefined, { offline });

    const prepared = await request(app)
      .post('/api/v1/offline/prepare')
      .set(auth)
      .send({ certificate, txName: 'RetireDataset', args: ['ds1'] });
    const endorsed = await request(app)
      .post('/api/v1/offline/endorse')
      .set(auth)
      .send({ certificate, proposal: (prepared.body as Record<string, string>).proposal, signature: b64('sig1') });
    const submitted = await request(app)
      .post('/api/v1/offline/submit')
      .set(auth)
      .send({ certificate, transaction: (endorsed.body as Record<string, string>).transaction, signature: b64('sig2') });
    const committed = await request(app)
      .post('/api/v1/offline/commit')
      .set(auth)
      .send({ certificate, commit: (submitted.body as Record<string, string>).commit, signature: b64('sig3') });

    expect(prepared.body).toEqual({ txId: 'tx1', proposal: b64('proposal'), digest: b64('proposal-digest') });
    expect(endorsed.body).toEqual({ txId: 'tx1', transaction: b64('transaction'), digest: b64('tx-digest'), result: '{"id":"x"}' });
    expect(submitted.body).toEqual({ txId: 'tx1', commit: b64('commit'), digest: b64('commit-digest') });
    expect(committed.body).toEqual({ txId: 'tx1', blockNumber: '77', successful: true, validationCode: 'VALID' });
    expect(offline.seen.map(({ step, bytes, signature }) => [step, bytes, signature])).toEqual([
      ['prepare', 'RetireDataset(ds1)', undefined],
      ['endorse', 'proposal', 'sig1'],
      ['submit', 'transaction', 'sig2'],
      ['commit', 'commit', 'sig3'],
    ]);
    expect(offline.seen.every((s) => s.identity.mspId === 'EducationMSP' && s.identity.certificate.toString() === certificate)).toBe(true);
  });

  it('maps a chaincode rejection at endorsement to its problem', async () => {
    const offline = new FakeOffline();
    offline.endorseError = new GovshareChaincodeError('DATASET_NOT_FOUND', "dataset 'ds1' does not exist");
    const { app } = buildTestApp(undefined, { offline });

    const res = await request(app).post('/api/v1/offline/endorse').set(auth).send({ certificate, proposal: b64('p'), signature: b64('s') });

    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'DATASET_NOT_FOUND' });
  });

  it('answers 400 to bytes that are not a prepared message', async () => {
    const offline = new FakeOffline();
    offline.endorseError = new InvalidMessageError('the proposal bytes are not a proposal prepared by this gateway');
    const { app } = buildTestApp(undefined, { offline });

    const res = await request(app).post('/api/v1/offline/endorse').set(auth).send({ certificate, proposal: b64('p'), signature: b64('s') });

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it.each([
    ['a transaction that is not a submit', { certificate, txName: 'ReadDataset', args: ['x'] }],
    ['a certificate that is not one', { certificate: 'hello', txName: 'RetireDataset', args: ['x'] }],
  ])('rejects %s', async (_what, body) => {
    const offline = new FakeOffline();
    const { app } = buildTestApp(undefined, { offline });

    const res = await request(app).post('/api/v1/offline/prepare').set(auth).send(body);

    expect(res.status).toBe(400);
    expect(offline.seen).toHaveLength(0);
  });

  it('answers 503 when the gateway offers no offline signing', async () => {
    const { app } = buildTestApp();

    const res = await request(app).post('/api/v1/offline/prepare').set(auth).send({ certificate, txName: 'RetireDataset', args: ['x'] });

    expect(res.status).toBe(503);
  });
});
