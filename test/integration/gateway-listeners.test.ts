/**
 * The gateway as a service: on the real network, a gateway started with the org's CA-issued TLS certificate serves
 * its API over HTTPS (TLS 1.3 only) and its health and metrics on a separate operations listener; one configured to
 * listen off loopback without TLS refuses to start and says why.
 */
import { request as httpsRequest } from 'node:https';
import path from 'node:path';
import { TLSSocket } from 'node:tls';

import { operatorGatewayConfig, startGateway, testGatewayPort, waitUntil, type GatewayProcess } from './support/gatewayProcess';
import { gatewaysFile, STATE_DIR, tlsRootCertOf } from './support/network';

interface HttpsAnswer {
  readonly status: number;
  readonly protocol: string | null;
  readonly body: string;
}

function httpsGet(port: number, route: string, options: { token?: string; maxVersion?: 'TLSv1.2' } = {}): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path: route,
        // The gateway's certificate from Education's Fabric CA names localhost; trust that CA alone.
        servername: 'localhost',
        ca: tlsRootCertOf('education'),
        headers: options.token === undefined ? {} : { authorization: `Bearer ${options.token}` },
        ...(options.maxVersion === undefined ? {} : { maxVersion: options.maxVersion }),
      },
      (res) => {
        // Read while the response still holds its socket.
        const protocol = res.socket instanceof TLSSocket ? res.socket.getProtocol() : null;
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, protocol, body });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('the gateway as a service', () => {
  const gatewayTls = path.join(STATE_DIR, 'orgs', 'education', 'nodes', 'gateway.education', 'tls');

  it('refuses to start with plain HTTP off loopback, saying why and what to set', async () => {
    const config = operatorGatewayConfig('education');
    const gateway = startGateway({
      ...config,
      listen: { host: '0.0.0.0', port: testGatewayPort(1) },
      operations: { host: '127.0.0.1', port: testGatewayPort(2) },
    });

    await expect(gateway.exited).resolves.toBe(1);
    expect(gateway.output()).toContain('plain HTTP refused: the API would listen on 0.0.0.0, which is not a loopback address');
    expect(gateway.output()).toContain('listen.tls');
  });

  describe('with the org CA-issued certificate and an operations listener', () => {
    const apiPort = testGatewayPort(3);
    const operationsPort = testGatewayPort(4);
    let gateway: GatewayProcess;

    beforeAll(async () => {
      const config = operatorGatewayConfig('education');
      // No data exchange here: its port belongs to the running Education gateway.
      delete config.dataExchange;
      gateway = startGateway({
        ...config,
        listen: { host: '127.0.0.1', port: apiPort, tls: { certPath: path.join(gatewayTls, 'server.crt'), keyPath: path.join(gatewayTls, 'server.key') } },
        operations: { host: '127.0.0.1', port: operationsPort },
      });
      await waitUntil(gateway, async () => (await fetch(`http://127.0.0.1:${String(operationsPort)}/readyz`)).ok);
    });

    afterAll(async () => {
      await gateway.stop();
    });

    it('answers API calls over TLS 1.3, with the caller resolved from its token', async () => {
      const answer = await httpsGet(apiPort, '/api/v1/me', { token: gatewaysFile().education.tokens.officer });

      expect(answer).toMatchObject({ status: 200, protocol: 'TLSv1.3' });
      expect(JSON.parse(answer.body)).toMatchObject({ id: 'education-officer', mspId: 'EducationMSP' });
    });

    it('refuses a TLS 1.2 client', async () => {
      await expect(httpsGet(apiPort, '/api/v1/me', { maxVersion: 'TLSv1.2' })).rejects.toThrow(/protocol version|alert/i);
    });

    it('serves health and metrics on the operations listener only', async () => {
      const metrics = await fetch(`http://127.0.0.1:${String(operationsPort)}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('govshare_http_requests_total');

      expect((await httpsGet(apiPort, '/metrics')).status).toBe(404);
      expect((await httpsGet(apiPort, '/readyz')).status).toBe(404);
    });
  });
});
