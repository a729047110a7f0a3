//! NUMERIC values: WIT carries them as base-10 strings, the driver as `rust_decimal::Decimal`.

use anyhow::Context;
use rust_decimal::Decimal;
use tokio_postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

pub(crate) fn from_wit(value: &str) -> anyhow::Result<Decimal> {
    Decimal::from_str_exact(value).with_context(|| format!("invalid decimal {value}"))
}

pub(crate) fn array_from_wit(values: &[Option<String>]) -> anyhow::Result<Vec<Option<Decimal>>> {
    values.iter().map(|value| value.as_deref().map(from_wit).transpose()).collect()
}

pub(crate) fn array_to_wit(values: Vec<Option<Decimal>>) -> anyhow::Result<Vec<Option<String>>> {
    Ok(values.into_iter().map(|value| value.map(|d| d.to_string())).collect())
}

/// A `Decimal` that can be a range bound: NUMERIC ranges are continuous, so bounds are kept
/// as given (no normalisation).
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub(crate) struct RangeableDecimal(pub Decimal);

impl postgres_range::Normalizable for RangeableDecimal {
    fn normalize<S: postgres_range::BoundSided>(
        bound: postgres_range::RangeBound<S, Self>,
    ) -> postgres_range::RangeBound<S, Self> {
        bound
    }
}

impl ToSql for RangeableDecimal {
    fn to_sql(&self, ty: &Type, out: &mut bytes::BytesMut) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        self.0.to_sql(ty, out)
    }

    fn accepts(ty: &Type) -> bool {
        <Decimal as ToSql>::accepts(ty)
    }

    to_sql_checked!();
}

impl<'a> FromSql<'a> for RangeableDecimal {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Decimal::from_sql(ty, raw).map(Self)
    }

    fn accepts(ty: &Type) -> bool {
        <Decimal as FromSql>::accepts(ty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_arrays_keep_nulls_and_digits() {
        let wit = vec![Some("12.34".to_owned()), None, Some("123456789.987654321".to_owned())];
        let decimals = array_from_wit(&wit).unwrap();
        assert_eq!(decimals[0], Some(Decimal::new(1234, 2)));
        assert_eq!(decimals[2], Some(Decimal::new(123_456_789_987_654_321, 9)));
        assert_eq!(array_to_wit(decimals).unwrap(), wit);
    }

    #[test]
    fn non_decimal_text_is_refused() {
        let error = array_from_wit(&[Some("1.5".into()), Some("1,5".into())]).unwrap_err();
        assert_eq!(error.to_string(), "invalid decimal 1,5");
    }
}
