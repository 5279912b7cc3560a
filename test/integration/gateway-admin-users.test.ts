/**
 * Run-time user enrolment on the real network: a department admin enrols a user with the org's Fabric CA through its
 * gateway, and the returned token at once submits transactions signed with that user's own certificate.
 */
import { createHash } from 'node:crypto';

import { api } from './support/http';

const runId = `${Date.now().toString(36)}-${process.pid.toString(36)}`;
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('POST /api/v1/admin/users on the education gateway', () => {
  const userId = `officer-${runId}`;

  test('the admin enrols an officer whose token registers a dataset signed with the new identity', async () => {
    const created = await api('education', 'POST', '/api/v1/admin/users', { role: 'admin', body: { id: userId, role: 'officer' } });

    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: userId, role: 'officer', mspId: 'EducationMSP' });
    const token = created.body.token as string;
    expect(typeof token).toBe('string');

    const datasetId = `enrolled-${runId}`;
    const registered = await api('education', 'POST', '/api/v1/datasets', {
      token,
      body: {
        id: datasetId,
        title: 'Registered by an enrolled officer',
        description: 'Submitted with the certificate issued by POST /admin/users',
        classification: 'PUBLIC',
        fingerprint: sha256(`content of ${datasetId}`),
      },
    });

    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({ id: datasetId, ownerMsp: 'EducationMSP' });
    expect((registered.body.created as { actor: { id: string; mspId: string } }).actor).toEqual({ id: userId, mspId: 'EducationMSP' });
  });

  test('enrolling the same id again is a conflict', async () => {
    const again = await api('education', 'POST', '/api/v1/admin/users', { role: 'admin', body: { id: userId, role: 'auditor' } });

    expect(again.status).toBe(409);
    expect(again.body.code).toBe('USER_EXISTS');
  });

  test('an officer may not enrol users', async () => {
    const refused = await api('education', 'POST', '/api/v1/admin/users', {
      role: 'officer',
      body: { id: `refused-${runId}`, role: 'officer' },
    });

    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('FORBIDDEN');
  });
});
