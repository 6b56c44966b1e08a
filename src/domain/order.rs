//! Manual order: each task's `position` among its siblings is a string key
//! compared byte by byte, and a task is placed between two others by
//! giving it a key between theirs, so a move writes one row however many
//! siblings there are.
//!
//! A key is an integer part and an optional fraction. The integer part is
//! a head character giving the number of digits that follow (`a`–`z` for
//! 1–26 digits, `Z`–`A` for 1–26 digits below `a0`), then the digits, in
//! base 36 (`0`–`9`, `a`–`z`). The fraction is more digits, never ending in
//! `0`. Every key compares below every longer integer part, so appending
//! after the last key increments its integer part and keys stay short
//! (about log₃₆ of the number of appends); only placing again and again in
//! one gap lengthens the fraction, about one digit per five placements,
//! and `needs_rebalance` says when to re-space a neighbourhood.

use super::Invalid;

/// The digits of a key, in order.
const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
const BASE: usize = DIGITS.len();

/// Keys longer than this are replaced by re-spacing their neighbourhood.
pub const MAX_KEY_LEN: usize = 48;

/// The key of an empty sibling list's first task.
const FIRST: &str = "a0";

/// A task's place among its siblings: compared as bytes, so the database
/// orders by the column (binary collation) exactly as `Ord` does here.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OrderKey(String);

fn digit(c: u8) -> Option<usize> {
    DIGITS.iter().position(|&d| d == c)
}

/// How many digits an integer part with this head has.
fn int_len(head: u8) -> Option<usize> {
    match head {
        b'a'..=b'z' => Some(usize::from(head - b'a') + 1),
        b'A'..=b'Z' => Some(usize::from(b'Z' - head) + 1),
        _ => None,
    }
}

impl OrderKey {
    /// A stored or migrated key, checked.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let bytes = raw.as_bytes();
        let head = *bytes.first().ok_or("must not be empty")?;
        let len = int_len(head).ok_or("must start with a letter")?;
        if bytes.len() <= len {
            return Err("is shorter than its head says".into());
        }
        if bytes[1..].iter().any(|&c| digit(c).is_none()) {
            return Err("must be base-36 digits after the head".into());
        }
        if bytes.len() > len + 1 && bytes.last() == Some(&b'0') {
            return Err("must not end its fraction with 0".into());
        }
        Ok(Self(raw.to_owned()))
    }

    /// The key of the task that existed as number `n` in id order before
    /// manual order existed: the head of the length, then the decimal
    /// digits (decimal digits are base-36 digits, and keys of longer
    /// numbers compare greater by their head). The migration writes the
    /// same in SQL; a unit test holds them to each other.
    pub fn of_number(n: u64) -> Self {
        let digits = n.to_string();
        let head = char::from(b'a' + (digits.len() as u8 - 1));
        Self(format!("{head}{digits}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }

    fn split(&self) -> (&str, &str) {
        let len = int_len(self.0.as_bytes()[0]).unwrap_or(1);
        self.0.split_at(len + 1)
    }

    /// A key strictly between `lower` and `upper` (either may be open).
    /// `None` only if `lower >= upper`.
    pub fn between(lower: Option<&OrderKey>, upper: Option<&OrderKey>) -> Option<OrderKey> {
        match (lower, upper) {
            (None, None) => Some(Self(FIRST.to_owned())),
            (Some(a), Some(b)) if a >= b => None,
            (None, Some(b)) => {
                let (int, frac) = b.split();
                if !frac.is_empty() {
                    return Some(Self(int.to_owned()));
                }
                match decrement(int) {
                    Some(lower) => Some(Self(lower)),
                    // The smallest integer: a fraction below b's.
                    None => Some(Self(format!("{int}{}", midpoint("", Some(frac))))),
                }
            }
            (Some(a), None) => {
                let (int, frac) = a.split();
                match increment(int) {
                    Some(higher) => Some(Self(higher)),
                    None => Some(Self(format!("{int}{}", midpoint(frac, None)))),
                }
            }
            (Some(a), Some(b)) => {
                let (a_int, a_frac) = a.split();
                let (b_int, b_frac) = b.split();
                if a_int == b_int {
                    return Some(Self(format!("{a_int}{}", midpoint(a_frac, Some(b_frac)))));
                }
                match increment(a_int) {
                    Some(next) if next.as_str() < b.as_str() => Some(Self(next)),
                    _ => Some(Self(format!("{a_int}{}", midpoint(a_frac, None)))),
                }
            }
        }
    }

    /// `n` keys strictly between `lower` and `upper`, in order and evenly
    /// spread (each new midpoint halves a gap), so the longest is only about
    /// log₂(n)/5 digits longer than the bounds.
    pub fn spread(lower: Option<&OrderKey>, upper: Option<&OrderKey>, n: usize) -> Vec<OrderKey> {
        let mut keys = Vec::with_capacity(n);
        spread_into(lower, upper, n, &mut keys);
        keys
    }

    /// Whether this key is long enough that its neighbourhood should be
    /// re-spaced.
    pub fn needs_rebalance(&self) -> bool {
        self.0.len() > MAX_KEY_LEN
    }
}

/// Where a move puts a task among its new siblings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    /// After every sibling.
    Last,
    /// Right after this sibling.
    After(i64),
    /// Right before this sibling.
    Before(i64),
}

/// A move: the new parent (`None`: the parent it has; `Some(None)`: the
/// top level) and the place among that parent's children.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    pub parent: Option<Option<i64>>,
    pub anchor: Anchor,
    /// Another list to move to (with the task's subtree), if given.
    pub list: Option<super::ListId>,
}

