import {
  CommitFailedError,
  EndorsementFailedError,
  FabricTimeoutError,
  FabricUnavailableError,
  GovshareChaincodeError,
} from '../src/fabric/errors';
import { translateFabricError } from '../src/fabric/translateError';
import { toProblem } from '../src/http/errorHandler';

/** Shaped like fabric-gateway's GatewayError / EndorseError: a gRPC `code` and per-node `details`. */
function gatewayError(code: number, message: string, detailMessages: string[] = []) {
  return Object.assign(new Error(message), {
    code,
    details: detailMessages.map((m, i) => ({ address: `peer${i}.education.govshare.local:7051`, mspId: 'EducationMSP', message: m })),
  });
}

const ABORTED = 10;
const UNKNOWN = 2;

describe('translateFabricError', () => {
  it.each([
    '9 FAILED_PRECONDITION: no combination of peers can be derived which satisfy the endorsement policy: no peer combination can satisfy the endorsement policy',
    '9 FAILED_PRECONDITION: no peers available to evaluate chaincode govshare in channel govchannel',
  ])('maps "%s" (a peer that cannot yet find endorsers) to a 503, not a rejection', (message) => {
    const translated = translateFabricError(gatewayError(9, message), 'endorse', 'tx-np');

    expect(translated).toBeInstanceOf(FabricUnavailableError);
    expect(toProblem(translated)).toMatchObject({ status: 503, txId: 'tx-np' });
  });

  it('maps an endorsement that failed only because a chosen peer could not be dialled to a 503 (nothing was submitted)', () => {
    const err = gatewayError(ABORTED, '10 ABORTED: failed to endorse transaction, see attached details for more info', [
      'rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp 10.231.70.5:7240: connect: connection refused"',
    ]);

    const translated = translateFabricError(err, 'endorse', 'tx-dead');

    expect(translated).toBeInstanceOf(FabricUnavailableError);
    expect(toProblem(translated)).toMatchObject({ status: 503, txId: 'tx-dead' });
    // One peer unreachable and another that rejected the proposal for some other reason: still a rejection.
    const mixed = gatewayError(ABORTED, '10 ABORTED: failed to endorse transaction', [
      'rpc error: code = Unavailable desc = connection refused',
      'error validating proposal: access denied: channel [govchannel] creator org unknown',
    ]);
    expect(translateFabricError(mixed, 'endorse')).toBeInstanceOf(EndorsementFailedError);
  });

  it('keeps other FAILED_PRECONDITION endorsement failures as 502', () => {
    const translated = translateFabricError(gatewayError(9, '9 FAILED_PRECONDITION: chaincode govshare not found'), 'endorse');

    expect(translated).toBeInstanceOf(EndorsementFailedError);
  });

  it.each([
    ['UNAVAILABLE', 14],
    ['DEADLINE_EXCEEDED', 4],
    ['CANCELLED', 1],
    ['UNKNOWN', 2],
  ])('reports a commit status lost to %s as an unknown outcome (504 with the txId), never as "retry later" or "failed"', (_name, code) => {
    const translated = translateFabricError(gatewayError(code, 'lost'), 'commitStatus', 'tx-unknown');

    expect(translated).toBeInstanceOf(FabricTimeoutError);
    expect(toProblem(translated)).toMatchObject({ status: 504, txId: 'tx-unknown' });
  });

  it('recovers the chaincode code and message from an endorsing peer detail', () => {
    const err = gatewayError(ABORTED, '10 ABORTED: failed to endorse transaction, see attached details for more info', [
      'chaincode response 500, DATASET_EXISTS: dataset edu-1 is already registered',
    ]);

    const translated = translateFabricError(err, 'endorse', 'tx1');

    expect(translated).toBeInstanceOf(GovshareChaincodeError);
    expect(translated).toMatchObject({
      code: 'DATASET_EXISTS',
      message: 'dataset edu-1 is already registered',
      txId: 'tx1',
    });
    expect(toProblem(translated)).toMatchObject({ status: 409, code: 'DATASET_EXISTS', txId: 'tx1' });
  });

  it('recovers the chaincode code from the error message when there are no details', () => {
    const err = gatewayError(
      UNKNOWN,
      '2 UNKNOWN: evaluate call to endorser returned error: chaincode response 500, DATASET_NOT_FOUND: dataset x does not exist',
    );

    const translated = translateFabricError(err, 'evaluate', 'tx2');

    expect(translated).toMatchObject({ code: 'DATASET_NOT_FOUND', message: 'dataset x does not exist' });
    expect(toProblem(translated)).toMatchObject({ status: 404, code: 'DATASET_NOT_FOUND' });
  });

  it.each([
    ['INVALID_ARGUMENT', 400],
    ['FORBIDDEN', 403],
  ])('maps chaincode %s to HTTP %i through the shared catalogue', (code, status) => {
    const err = gatewayError(ABORTED, 'failed', [`chaincode response 500, ${code}: nope`]);

    expect(toProblem(translateFabricError(err, 'endorse'))).toMatchObject({ status, code, detail: 'nope' });
  });

  it('maps gRPC UNAVAILABLE to FabricUnavailableError (503)', () => {
    const translated = translateFabricError(gatewayError(14, '14 UNAVAILABLE: No connection established'), 'evaluate');

    expect(translated).toBeInstanceOf(FabricUnavailableError);
    expect(toProblem(translated).status).toBe(503);
  });

  it('maps gRPC DEADLINE_EXCEEDED to FabricTimeoutError (504)', () => {
    const translated = translateFabricError(gatewayError(4, '4 DEADLINE_EXCEEDED: Deadline exceeded'), 'endorse', 'tx3');

    expect(translated).toBeInstanceOf(FabricTimeoutError);
    expect(toProblem(translated)).toMatchObject({ status: 504, code: 'FABRIC_TIMEOUT', txId: 'tx3' });
  });

  it('maps an ordering failure to FabricUnavailableError (503)', () => {
    const translated = translateFabricError(gatewayError(ABORTED, '10 ABORTED: failed to send transaction to orderer'), 'submit', 'tx4');

    expect(translated).toBeInstanceOf(FabricUnavailableError);
    expect(toProblem(translated).status).toBe(503);
  });

  it('maps a BFT submit that fewer than a quorum of orderers accepted to an unknown outcome (504 with the txId), not "retry"', () => {
    const err = gatewayError(14, '14 UNAVAILABLE: insufficient number of orderers could successfully process transaction to satisfy quorum requirement', [
      'received unsuccessful response from orderer: status=SERVICE_UNAVAILABLE',
    ]);

    const translated = translateFabricError(err, 'submit', 'tx7');

    expect(translated).toBeInstanceOf(FabricTimeoutError);
    expect(toProblem(translated)).toMatchObject({ status: 504, code: 'FABRIC_TIMEOUT', txId: 'tx7' });
    expect(toProblem(translated).detail).toMatch(/may still commit/);
  });

  it('maps a connection that broke during submit to an unknown outcome (504), one never made to 503', () => {
    const broken = translateFabricError(gatewayError(14, '14 UNAVAILABLE: read ECONNRESET'), 'submit', 'tx8');
    expect(toProblem(broken)).toMatchObject({ status: 504, code: 'FABRIC_TIMEOUT', txId: 'tx8' });

    const neverMade = translateFabricError(gatewayError(14, '14 UNAVAILABLE: No connection established'), 'submit', 'tx9');
    expect(neverMade).toBeInstanceOf(FabricUnavailableError);
    expect(toProblem(neverMade).status).toBe(503);
  });

  it('maps an endorsement failure without a govshare code to EndorsementFailedError (502) without leaking peer text', () => {
    const err = gatewayError(ABORTED, 'failed to endorse', ['chaincode response 500, TypeError: cannot read x of undefined']);

    const translated = translateFabricError(err, 'endorse', 'tx5');

    expect(translated).toBeInstanceOf(EndorsementFailedError);
    const body = toProblem(translated);
    expect(body).toMatchObject({ status: 502, code: 'ENDORSEMENT_FAILED', txId: 'tx5' });
    expect(JSON.stringify(body)).not.toContain('TypeError');
    expect((translated as EndorsementFailedError).details).toHaveLength(1);
  });

  it('gives an endorsement policy failure at commit its own stable code', () => {
    const failed = new CommitFailedError('ENDORSEMENT_POLICY_FAILURE', 'invalid', { txId: 'tx7' });

    expect(toProblem(failed)).toMatchObject({ status: 403, code: 'ENDORSEMENT_POLICY_FAILURE', txId: 'tx7' });
    expect(toProblem(new CommitFailedError('MVCC_READ_CONFLICT', 'invalid', { txId: 'tx8' }))).toMatchObject({ status: 502, code: 'COMMIT_FAILED' });
  });

  it('does not mistake a code embedded in a longer identifier for a govshare code', () => {
    const err = gatewayError(ABORTED, 'failed', ['chaincode response 500, MY_DATASET_EXISTS: something']);

    expect(translateFabricError(err, 'endorse')).toBeInstanceOf(EndorsementFailedError);
  });

  it('passes non-gateway errors through unchanged, and they become a bare 500', () => {
    const bug = new TypeError('boom');

    expect(translateFabricError(bug, 'endorse')).toBe(bug);
    expect(toProblem(bug)).toEqual({
      type: 'urn:govshare:problem:internal',
      title: 'Internal error',
      status: 500,
      code: 'INTERNAL',
      detail: 'An unexpected error occurred',
    });
  });
});
