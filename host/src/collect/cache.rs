//! What earlier runs described, kept in memory across warm Lambda invocations, so a run
//! describes only resources that are new or whose `LastModifiedTime` changed.
//!
//! A cached entry is valid while the list call reports the same `LastModifiedTime` it had
//! when it was described; a summary without a `LastModifiedTime` is always described again.
//! Only successful describes are cached. After a complete listing, entries the list no
//! longer returns are dropped; after an incomplete one, they are kept (their absence proves
//! nothing).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use aws_sdk_connect::primitives::DateTime;

use super::snapshot::{QueueInfo, RoutingProfileInfo, UserInfo};

/// A described resource and the list's `LastModifiedTime` it was described at.
#[derive(Debug, Clone)]
pub(crate) struct Cached<T> {
    pub(crate) last_modified: Option<DateTime>,
    pub(crate) value: T,
}

/// Described resources of one kind, by id.
#[derive(Debug)]
pub(crate) struct ResourceCache<T> {
    entries: HashMap<String, Cached<T>>,
}

impl<T> Default for ResourceCache<T> {
    fn default() -> Self {
        Self {
            entries: HashMap::new(),
        }
    }
}

impl<T> ResourceCache<T> {
    /// The cached value of `id` if the list still reports the `last_modified` it had.
    pub(crate) fn fresh(&self, id: &str, last_modified: Option<&DateTime>) -> Option<&T> {
        let entry = self.entries.get(id)?;
        let unchanged = last_modified.is_some() && entry.last_modified.as_ref() == last_modified;
        unchanged.then_some(&entry.value)
    }

    /// The cached value of `id`, however old.
    pub(crate) fn any(&self, id: &str) -> Option<&T> {
        self.entries.get(id).map(|entry| &entry.value)
    }

    /// Takes this run's entries: they replace the cache after a complete listing, and are
    /// merged into it after an incomplete one.
    pub(crate) fn update(&mut self, entries: HashMap<String, Cached<T>>, list_complete: bool) {
        if list_complete {
            self.entries = entries;
        } else {
            self.entries.extend(entries);
        }
    }

    /// How many resources are cached.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

/// Everything cached for one Amazon Connect instance.
#[derive(Debug, Default)]
pub(crate) struct InstanceCache {
    pub(crate) queues: ResourceCache<QueueInfo>,
    pub(crate) routing_profiles: ResourceCache<RoutingProfileInfo>,
    pub(crate) users: ResourceCache<UserInfo>,
    /// When a run last described everything (with every listing complete).
    pub(crate) refreshed_at: Option<Instant>,
}

impl InstanceCache {
    /// True when nothing was ever fully described or the last full refresh is `every` old.
    pub(crate) fn full_refresh_due(&self, every: Duration) -> bool {
        self.refreshed_at.is_none_or(|at| at.elapsed() >= every)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache_with(id: &str, last_modified: Option<DateTime>) -> ResourceCache<&'static str> {
        let mut cache = ResourceCache::default();
        let entry = Cached {
            last_modified,
            value: "described",
        };
        cache.update(HashMap::from([(id.to_owned(), entry)]), true);
        cache
    }

    #[test]
    fn entry_is_fresh_only_while_last_modified_is_unchanged() {
        let at = DateTime::from_secs(1_700_000_000);
        let cache = cache_with("u1", Some(at));
        assert_eq!(cache.fresh("u1", Some(&at)), Some(&"described"));
        assert_eq!(
            cache.fresh("u1", Some(&DateTime::from_secs(1_700_000_001))),
            None
        );
        assert_eq!(cache.fresh("u1", None), None);
        assert_eq!(cache.fresh("u2", Some(&at)), None);
    }

    #[test]
    fn entry_without_last_modified_is_never_fresh() {
        let cache = cache_with("u1", None);
        assert_eq!(cache.fresh("u1", None), None);
        assert_eq!(cache.any("u1"), Some(&"described"));
    }

    #[test]
    fn incomplete_listing_keeps_entries_it_did_not_see() {
        let mut cache = cache_with("u1", None);
        cache.update(HashMap::new(), false);
        assert_eq!(cache.len(), 1);
        cache.update(HashMap::new(), true);
        assert_eq!(cache.len(), 0);
    }

    #[test]
    fn full_refresh_is_due_at_first_and_after_the_interval() {
        let mut cache = InstanceCache::default();
        assert!(cache.full_refresh_due(Duration::from_secs(3600)));
        cache.refreshed_at = Some(Instant::now());
        assert!(!cache.full_refresh_due(Duration::from_secs(3600)));
        assert!(cache.full_refresh_due(Duration::ZERO));
    }
}
