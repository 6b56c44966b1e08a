//! Changes to who may do what, as structured log events (target `audit`)
//! with the actor, the request id and what was acted on (`acted_on`: the
//! log's own `target` field names the event's kind), never a secret; each
//! counted in `/metrics` (`tasks_api_audit_events_total{event}`).

use super::store::Principal;
use crate::db::Db;

/// What happened (one of `observe::metrics::AUDIT_EVENTS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    KeyCreated,
    KeyRevoked,
    OwnerCreated,
    OwnerDisabled,
    OwnerEnabled,
}

impl Event {
    pub fn name(self) -> &'static str {
        match self {
            Event::KeyCreated => "key_created",
            Event::KeyRevoked => "key_revoked",
            Event::OwnerCreated => "owner_created",
            Event::OwnerDisabled => "owner_disabled",
            Event::OwnerEnabled => "owner_enabled",
        }
    }
}

/// Logs and counts `event`, done by `actor` to `target` (`key 12 of owner
/// 3`, `owner 3`).
pub fn record(db: &Db, event: Event, actor: &Principal, target: &str) {
    tracing::info!(
        target: "audit",
        event = event.name(),
        actor_owner = actor.owner.0,
        actor_key = actor.key_id().unwrap_or_default(),
        acted_on = target,
        request_id = crate::observe::current_request_id().as_deref().unwrap_or("-"),
        "audit: {}",
        event.name()
    );
    if let Some(metrics) = db.metrics() {
        metrics.audited(event.name());
    }
}
