//! The change feed's rules: positions in each list's history of changes,
//! and a caller's token: a position in each list it sees.
//!
//! Every write of an list's tasks takes the next number of the list's
//! history, in commit order (the write holds the list's counter until it
//! commits), and a task keeps the number of its last change. A client's
//! position says which numbers it has seen; the feed shows every task whose
//! number is past it, and a tombstone for every task deleted past it.

use super::{ListId, OwnerId, Task, Timestamp};

/// Changes per feed page when the client does not say.
pub const FEED_DEFAULT_PER_PAGE: u64 = 100;
/// Most changes a feed page may hold.
pub const FEED_MAX_PER_PAGE: u64 = 1000;

/// A feed page size as sent: 1 to [`FEED_MAX_PER_PAGE`].
pub fn check_feed_per_page(per_page: i64) -> Result<u64, super::Invalid> {
    u64::try_from(per_page)
        .ok()
        .filter(|p| (1..=FEED_MAX_PER_PAGE).contains(p))
        .ok_or_else(|| format!("must be between 1 and {FEED_MAX_PER_PAGE}").into())
}

/// Where an list's history stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct History {
    /// The number of the list's last change (0: none yet).
    pub seq: i64,
    /// The highest number whose tombstone is gone (past the retention): a
    /// position before it may have missed a deletion.
    pub floor: i64,
}

/// A position in one list's feed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeedPosition {
    pub list: ListId,
    /// Every change numbered up to this has been shown.
    pub after: i64,
    /// For a full sync: the history's number when it began. A task deleted
    /// up to then was never shown to the client, so neither is its
    /// tombstone. 0 once the position has passed it.
    pub origin: i64,
}

impl FeedPosition {
    /// The start of a full sync of `list`'s tasks as `history` stands.
    pub fn full_sync(list: ListId, history: History) -> Self {
        Self::at(list, 0, history.seq)
    }

    /// The position after `after`, normalised: `origin` is dropped once
    /// `after` has passed it, so equal positions are equal values.
    pub fn at(list: ListId, after: i64, origin: i64) -> Self {
        Self {
            list,
            after,
            origin: if origin > after { origin } else { 0 },
        }
    }

    /// Tombstones (and trashed tasks) numbered up to this are of tasks the
    /// client never saw: they are left out.
    pub fn deletions_after(&self) -> i64 {
        self.after.max(self.origin)
    }
}

impl History {
    /// Whether this history still holds everything a client at `position`
    /// needs: no tombstone it may need is gone, and the position is not
    /// past the history (a token from a database restored from a backup).
    pub fn serves(&self, position: &FeedPosition) -> bool {
        position.deletions_after() >= self.floor
            && position.after <= self.seq
            && position.origin <= self.seq
    }
}

/// One entry of the feed.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// A task created or changed: it as it now is.
    Live(Task),
    /// A task in the trash (`version`: its version there, which an
    /// undelete's `If-Match` names), removed for good or moved to another
    /// list (`None`): gone from `list`.
    Deleted {
        id: i64,
        list: ListId,
        deleted_at: Timestamp,
        version: Option<i64>,
    },
}

/// Where a caller stands in the feed of every list it sees (`scope`
/// `None`) or of one list: a position in each list it has synced, in list
/// order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedToken {
    pub owner: OwnerId,
    pub scope: Option<ListId>,
    pub lists: Vec<FeedPosition>,
}

impl FeedToken {
    /// The position in `list`, if the token has one.
    pub fn position(&self, list: ListId) -> Option<FeedPosition> {
        self.lists
            .binary_search_by_key(&list, |p| p.list)
            .ok()
            .and_then(|at| self.lists.get(at).copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: ListId = ListId(1);

    #[test]
    fn a_full_sync_skips_deletions_before_it_began() {
        let history = History { seq: 40, floor: 30 };
        let start = FeedPosition::full_sync(LIST, history);
        assert_eq!(start.deletions_after(), 40);
        assert!(history.serves(&start));
        // Part way through, the deletions it skips are still before 40.
        let partway = FeedPosition::at(LIST, 10, start.origin);
        assert_eq!(partway.deletions_after(), 40);
        assert!(history.serves(&partway));
    }

    #[test]
    fn a_position_before_the_floor_is_gone() {
        let history = History { seq: 40, floor: 30 };
        assert!(!history.serves(&FeedPosition::at(LIST, 29, 0)));
        assert!(history.serves(&FeedPosition::at(LIST, 30, 0)));
    }

    #[test]
    fn a_position_past_the_history_is_gone() {
        let history = History { seq: 40, floor: 0 };
        assert!(!history.serves(&FeedPosition::at(LIST, 41, 0)));
        assert!(!history.serves(&FeedPosition::at(LIST, 3, 41)));
    }

    #[test]
    fn the_origin_is_dropped_once_passed() {
        assert_eq!(
            FeedPosition::at(LIST, 50, 40),
            FeedPosition::at(LIST, 50, 0)
        );
    }
}
