// Filtering the client list by caseload, risk, case stage and child, in the UI: the rows (with their
// facets) are already loaded for search-as-you-type, so filtering 10,000 is a simple pass.
import type { ClientRow } from '../lib/backend';
import type { CaseStage } from '../lib/backend/bindings/CaseStage';
import type { RiskLevel } from '../lib/backend/bindings/RiskLevel';

export type ClientFilter = {
  /** Only clients at or above this risk. */
  minRisk: RiskLevel | null;
  /** Only clients whose latest case is at this stage. */
  stage: CaseStage | null;
  /** Only children (under 18). */
  childOnly: boolean;
  /** Only this member's caseload (clients she registered or wrote notes for). */
  mineOnly: boolean;
};

export const noFilter: ClientFilter = { minRisk: null, stage: null, childOnly: false, mineOnly: false };

export const riskOrder: RiskLevel[] = ['low', 'medium', 'high', 'imminent'];

export function filterClients(rows: ClientRow[], f: ClientFilter): ClientRow[] {
  if (!f.minRisk && !f.stage && !f.childOnly && !f.mineOnly) return rows;
  const min = f.minRisk ? riskOrder.indexOf(f.minRisk) : -1;
  return rows.filter((r) => {
    if (f.mineOnly && !r.facets.mine) return false;
    if (f.childOnly && !r.facets.child) return false;
    if (f.stage && r.facets.stage !== f.stage) return false;
    if (min >= 0 && (r.facets.risk === null || riskOrder.indexOf(r.facets.risk) < min)) return false;
    return true;
  });
}
