//! Lists and who may do what on them: the roles, and the limits on lists
//! and members.

use super::Invalid;

/// Lists an owner may see (its own and those shared with it): the feed's
/// token carries a position for each.
pub const MAX_LISTS_PER_OWNER: usize = 200;
/// Members a list may have.
pub const MAX_MEMBERS_PER_LIST: usize = 50;

/// A member's role on a list: each includes what the ones below it may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Reads the list and its tasks.
    Viewer,
    /// Also writes the list's tasks.
    Editor,
    /// Also renames, trashes and purges the list and manages its members.
    Owner,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Owner => "owner",
        }
    }

    /// The role a stored or sent name names.
    pub fn parse(name: &str) -> Result<Self, Invalid> {
        match name {
            "viewer" => Ok(Role::Viewer),
            "editor" => Ok(Role::Editor),
            "owner" => Ok(Role::Owner),
            _ => Err("must be one of owner, editor, viewer".into()),
        }
    }

    /// Whether this role may do what `needed` may.
    pub fn allows(self, needed: Role) -> bool {
        self >= needed
    }
}

#[cfg(test)]
mod tests {
    use super::Role;

    #[test]
    fn each_role_allows_what_the_ones_below_it_do() {
        assert!(Role::Owner.allows(Role::Editor));
        assert!(Role::Editor.allows(Role::Viewer));
        assert!(!Role::Viewer.allows(Role::Editor));
        assert!(!Role::Editor.allows(Role::Owner));
        for role in [Role::Viewer, Role::Editor, Role::Owner] {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
        assert!(Role::parse("Owner").is_err());
    }
}
