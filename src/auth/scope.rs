//! What a credential may do (RFC 6750 scopes): each operation declares the
//! one it needs in the contract (`security: [bearerAuth: [tasks:read]]`),
//! and the authentication layer enforces what the contract declares.

use poem_openapi::{Enum, OAuthScopes};

/// A scope: what an operation needs and a credential may hold.
#[derive(OAuthScopes, Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Read tasks, labels and the change feed.
    #[oai(rename = "tasks:read")]
    TasksRead,
    /// Create, change, move, trash and undelete tasks.
    #[oai(rename = "tasks:write")]
    TasksWrite,
    /// List, make and revoke the owner's own API keys.
    #[oai(rename = "keys:manage")]
    KeysManage,
    /// Provision owners and their keys, and disable owners.
    #[oai(rename = "admin")]
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 4] = [
        Scope::TasksRead,
        Scope::TasksWrite,
        Scope::KeysManage,
        Scope::Admin,
    ];

    fn bit(self) -> u8 {
        1 << (self as u8)
    }

    /// The scope named `name`, if there is one.
    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| OAuthScopes::name(s) == name)
    }
}

/// A set of scopes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Scopes(u8);

impl Scopes {
    /// Every scope: what keys made before scopes existed, and the key a
    /// server prints on its first start, hold.
    pub fn all() -> Self {
        Scope::ALL.into_iter().collect()
    }

    /// What a user's own key holds by default: everything but `admin`.
    pub fn user() -> Self {
        [Scope::TasksRead, Scope::TasksWrite, Scope::KeysManage]
            .into_iter()
            .collect()
    }

    pub fn contains(self, scope: Scope) -> bool {
        self.0 & scope.bit() != 0
    }

    pub fn is_subset_of(self, other: Scopes) -> bool {
        self.0 & !other.0 == 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The scopes, in the order of [`Scope::ALL`].
    pub fn iter(self) -> impl Iterator<Item = Scope> {
        Scope::ALL.into_iter().filter(move |s| self.contains(*s))
    }

    /// The names, as the contract and the wire spell them.
    pub fn names(self) -> Vec<&'static str> {
        self.iter().map(|s| OAuthScopes::name(&s)).collect()
    }

    /// Space-separated, as stored and as OAuth's `scope` is.
    pub fn to_text(self) -> String {
        self.names().join(" ")
    }

    /// Space-separated names; the first unknown one is the error.
    pub fn parse_text(text: &str) -> Result<Self, String> {
        text.split_ascii_whitespace()
            .map(|name| Scope::named(name).ok_or_else(|| name.to_owned()))
            .collect()
    }
}

impl FromIterator<Scope> for Scopes {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> Self {
        Self(iter.into_iter().fold(0, |bits, s| bits | s.bit()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_round_trip_through_their_text() {
        for scopes in [Scopes::all(), Scopes::user(), Scopes::default()] {
            assert_eq!(Scopes::parse_text(&scopes.to_text()), Ok(scopes));
        }
        assert_eq!(
            Scopes::parse_text("tasks:read  admin").map(Scopes::names),
            Ok(vec!["tasks:read", "admin"])
        );
        assert_eq!(
            Scopes::parse_text("tasks:read tasks:delete"),
            Err("tasks:delete".to_owned())
        );
        assert!(Scopes::user().is_subset_of(Scopes::all()));
        assert!(!Scopes::all().is_subset_of(Scopes::user()));
        assert!(!Scopes::user().contains(Scope::Admin));
    }
}
