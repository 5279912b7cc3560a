import { ERROR_CATALOGUE, ERROR_CODES, GovshareError, parseErrorCode } from '../src';

describe('error catalogue', () => {
  it('lists every code once, each with its own entry, an HTTP status and a description', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    for (const code of ERROR_CODES) {
      const entry = ERROR_CATALOGUE[code];
      expect(entry.code).toBe(code);
      expect(entry.httpStatus).toBeGreaterThanOrEqual(400);
      expect(entry.description.length).toBeGreaterThan(0);
    }
    expect(Object.keys(ERROR_CATALOGUE).sort()).toEqual([...ERROR_CODES].sort());
  });

  it('maps the first-slice codes to their HTTP statuses', () => {
    expect(ERROR_CATALOGUE.INVALID_ARGUMENT.httpStatus).toBe(400);
    expect(ERROR_CATALOGUE.FORBIDDEN.httpStatus).toBe(403);
    expect(ERROR_CATALOGUE.DATASET_NOT_FOUND.httpStatus).toBe(404);
    expect(ERROR_CATALOGUE.DATASET_EXISTS.httpStatus).toBe(409);
  });

  it('maps the grant, certificate and state codes to their HTTP statuses', () => {
    expect(ERROR_CATALOGUE.DATASET_RETIRED.httpStatus).toBe(409);
    expect(ERROR_CATALOGUE.OWN_DATASET.httpStatus).toBe(409);
    expect(ERROR_CATALOGUE.UNKNOWN_FIELDS.httpStatus).toBe(400);
    expect(ERROR_CATALOGUE.GRANT_NOT_FOUND.httpStatus).toBe(404);
    expect(ERROR_CATALOGUE.GRANT_CONFLICT.httpStatus).toBe(409);
    expect(ERROR_CATALOGUE.INVALID_STATE.httpStatus).toBe(409);
    expect(ERROR_CATALOGUE.CERTIFICATE_NOT_FOUND.httpStatus).toBe(404);
    expect(ERROR_CATALOGUE.CERTIFICATE_EXISTS.httpStatus).toBe(409);
  });
});

describe('GovshareError', () => {
  it('has the message `CODE: detail` and carries code and status', () => {
    const error = new GovshareError('DATASET_NOT_FOUND', "dataset 'x' does not exist");
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe("DATASET_NOT_FOUND: dataset 'x' does not exist");
    expect(error.code).toBe('DATASET_NOT_FOUND');
    expect(error.httpStatus).toBe(404);
  });
});

describe('parseErrorCode', () => {
  it.each([
    ['DATASET_EXISTS: dataset already exists', 'DATASET_EXISTS'],
    ["chaincode response 500, DATASET_EXISTS: dataset 'a' already exists", 'DATASET_EXISTS'],
    [
      'error in simulation: transaction returned with failure: INVALID_ARGUMENT: title: must not be empty',
      'INVALID_ARGUMENT',
    ],
    ['10 ABORTED: failed to endorse transaction, see attached details for more info (FORBIDDEN: role)', 'FORBIDDEN'],
    ['DATASET_NOT_FOUND: x, then INVALID_ARGUMENT: y', 'DATASET_NOT_FOUND'],
  ])('finds the code in %j', (text, code) => {
    expect(parseErrorCode(text)).toBe(code);
  });

  it.each([
    ['no code here'],
    ['UNKNOWN_CODE: something'],
    ['DATASET_EXISTS without a colon'],
    ['MY_DATASET_EXISTS: a longer identifier is not a code'],
    ['dataset_exists: lower case is not a code'],
    [''],
  ])('ignores %j', (text) => {
    expect(parseErrorCode(text)).toBeUndefined();
  });

  it('round-trips every GovshareError message', () => {
    for (const code of ERROR_CODES) {
      expect(parseErrorCode(`peer said: ${new GovshareError(code, 'detail').message}`)).toBe(code);
    }
  });
});
