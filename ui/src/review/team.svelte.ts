// This member's role and team, loaded after unlock: what the navigation, the client list and
// the note screen adapt to. Before joining a team (or when the read fails) she is simply the
// author of everything on this computer.
import { teamView, type TeamView } from '../lib/backend';
import { zoneFor } from '../lib/format/datetime';

export const team = $state<{ view: TeamView | null }>({ view: null });

/** Reads the team now (after unlock, join, or a sync that may have brought a new roster). */
export async function refreshTeam(): Promise<void> {
  try {
    team.view = await teamView();
  } catch {
    // Locked or not set up yet: keep what we had; the next unlock reads it again.
  }
}

/** Forgets the team (on lock). */
export function clearTeam(): void {
  team.view = null;
}

/** The zone a record's times are shown in: its own (a note's, a contact's) when it carries one,
 * else this team's (what has no zone of its own: reviews, screenings, addenda...), else WIB. */
export function shownZone(own?: string | null): string {
  return zoneFor(own, team.view?.zone);
}
