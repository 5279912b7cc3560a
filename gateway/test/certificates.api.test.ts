import request from 'supertest';

import { IssueCertificate, RevokeCertificate, VerifyCertificate } from 'govshare-contract';
import { GovshareChaincodeError } from '../src/fabric/errors';
import { certificate, sha } from './support/fixtures';
import { buildTestApp, OFFICER_TOKEN } from './support/testApp';

const auth = { Authorization: `Bearer ${OFFICER_TOKEN}` };

describe('e-certificates', () => {
  it('issues a certificate and answers 201 with its Location', async () => {
    const { app, ledger } = buildTestApp();
    ledger.on(IssueCertificate, () => certificate());

    const res = await request(app)
      .post('/api/v1/certificates')
      .set(auth)
      .send({ type: 'DIPLOMA', documentSha256: sha('D'), subjectPseudonym: sha('e'), notAfter: '2030-01-01T00:00:00Z' });

    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/api/v1/certificates/${sha('d')}`);
    expect(res.body).toMatchObject({ documentSha256: sha('d'), status: 'ISSUED', txId: 'tx0001' });
    expect(ledger.calls[0]?.args).toEqual(['DIPLOMA', sha('d'), sha('e'), '2030-01-01T00:00:00.000Z']);
  });

  it('answers 409 CERTIFICATE_EXISTS for a document issued already', async () => {
    const { app, ledger } = buildTestApp();
    ledger.on(IssueCertificate, () => {
      throw new GovshareChaincodeError('CERTIFICATE_EXISTS', 'exists');
    });

    const res = await request(app)
      .post('/api/v1/certificates')
      .set(auth)
      .send({ type: 'DIPLOMA', documentSha256: sha('d'), subjectPseudonym: sha('e'), notAfter: '2030-01-01T00:00:00Z' });

    expect(res.status).toBe(409);
  });

  it('verifies a document by its digest (UNKNOWN is an answer, not an error)', async () => {
    const { app, ledger } = buildTestApp();
    ledger.on(VerifyCertificate, ({ documentSha256: digest }) => ({ documentSha256: digest, status: 'UNKNOWN' }));

    const res = await request(app).get(`/api/v1/certificates/${sha('F')}`).set(auth);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ documentSha256: sha('f'), status: 'UNKNOWN' });
  });

  it('rejects a digest that is not 64 hex characters', async () => {
    const { app, ledger } = buildTestApp();

    const res = await request(app).get('/api/v1/certificates/abc').set(auth);

    expect(res.status).toBe(400);
    expect(ledger.calls).toHaveLength(0);
  });

  it('revokes with a reason code', async () => {
    const { app, ledger } = buildTestApp();
    ledger.on(RevokeCertificate, () =>
      certificate({ status: 'REVOKED', revoked: { stamp: certificate().issued, reason: 'FRAUD' } }),
    );

    const res = await request(app).post(`/api/v1/certificates/${sha('d')}/revoke`).set(auth).send({ reason: 'FRAUD' });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'REVOKED', revoked: { reason: 'FRAUD' } });
    expect(ledger.calls[0]?.args).toEqual([sha('d'), 'FRAUD']);
  });

  it('rejects free text as a revocation reason', async () => {
    const { app, ledger } = buildTestApp();

    const res = await request(app).post(`/api/v1/certificates/${sha('d')}/revoke`).set(auth).send({ reason: 'John Doe lied' });

    expect(res.status).toBe(400);
    expect(ledger.calls).toHaveLength(0);
  });
});
