use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Organizer roles. `admin ⊃ editor ⊃ viewer`; `checkin` stands apart: it may only post
/// check-ins and read their counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Editor,
    Viewer,
    Checkin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Viewer => "viewer",
            Role::Checkin => "checkin",
        }
    }

    /// Whether an organizer with this role may do what `needed` allows.
    pub fn allows(self, needed: Role) -> bool {
        match needed {
            Role::Admin => self == Role::Admin,
            Role::Editor => matches!(self, Role::Admin | Role::Editor),
            Role::Viewer => matches!(self, Role::Admin | Role::Editor | Role::Viewer),
            Role::Checkin => matches!(self, Role::Admin | Role::Editor | Role::Checkin),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "admin" => Ok(Role::Admin),
            "editor" => Ok(Role::Editor),
            "viewer" => Ok(Role::Viewer),
            "checkin" => Ok(Role::Checkin),
            other => Err(format!("unknown role `{other}`")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hierarchy() {
        assert!(Role::Admin.allows(Role::Editor));
        assert!(Role::Editor.allows(Role::Viewer));
        assert!(!Role::Viewer.allows(Role::Editor));
        assert!(!Role::Checkin.allows(Role::Viewer));
        assert!(Role::Checkin.allows(Role::Checkin));
        assert!(!Role::Viewer.allows(Role::Checkin));
        assert!(!Role::Editor.allows(Role::Admin));
    }
}
