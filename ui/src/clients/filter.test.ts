import { describe, expect, it } from 'vitest';
import type { ClientRow } from '../lib/backend';
import { filterClients, noFilter } from './filter';

function row(code: string, facets: Omit<ClientRow['facets'], 'mine'>, mine = false): ClientRow {
  return { id: code, code, name: '', nickname: '', facets: { ...facets, mine } };
}

const rows = [
  row('A', { child: false, risk: null, stage: null }),
  row('B', { child: true, risk: 'high', stage: 'intervention' }, true),
  row('C', { child: false, risk: 'medium', stage: 'intake' }),
  row('D', { child: true, risk: 'imminent', stage: 'intake' }),
];

describe('filterClients', () => {
  it('keeps everyone without a filter', () => {
    expect(filterClients(rows, noFilter)).toHaveLength(4);
  });
  it('filters children only', () => {
    expect(filterClients(rows, { ...noFilter, childOnly: true }).map((r) => r.code)).toEqual(['B', 'D']);
  });
  it('keeps risk at or above the chosen level; no assessed risk is not high', () => {
    expect(filterClients(rows, { ...noFilter, minRisk: 'high' }).map((r) => r.code)).toEqual(['B', 'D']);
    expect(filterClients(rows, { ...noFilter, minRisk: 'medium' }).map((r) => r.code)).toEqual(['B', 'C', 'D']);
  });
  it('combines stage and child', () => {
    expect(filterClients(rows, { ...noFilter, stage: 'intake', childOnly: true }).map((r) => r.code)).toEqual(['D']);
  });
  it('keeps only her caseload when asked', () => {
    expect(filterClients(rows, { ...noFilter, mineOnly: true }).map((r) => r.code)).toEqual(['B']);
  });
});
