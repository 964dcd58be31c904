//! The verified right to join a room, shared by the token checks (which produce it) and
//! the SFU (which admits it).

use std::collections::BTreeMap;

use crate::ids::{ParticipantIdentity, RoomName};
use crate::info::{ParticipantKind, Permissions};

/// A verified right to join one room as one identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinGrant {
    /// The room.
    pub room: RoomName,
    /// The identity.
    pub identity: ParticipantIdentity,
    /// Display name.
    pub name: String,
    /// Initial metadata.
    pub metadata: String,
    /// Initial attributes.
    pub attributes: BTreeMap<String, String>,
    /// What it may do.
    pub permissions: Permissions,
    /// What kind of client it is (the token's `kind`).
    pub kind: ParticipantKind,
}
