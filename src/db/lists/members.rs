//! A list's members: listing them, giving one a role, removing one (or
//! leaving). Each change locks the list's row first, as every change of a
//! list does (`manage.rs`).

use sea_orm::ConnectionTrait;

use super::super::{Db, DbError};
use super::listing::instant;
use super::manage::{
    Managed, Refused, add_member, checked, count, event, exec, in_write, is_inbox, memberships,
    too_many_lists,
};
use super::{of_list, statement, stored_role};
use crate::domain::sharing::{MAX_LISTS_PER_OWNER, MAX_MEMBERS_PER_LIST};
use crate::domain::{ListId, OwnerId, Role, Timestamp};

/// A member of a list, as listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub owner: OwnerId,
    pub name: String,
    pub role: Role,
    pub added_at: Timestamp,
}

/// The members of `list`, if `owner` sees it.
pub async fn members(
    db: &Db,
    owner: OwnerId,
    list: ListId,
) -> Result<Option<Vec<Member>>, DbError> {
    db.timed("list_members", async {
        let reader = db.reader();
        if of_list(reader, owner, list, false).await?.is_none() {
            return Ok(None);
        }
        let stmt = statement(
            reader,
            "SELECT m.owner_id, o.name, m.role, m.added_at FROM list_members m \
             JOIN owners o ON o.id = m.owner_id WHERE m.list_id = ? ORDER BY m.owner_id",
            vec![list.0.into()],
        );
        let rows = reader.query_all_raw(stmt).await?;
        rows.iter()
            .map(|row| {
                let role: String = row.try_get_by_index(2)?;
                Ok(Member {
                    owner: OwnerId(row.try_get_by_index(0)?),
                    name: row.try_get_by_index(1)?,
                    role: stored_role(&role, list.0)?,
                    added_at: instant(row.try_get_by_index(3)?, list.0)?,
                })
            })
            .collect::<Result<Vec<_>, DbError>>()
            .map(Some)
    })
    .await
}

/// Whether a change of members leaves `list` an owner: the owners other
/// than `member`.
async fn other_owners(
    conn: &impl ConnectionTrait,
    list: ListId,
    member: OwnerId,
) -> Result<i64, DbError> {
    count(
        conn,
        "SELECT COUNT(*) FROM list_members WHERE list_id = ? AND owner_id <> ? AND role = 'owner'",
        vec![list.0.into(), member.0.into()],
    )
    .await
}

async fn role_of(
    conn: &impl ConnectionTrait,
    list: ListId,
    member: OwnerId,
) -> Result<Option<Role>, DbError> {
    let stmt = statement(
        conn,
        "SELECT role FROM list_members WHERE list_id = ? AND owner_id = ?",
        vec![list.0.into(), member.0.into()],
    );
    match conn.query_one_raw(stmt).await? {
        Some(row) => {
            let role: String = row.try_get_by_index(0)?;
            Ok(Some(stored_role(&role, list.0)?))
        }
        None => Ok(None),
    }
}

/// Whether `set_member` added the member or changed (or kept) its role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberSet {
    Added,
    Changed,
}

/// Gives `member` `role` on `list` (its owners only): adds it, or changes
/// its role.
pub async fn set_member(
    db: &Db,
    owner: OwnerId,
    list: ListId,
    member: OwnerId,
    role: Role,
    now: Timestamp,
) -> Result<Managed<MemberSet>, DbError> {
    in_write(db, "set_member", move |txn| {
        Box::pin(async move {
            let access = match checked(txn, owner, list, Role::Owner, false, None).await? {
                Ok(access) => access,
                Err(refused) => return Ok(Err(refused)),
            };
            if access.inbox || is_inbox(txn, list).await? {
                return Ok(Err(Refused::Inbox("an inbox is not shared")));
            }
            let exists = count(
                txn,
                "SELECT COUNT(*) FROM owners WHERE id = ?",
                vec![member.0.into()],
            )
            .await?;
            if exists == 0 {
                return Ok(Err(Refused::NoSuchOwner));
            }
            match role_of(txn, list, member).await? {
                Some(current) if current == role => Ok(Ok(MemberSet::Changed)),
                Some(Role::Owner) if other_owners(txn, list, member).await? == 0 => {
                    Ok(Err(Refused::LastOwner))
                }
                Some(_) => {
                    exec(
                        txn,
                        "UPDATE list_members SET role = ? WHERE list_id = ? AND owner_id = ?",
                        vec![role.as_str().into(), list.0.into(), member.0.into()],
                    )
                    .await?;
                    event(txn, list, now).await?;
                    Ok(Ok(MemberSet::Changed))
                }
                None => {
                    let members = count(
                        txn,
                        "SELECT members FROM task_lists WHERE id = ?",
                        vec![list.0.into()],
                    )
                    .await?;
                    if members >= MAX_MEMBERS_PER_LIST as i64 {
                        return Ok(Err(Refused::Limit(format!(
                            "list {} already has {MAX_MEMBERS_PER_LIST} members, the most a list may have",
                            list.0
                        ))));
                    }
                    if memberships(txn, member).await? >= MAX_LISTS_PER_OWNER as i64 {
                        return Ok(Err(too_many_lists(member)));
                    }
                    add_member(txn, list, member, role, now.as_micros()).await?;
                    event(txn, list, now).await?;
                    Ok(Ok(MemberSet::Added))
                }
            }
        })
    })
    .await
}

/// Removes `member` from `list`: by one of its owners, or by the member
/// itself (leaving). The last owner cannot leave.
pub async fn remove_member(
    db: &Db,
    owner: OwnerId,
    list: ListId,
    member: OwnerId,
    now: Timestamp,
) -> Result<Managed<()>, DbError> {
    in_write(db, "remove_member", move |txn| {
        Box::pin(async move {
            let needed = if member == owner {
                Role::Viewer
            } else {
                Role::Owner
            };
            if let Err(refused) = checked(txn, owner, list, needed, false, None).await? {
                return Ok(Err(refused));
            }
            match role_of(txn, list, member).await? {
                None => Ok(Err(Refused::NoSuchOwner)),
                Some(Role::Owner) if other_owners(txn, list, member).await? == 0 => {
                    Ok(Err(Refused::LastOwner))
                }
                Some(_) => {
                    exec(
                        txn,
                        "DELETE FROM list_members WHERE list_id = ? AND owner_id = ?",
                        vec![list.0.into(), member.0.into()],
                    )
                    .await?;
                    exec(
                        txn,
                        "UPDATE task_lists SET members = members - 1 WHERE id = ?",
                        vec![list.0.into()],
                    )
                    .await?;
                    event(txn, list, now).await?;
                    Ok(Ok(()))
                }
            }
        })
    })
    .await
}
