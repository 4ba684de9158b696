//! One order for everything urgent (issue 22, item 5), used by Home, the supervisor's queue and
//! the dashboard alike: overdue risk episodes, open risk episodes, overdue data-subject requests
//! (`crate::request`; Home and the queue list the open requests right after the episodes),
//! red-flagged notes and contacts, high risk, then everything else; within a class, the longest
//! waiting first.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::RiskLevel;

/// How urgent an item is; the order of the variants is the order of the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, rename = "QueueUrgency"))]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// A risk episode not acknowledged past its deadline.
    OverdueEpisode,
    /// A risk episode waiting for its acknowledgement.
    OpenEpisode,
    /// A risk episode acknowledged and still open.
    AcknowledgedEpisode,
    /// A person's request about her data past its 3×24 h deadline (UU PDP, [`crate::request`]).
    OverdueRequest,
    /// A red flag (a screening item, a contact's self-harm answer).
    RedFlag,
    /// High or imminent risk.
    HighRisk,
    /// Everything else.
    Waiting,
}

/// The class of an open episode: past its deadline unacknowledged, or waiting, or
/// acknowledged.
pub fn of_episode(overdue: bool, acknowledged: bool) -> Urgency {
    if overdue {
        Urgency::OverdueEpisode
    } else if !acknowledged {
        Urgency::OpenEpisode
    } else {
        Urgency::AcknowledgedEpisode
    }
}

/// The class of a note or contact waiting for a supervisor.
pub fn of_item(red_flag: bool, risk: Option<RiskLevel>) -> Urgency {
    if red_flag {
        Urgency::RedFlag
    } else if risk >= Some(RiskLevel::High) {
        Urgency::HighRisk
    } else {
        Urgency::Waiting
    }
}

/// The sort key: the class, then the longest waiting first.
pub fn key(urgency: Urgency, waiting_since: DateTime<Utc>) -> (Urgency, DateTime<Utc>) {
    (urgency, waiting_since)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn episodes_come_before_red_flags_before_high_risk_before_the_rest_then_the_oldest() {
        let t = |h: i64| DateTime::<Utc>::from_timestamp(1_800_000_000 + h * 3600, 0).expect("t");
        let mut items = [
            ("waiting-old", key(of_item(false, None), t(0))),
            ("high", key(of_item(false, Some(RiskLevel::High)), t(5))),
            ("red-new", key(of_item(true, Some(RiskLevel::Low)), t(9))),
            ("red-old", key(of_item(true, None), t(1))),
            (
                "imminent",
                key(of_item(false, Some(RiskLevel::Imminent)), t(2)),
            ),
            ("episode", key(Urgency::OpenEpisode, t(8))),
            ("overdue", key(Urgency::OverdueEpisode, t(9))),
        ];
        items.sort_by_key(|(_, k)| *k);
        let order: Vec<_> = items.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            order,
            [
                "overdue",
                "episode",
                "red-old",
                "red-new",
                "imminent",
                "high",
                "waiting-old"
            ]
        );
    }
}
