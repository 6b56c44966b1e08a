//! The feed's opaque `since` token: the owner, the scope (every list or
//! one), and a position in each list, as variable-length integers in
//! URL-safe base64; tokens from before lists are told apart (410).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::domain::sharing::MAX_LISTS_PER_OWNER;
use crate::domain::{FeedPosition, FeedToken, ListId, OwnerId};
use crate::error::{ApiError, FieldError};

/// The version byte that starts every token: 2 since lists (a position in
/// each list); a token of version 1 (one position in the owner's history,
/// before lists) is answered 410, a full sync.
const TOKEN_VERSION: u8 = 2;
const OLD_TOKEN_VERSION: u8 = 1;
const OLD_TOKEN_BYTES: usize = 1 + 3 * 8;

fn put(bytes: &mut Vec<u8>, mut n: u64) {
    loop {
        let low = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            bytes.push(low);
            return;
        }
        bytes.push(low | 0x80);
    }
}

fn get(bytes: &mut std::slice::Iter<'_, u8>) -> Option<u64> {
    let mut n: u64 = 0;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.next()?;
        n |= u64::from(byte & 0x7f).checked_shl(shift)?;
        if byte & 0x80 == 0 {
            return Some(n);
        }
    }
    None
}

fn signed(n: u64) -> Option<i64> {
    i64::try_from(n).ok()
}

/// The opaque `since` token: the owner, the scope (0: every list), and
/// each list's position (the list's id as the step from the previous one,
/// the last number seen, and how far a full sync's origin is past it), as
/// variable-length integers.
pub(super) fn encode(token: &FeedToken) -> String {
    let mut bytes = Vec::with_capacity(8 + token.lists.len() * 6);
    bytes.push(TOKEN_VERSION);
    put(&mut bytes, token.owner.0.unsigned_abs());
    put(&mut bytes, token.scope.map_or(0, |l| l.0.unsigned_abs()));
    put(&mut bytes, token.lists.len() as u64);
    let mut previous = 0;
    for position in &token.lists {
        put(
            &mut bytes,
            position.list.0.saturating_sub(previous).unsigned_abs(),
        );
        put(&mut bytes, position.after.unsigned_abs());
        put(
            &mut bytes,
            position
                .origin
                .saturating_sub(position.after)
                .max(0)
                .unsigned_abs(),
        );
        previous = position.list.0;
    }
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What a `since` token says.
#[derive(Debug, PartialEq, Eq)]
enum Since {
    Token(FeedToken),
    /// A token from before lists: its history is not served any more.
    Old,
}

/// The token `text` names, if this server issued it.
fn decode(text: &str) -> Option<Since> {
    let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
    let (&version, rest) = bytes.split_first()?;
    if version == OLD_TOKEN_VERSION && bytes.len() == OLD_TOKEN_BYTES {
        return Some(Since::Old);
    }
    if version != TOKEN_VERSION {
        return None;
    }
    let mut rest = rest.iter();
    let owner = signed(get(&mut rest)?).filter(|&o| o > 0)?;
    let scope = signed(get(&mut rest)?)?;
    let count = usize::try_from(get(&mut rest)?).ok()?;
    if count > MAX_LISTS_PER_OWNER {
        return None;
    }
    let mut lists = Vec::with_capacity(count);
    let mut previous: i64 = 0;
    for _ in 0..count {
        let step = signed(get(&mut rest)?).filter(|&s| s > 0)?;
        let list = previous.checked_add(step)?;
        let after = signed(get(&mut rest)?)?;
        let origin = after.checked_add(signed(get(&mut rest)?)?)?;
        lists.push(FeedPosition::at(ListId(list), after, origin));
        previous = list;
    }
    if rest.next().is_some() {
        return None;
    }
    Some(Since::Token(FeedToken {
        owner: OwnerId(owner),
        scope: (scope > 0).then_some(ListId(scope)),
        lists,
    }))
}

/// The `since` token for `owner`'s feed of `scope` (`None`: a full sync);
/// a bad token is pushed onto `errors`; a token from before lists is 410.
pub(super) fn since_token(
    text: Option<&str>,
    owner: OwnerId,
    scope: Option<ListId>,
    errors: &mut Vec<FieldError>,
) -> Result<Option<FeedToken>, ApiError> {
    let Some(text) = text else {
        return Ok(None);
    };
    let reason = match decode(text) {
        None => "is not a token this feed issued",
        Some(Since::Old) => return Err(ApiError::feed_history_gone()),
        Some(Since::Token(t)) if t.owner != owner => "was issued to another owner's API key",
        Some(Since::Token(t)) if t.scope != scope => {
            "was issued by the feed of another list (or of every list)"
        }
        Some(Since::Token(t)) => return Ok(Some(t)),
    };
    errors.push(FieldError::parameter("since", reason));
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_refuse_anything_else() {
        let token = FeedToken {
            owner: OwnerId(3),
            scope: None,
            lists: vec![
                FeedPosition::at(ListId(3), 17, 40),
                FeedPosition::at(ListId(9), 0, 0),
                FeedPosition::at(ListId(1 << 40), i64::MAX, 0),
            ],
        };
        let text = encode(&token);
        assert_eq!(decode(&text), Some(Since::Token(token.clone())));
        let one = FeedToken {
            scope: Some(ListId(9)),
            lists: vec![FeedPosition::at(ListId(9), 5, 0)],
            ..token
        };
        assert_eq!(decode(&encode(&one)), Some(Since::Token(one.clone())));
        for bad in ["", "x", "AQ", &text[1..], &format!("{text}AA")] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_token_from_before_lists_is_old() {
        let mut bytes = vec![OLD_TOKEN_VERSION];
        for n in [1i64, 17, 0] {
            bytes.extend_from_slice(&n.to_be_bytes());
        }
        assert_eq!(decode(&URL_SAFE_NO_PAD.encode(bytes)), Some(Since::Old));
    }
}
