import { decodeReceiptHeader, encodeReceiptHeader, checkReceiptSignature, signReceipt, type AccessReceiptBody } from '../src/exchange/receipts';
import { GATEWAY_ATTRS, TestPki } from './support/testCertificates';

const receipt: AccessReceiptBody = {
  datasetId: 'edu.pupils',
  grantId: 'grant1',
  ownerMsp: 'EducationMSP',
  requesterMsp: 'FinanceMSP',
  fields: ['school'],
  payloadSha256: 'a'.repeat(64),
  contentFingerprint: 'b'.repeat(64),
  txId: 'c'.repeat(64),
  blockNumber: '42',
  timestamp: '2026-12-02T12:00:00.000Z',
};

describe('signed access receipts', () => {
  const pki = new TestPki();
  const educationCa = pki.ca('ca-education');
  const financeCa = pki.ca('ca-finance');
  const gateway = pki.leaf('gateway.education', 'ca-education', { extendedKeyUsage: 'clientAuth', attrs: GATEWAY_ATTRS });
  const officer = pki.leaf('education-officer', 'ca-education', { attrs: { role: 'officer' } });
  const financeGateway = pki.leaf('gateway.finance', 'ca-finance', { extendedKeyUsage: 'clientAuth', attrs: GATEWAY_ATTRS });
  const roots = new Map([
    ['EducationMSP', [educationCa]],
    ['FinanceMSP', [financeCa]],
  ]);
  const now = new Date();
  afterAll(() => {
    pki.remove();
  });

  it("verifies a receipt signed by the owner's gateway, and travels in a header", () => {
    const signed = signReceipt(receipt, gateway.key, gateway.pem);

    expect(checkReceiptSignature(signed, roots, now)).toEqual({ ok: true });
    expect(decodeReceiptHeader(encodeReceiptHeader(signed))).toEqual(signed);
    expect(decodeReceiptHeader('not-a-receipt')).toBeUndefined();
  });

  it('refuses a receipt whose content was changed after signing', () => {
    const signed = signReceipt(receipt, gateway.key, gateway.pem);
    const widened = { ...signed, receipt: { ...receipt, fields: ['nationalId', 'school'] } };

    expect(checkReceiptSignature(widened, roots, now)).toEqual({ ok: false, problem: 'the signature does not match the receipt' });
  });

  it("refuses a receipt signed by one of the owner's users, or by another organisation's gateway", () => {
    expect(checkReceiptSignature(signReceipt(receipt, officer.key, officer.pem), roots, now)).toMatchObject({
      ok: false,
      problem: "the signer is not EducationMSP's gateway",
    });
    expect(checkReceiptSignature(signReceipt(receipt, financeGateway.key, financeGateway.pem), roots, now)).toMatchObject({
      ok: false,
      problem: "the signer certificate was not issued by EducationMSP's CA",
    });
  });

  it('refuses a receipt for an owner the channel configuration does not name, or a signer not valid now', () => {
    const signed = signReceipt(receipt, gateway.key, gateway.pem);
    expect(checkReceiptSignature(signed, new Map([['FinanceMSP', [financeCa]]]), now)).toMatchObject({ ok: false });
    expect(checkReceiptSignature(signed, roots, new Date(Date.now() + 3 * 86_400_000))).toMatchObject({
      ok: false,
      problem: 'the signer certificate is not valid now',
    });
  });
});
