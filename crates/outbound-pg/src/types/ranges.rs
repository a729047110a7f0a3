//! Range values: WIT (lower, upper) bound pairs <-> `postgres_range::Range`.
//!
//! As in Spin, an empty range reads as (none, none), like an unbounded one.

use anyhow::bail;
use postgres_range::{BoundSided, BoundType, Normalizable, Range, RangeBound};

use super::decimal::{self, RangeableDecimal};
use crate::wit::RangeBoundKind;

pub(crate) type WitBound<T> = Option<(T, RangeBoundKind)>;
pub(crate) type WitRange<T> = (WitBound<T>, WitBound<T>);

/// An integer range parameter.
///
/// `postgres_range` turns an inclusive upper (or exclusive lower) bound into the next integer
/// and panics when there is none; such a bound is refused here instead.
pub(crate) fn from_wit<T>((lower, upper): WitRange<T>) -> anyhow::Result<Range<T>>
where
    T: Normalizable + PartialOrd + Bounded,
{
    let steps_past_max = |bound: &WitBound<T>, stepping: RangeBoundKind| {
        bound.as_ref().is_some_and(|(value, kind)| *kind == stepping && value.is_max())
    };
    if steps_past_max(&lower, RangeBoundKind::Exclusive) || steps_past_max(&upper, RangeBoundKind::Inclusive) {
        bail!("range bound has no next integer to normalise to");
    }
    Ok(Range::new(lower.map(bound_from_wit), upper.map(bound_from_wit)))
}

pub(crate) fn to_wit<T: Copy + Normalizable + PartialOrd>(range: Range<T>) -> anyhow::Result<WitRange<T>> {
    Ok((range.lower().map(|b| bound_to_wit(b, |v| *v)), range.upper().map(|b| bound_to_wit(b, |v| *v))))
}

pub(crate) fn decimal_from_wit((lower, upper): &WitRange<String>) -> anyhow::Result<Range<RangeableDecimal>> {
    let parse = |bound: &WitBound<String>| {
        bound.as_ref().map(|(value, kind)| anyhow::Ok((RangeableDecimal(decimal::from_wit(value)?), *kind))).transpose()
    };
    Ok(Range::new(parse(lower)?.map(bound_from_wit), parse(upper)?.map(bound_from_wit)))
}

pub(crate) fn decimal_to_wit(range: Range<RangeableDecimal>) -> anyhow::Result<WitRange<String>> {
    let text = |d: &RangeableDecimal| d.0.to_string();
    Ok((range.lower().map(|b| bound_to_wit(b, text)), range.upper().map(|b| bound_to_wit(b, text))))
}

fn bound_from_wit<S: BoundSided, T: PartialOrd>((value, kind): (T, RangeBoundKind)) -> RangeBound<S, T> {
    let kind = match kind {
        RangeBoundKind::Inclusive => BoundType::Inclusive,
        RangeBoundKind::Exclusive => BoundType::Exclusive,
    };
    RangeBound::new(value, kind)
}

fn bound_to_wit<S: BoundSided, T, W>(bound: &RangeBound<S, T>, value: impl Fn(&T) -> W) -> (W, RangeBoundKind) {
    let kind = match bound.type_ {
        BoundType::Inclusive => RangeBoundKind::Inclusive,
        BoundType::Exclusive => RangeBoundKind::Exclusive,
    };
    (value(&bound.value), kind)
}

/// Integers whose largest value has no successor.
pub(crate) trait Bounded {
    fn is_max(&self) -> bool;
}

impl Bounded for i32 {
    fn is_max(&self) -> bool {
        *self == i32::MAX
    }
}

impl Bounded for i64 {
    fn is_max(&self) -> bool {
        *self == i64::MAX
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RangeBoundKind::{Exclusive, Inclusive};

    #[test]
    fn integer_ranges_are_normalised_like_postgres() {
        let range = from_wit((Some((1, Inclusive)), Some((5, Inclusive)))).unwrap();
        assert_eq!(to_wit(range).unwrap(), (Some((1, Inclusive)), Some((6, Exclusive))));
        let unbounded = from_wit::<i64>((None, Some((9, Exclusive)))).unwrap();
        assert_eq!(to_wit(unbounded).unwrap(), (None, Some((9, Exclusive))));
    }

    #[test]
    fn bound_past_the_largest_integer_is_refused_not_a_panic() {
        assert!(from_wit((None, Some((i32::MAX, Inclusive)))).is_err());
        assert!(from_wit((Some((i64::MAX, Exclusive)), None)).is_err());
        assert!(from_wit((Some((i32::MAX, Inclusive)), Some((i32::MAX, Exclusive)))).is_ok());
    }

    #[test]
    fn decimal_ranges_keep_their_bounds() {
        let wit = (Some(("123.45".to_owned(), Inclusive)), Some(("456.789789".to_owned(), Exclusive)));
        let range = decimal_from_wit(&wit).unwrap();
        assert_eq!(range.lower().unwrap().value.0, rust_decimal::Decimal::new(12345, 2));
        assert_eq!(decimal_to_wit(range).unwrap(), wit);
        let bad = (Some(("x".to_owned(), Inclusive)), None);
        assert_eq!(decimal_from_wit(&bad).unwrap_err().to_string(), "invalid decimal x");
    }
}