fn spread_into(
    lower: Option<&OrderKey>,
    upper: Option<&OrderKey>,
    n: usize,
    keys: &mut Vec<OrderKey>,
) {
    if n == 0 {
        return;
    }
    let Some(mid) = OrderKey::between(lower, upper) else {
        return;
    };
    let left = (n - 1) / 2;
    spread_into(lower, Some(&mid), left, keys);
    keys.push(mid.clone());
    spread_into(Some(&mid), upper, n - 1 - left, keys);
}

/// A fraction (digits, no trailing `0`) strictly between `a` and `b`
/// (`None`: 1), read as base-36 fractions with `a < b`.
fn midpoint(a: &str, b: Option<&str>) -> String {
    let (a, b) = (a.as_bytes(), b.map(str::as_bytes));
    let mut out = Vec::new();
    let mut i = 0;
    // Digits both share are kept.
    if let Some(b) = b {
        while i < b.len() && a.get(i).copied().unwrap_or(b'0') == b[i] {
            out.push(b[i]);
            i += 1;
        }
    }
    let mut b_rest = b.map(|b| &b[i.min(b.len())..]);
    let mut a_rest = &a[i.min(a.len())..];
    loop {
        let da = a_rest.first().and_then(|&c| digit(c)).unwrap_or(0);
        let db = match b_rest {
            Some(rest) => rest.first().and_then(|&c| digit(c)).unwrap_or(BASE),
            None => BASE,
        };
        if db > da + 1 {
            out.push(DIGITS[(da + db) / 2]);
            break;
        }
        // Adjacent digits: b's digit alone is between when b goes on;
        // otherwise keep a's digit and look for room after it.
        if let Some(rest) = b_rest
            && rest.len() > 1
        {
            out.push(rest[0]);
            break;
        }
        out.push(DIGITS[da]);
        a_rest = a_rest.get(1..).unwrap_or(&[]);
        b_rest = None;
    }
    String::from_utf8(out).unwrap_or_default()
}

/// The next integer part, or `None` past the largest.
fn increment(int: &str) -> Option<String> {
    let bytes = int.as_bytes();
    let (head, digits) = (bytes[0], &bytes[1..]);
    let mut out = digits.to_vec();
    for i in (0..out.len()).rev() {
        let d = digit(out[i])?;
        if d + 1 < BASE {
            out[i] = DIGITS[d + 1];
            return Some(format!(
                "{}{}",
                char::from(head),
                String::from_utf8(out).ok()?
            ));
        }
        out[i] = b'0';
    }
    // All digits rolled over: the next head, one digit more or less.
    let next_head = match head {
        b'Z' => b'a',
        b'z' => return None,
        h => h + 1,
    };
    let len = int_len(next_head)?;
    Some(format!("{}{}", char::from(next_head), "0".repeat(len)))
}

