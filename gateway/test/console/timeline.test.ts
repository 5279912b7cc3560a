import {
  auditQuery,
  detailLines,
  EMPTY_FILTER,
  filterFromParams,
  filterProblem,
  filterToParams,
  isoToLocalInput,
  localInputToIso,
  matchesOutcome,
  mergeRecords,
} from '../../console/src/lib/timeline';
import { parseHash, routeHash } from '../../console/src/lib/route';
import type { AuditRecord } from 'govshare-contract';

function record(id: string, outcome: AuditRecord['outcome'] = 'SUCCESS'): AuditRecord {
  return {
    id,
    type: 'DATA_ACCESSED',
    actorMsp: 'FinanceMSP',
    actorId: 'finance-officer',
    role: 'officer',
    txId: `tx-${id}`,
    timestamp: '2026-11-27T10:00:00.000Z',
    outcome,
    details: {},
  };
}

describe('console timeline filters', () => {
  it('builds the audit query without empty filters and without the outcome (the API has none)', () => {
    expect(auditQuery(EMPTY_FILTER)).toBe('limit=50');
    expect(
      auditQuery({ ...EMPTY_FILTER, dataset: 'edu.x', from: '2026-11-01T00:00:00.000Z', outcome: 'DENIED', limit: 20 }, 'bm:1/2'),
    ).toBe('dataset=edu.x&from=2026-11-01T00%3A00%3A00.000Z&limit=20&cursor=bm%3A1%2F2');
    expect(auditQuery({ ...EMPTY_FILTER, org: 'FinanceMSP' }, null)).toBe('org=FinanceMSP&limit=50');
  });

  it('finds what the API would refuse: dataset and department together, a reversed or too long window', () => {
    expect(filterProblem(EMPTY_FILTER)).toBeUndefined();
    expect(filterProblem({ ...EMPTY_FILTER, dataset: 'd', org: 'FinanceMSP' })).toMatch(/not both/);
    expect(filterProblem({ ...EMPTY_FILTER, from: '2026-11-02T00:00:00Z', to: '2026-11-01T00:00:00Z' })).toMatch(/after/);
    expect(filterProblem({ ...EMPTY_FILTER, from: '2026-01-01T00:00:00Z', to: '2026-06-01T00:00:00Z' })).toMatch(/92 days/);
    expect(filterProblem({ ...EMPTY_FILTER, from: '2026-01-01T00:00:00Z', to: '2026-04-01T00:00:00Z' })).toBeUndefined();
  });

  it('filters outcomes in the browser', () => {
    const records = [record('a', 'GRANTED'), record('b', 'DENIED'), record('c')];
    expect(records.filter((r) => matchesOutcome(r, 'DENIED')).map((r) => r.id)).toEqual(['b']);
    expect(records.filter((r) => matchesOutcome(r, '')).map((r) => r.id)).toEqual(['a', 'b', 'c']);
  });

  it('round-trips the filters through the URL, ignoring values it does not know', () => {
    const filter = { ...EMPTY_FILTER, dataset: 'edu.x', outcome: 'GRANTED' as const, limit: 100 };
    expect(filterFromParams(filterToParams(filter))).toEqual(filter);
    expect(filterFromParams(new URLSearchParams('outcome=MAYBE&limit=7&org=%20FinanceMSP%20'))).toEqual({ ...EMPTY_FILTER, org: 'FinanceMSP' });
  });

  it('routes by hash', () => {
    expect(parseHash('')).toEqual({ view: 'timeline', filter: EMPTY_FILTER });
    expect(parseHash('#/datasets/edu.x')).toEqual({ view: 'dataset', id: 'edu.x' });
    expect(parseHash('#/grants/g-1')).toEqual({ view: 'grant', id: 'g-1' });
    expect(parseHash('#/certificates')).toEqual({ view: 'certificates' });
    expect(parseHash(routeHash({ view: 'ledger' }))).toEqual({ view: 'ledger' });
    const timeline = { view: 'timeline' as const, filter: { ...EMPTY_FILTER, org: 'JusticeMSP', outcome: 'DENIED' as const } };
    expect(routeHash(timeline)).toBe('#/timeline?org=JusticeMSP&outcome=DENIED');
    expect(parseHash(routeHash(timeline))).toEqual(timeline);
    expect(parseHash(routeHash({ view: 'dataset', id: 'a b' }))).toEqual({ view: 'dataset', id: 'a b' });
  });

  it('converts datetime-local values to instants and back', () => {
    const iso = localInputToIso('2026-11-27T13:45');
    expect(iso).toMatch(/^2026-11-2\dT\d\d:45:00\.000Z$/);
    expect(isoToLocalInput(iso)).toBe('2026-11-27T13:45');
    expect(localInputToIso('')).toBe('');
    expect(isoToLocalInput('not a date')).toBe('');
  });

  it('lists details sorted and merges pages without duplicates', () => {
    expect(detailLines({ reason: 'ACTIVE', fields: ['a', 'b'], count: 2 })).toEqual(['count: 2', 'fields: a, b', 'reason: ACTIVE']);
    expect(mergeRecords([record('a'), record('b')], [record('b'), record('c')]).map((r) => r.id)).toEqual(['a', 'b', 'c']);
  });
});
