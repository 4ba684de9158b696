// The red-flag advice: with a team it sends her to her supervisor; working alone (no team yet)
// there is no supervisor to call, so it says what she can do herself.
import type { TeamView } from '../lib/backend';
import type { MessageKey } from '../lib/i18n/catalogue';

export function redFlagText(view: TeamView | null): MessageKey {
  return view?.role != null ? 'screening.redFlag' : 'screening.redFlagNoTeam';
}