/// The previous integer part, or `None` below the smallest.
fn decrement(int: &str) -> Option<String> {
    let bytes = int.as_bytes();
    let (head, digits) = (bytes[0], &bytes[1..]);
    let mut out = digits.to_vec();
    for i in (0..out.len()).rev() {
        let d = digit(out[i])?;
        if d > 0 {
            out[i] = DIGITS[d - 1];
            return Some(format!(
                "{}{}",
                char::from(head),
                String::from_utf8(out).ok()?
            ));
        }
        out[i] = b'z';
    }
    let previous_head = match head {
        b'a' => b'Z',
        b'A' => return None,
        h => h - 1,
    };
    let len = int_len(previous_head)?;
    Some(format!("{}{}", char::from(previous_head), "z".repeat(len)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(raw: &str) -> OrderKey {
        match OrderKey::parse(raw) {
            Ok(key) => key,
            Err(reason) => panic!("{raw}: {reason}"),
        }
    }

    fn between(a: Option<&str>, b: Option<&str>) -> OrderKey {
        let (a, b) = (a.map(key), b.map(key));
        let Some(mid) = OrderKey::between(a.as_ref(), b.as_ref()) else {
            panic!("no key between {a:?} and {b:?}")
        };
        assert!(OrderKey::parse(mid.as_str()).is_ok(), "{mid:?} is valid");
        if let Some(a) = &a {
            assert!(a < &mid, "{a:?} < {mid:?}");
        }
        if let Some(b) = &b {
            assert!(&mid < b, "{mid:?} < {b:?}");
        }
        mid
    }

    #[test]
    fn keys_between_bounds_sort_between_them() {
        assert_eq!(between(None, None).as_str(), "a0");
        assert_eq!(between(Some("a0"), None).as_str(), "a1");
        assert_eq!(between(None, Some("a0")).as_str(), "Zz");
        assert_eq!(between(Some("az"), None).as_str(), "b00");
        assert_eq!(between(None, Some("b00")).as_str(), "az");
        assert_eq!(between(Some("a0"), Some("a1")).as_str(), "a0i");
        assert_eq!(between(Some("a0"), Some("a0i")).as_str(), "a09");
        assert_eq!(between(Some("a0z"), Some("a1")).as_str(), "a0zi");
        assert_eq!(between(Some("a1"), Some("a1001")).as_str(), "a1000i");
        assert_eq!(between(Some("a0i"), Some("a0i1")).as_str(), "a0i0i");
        assert_eq!(between(None, Some("a0i")).as_str(), "a0");
        assert!(OrderKey::between(Some(&key("a1")), Some(&key("a1"))).is_none());
        assert!(OrderKey::between(Some(&key("a2")), Some(&key("a1"))).is_none());
    }

    #[test]
    fn appending_keeps_keys_short() {
        let mut last = key(FIRST);
        for _ in 0..100_000 {
            last = between(Some(last.as_str()), None);
        }
        assert!(last.as_str().len() <= 5, "{last:?}");
        let mut first = key(FIRST);
        for _ in 0..100_000 {
            first = between(None, Some(first.as_str()));
        }
        assert!(first.as_str().len() <= 5, "{first:?}");
    }

    #[test]
    fn placing_in_one_gap_again_and_again_stays_ordered() {
        // Always just after "a0": the worst case for the fraction.
        let low = key("a0");
        let mut high = key("a1");
        let mut placed = 0;
        while !high.needs_rebalance() {
            high = between(Some(low.as_str()), Some(high.as_str()));
            placed += 1;
        }
        assert!(placed > 200, "rebalanced after only {placed} placements");
    }

    #[test]
    fn spread_keys_are_ordered_distinct_and_short() {
        let (a, b) = (key("a0"), key("a1"));
        let keys = OrderKey::spread(Some(&a), Some(&b), 1000);
        assert_eq!(keys.len(), 1000);
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
        assert!(a < keys[0] && keys[999] < b);
        assert!(keys.iter().all(|k| k.as_str().len() <= 6), "{keys:?}");
        let open = OrderKey::spread(None, None, 5);
        assert!(open.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn numbered_keys_follow_the_numbers() {
        let numbers = [
            0_u64,
            1,
            9,
            10,
            99,
            100,
            12_345,
            u64::from(u32::MAX),
            u64::MAX,
        ];
        let keys: Vec<OrderKey> = numbers.iter().map(|&n| OrderKey::of_number(n)).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:?}");
        assert!(keys.iter().all(|k| OrderKey::parse(k.as_str()).is_ok()));
        assert_eq!(OrderKey::of_number(42).as_str(), "b42");
        // And there is room after each.
        assert!(
            between(Some("b42"), Some("b43"))
                .as_str()
                .starts_with("b42")
        );
    }

    #[test]
    fn malformed_keys_are_refused() {
        for raw in ["", "0a", "a", "b1", "a1!", "a10", "aZ"] {
            assert!(OrderKey::parse(raw).is_err(), "{raw:?}");
        }
    }
}
