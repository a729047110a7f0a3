//! The mapping between `spin_sdk::pg4` values and PostgreSQL types, as in Spin 3.6.
//!
//! Reading: the column's PostgreSQL type picks the `db-value` variant; a type with no variant
//! comes back as `unsupported` with its raw binary value. Writing: each `parameter-value`
//! variant has one Rust type, which PostgreSQL must accept for the parameter's position
//! (`db-null` fits any).

mod datetime;
mod decimal;
mod ranges;
mod wire;

use tokio_postgres::Row;
use tokio_postgres::types::{FromSql, ToSql, Type};

use crate::wit::{DbDataType, DbValue, ParameterValue};
use wire::{AnyNull, Interval, RawValue};

/// The `db-data-type` of a column of PostgreSQL type `pg_type`.
pub(crate) fn column_type(pg_type: &Type) -> DbDataType {
    match *pg_type {
        Type::BOOL => DbDataType::Boolean,
        Type::BYTEA => DbDataType::Binary,
        Type::FLOAT4 => DbDataType::Floating32,
        Type::FLOAT8 => DbDataType::Floating64,
        Type::INT2 => DbDataType::Int16,
        Type::INT4 => DbDataType::Int32,
        Type::INT8 => DbDataType::Int64,
        Type::TEXT | Type::VARCHAR | Type::BPCHAR => DbDataType::Str,
        Type::TIMESTAMP | Type::TIMESTAMPTZ => DbDataType::Datetime,
        Type::DATE => DbDataType::Date,
        Type::TIME => DbDataType::Time,
        Type::UUID => DbDataType::Uuid,
        Type::JSONB => DbDataType::Jsonb,
        Type::NUMERIC => DbDataType::Decimal,
        Type::INT4_RANGE => DbDataType::RangeInt32,
        Type::INT8_RANGE => DbDataType::RangeInt64,
        Type::NUM_RANGE => DbDataType::RangeDecimal,
        Type::INT4_ARRAY => DbDataType::ArrayInt32,
        Type::INT8_ARRAY => DbDataType::ArrayInt64,
        Type::NUMERIC_ARRAY => DbDataType::ArrayDecimal,
        Type::TEXT_ARRAY | Type::VARCHAR_ARRAY | Type::BPCHAR_ARRAY => DbDataType::ArrayStr,
        Type::INTERVAL => DbDataType::Interval,
        _ => DbDataType::Other(pg_type.name().to_owned()),
    }
}

/// The value of column `index` of `row`.
///
/// As in Spin, a TIMESTAMPTZ column is announced as `datetime` but cannot be read (the driver
/// decodes `datetime` as a timestamp without time zone): select it as `::timestamp`.
pub(crate) fn row_value(row: &Row, index: usize) -> anyhow::Result<DbValue> {
    match *row.columns()[index].type_() {
        Type::BOOL => read(row, index, Ok, DbValue::Boolean),
        Type::BYTEA => read(row, index, Ok, DbValue::Binary),
        Type::FLOAT4 => read(row, index, Ok, DbValue::Floating32),
        Type::FLOAT8 => read(row, index, Ok, DbValue::Floating64),
        Type::INT2 => read(row, index, Ok, DbValue::Int16),
        Type::INT4 => read(row, index, Ok, DbValue::Int32),
        Type::INT8 => read(row, index, Ok, DbValue::Int64),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR => read(row, index, Ok, DbValue::Str),
        Type::TIMESTAMP | Type::TIMESTAMPTZ => read(row, index, datetime::datetime_to_wit, DbValue::Datetime),
        Type::DATE => read(row, index, datetime::date_to_wit, DbValue::Date),
        Type::TIME => read(row, index, datetime::time_to_wit, DbValue::Time),
        Type::UUID => read(row, index, |v: uuid::Uuid| Ok(v.to_string()), DbValue::Uuid),
        Type::JSONB => read(row, index, json_to_wit, DbValue::Jsonb),
        Type::NUMERIC => read(row, index, |v: rust_decimal::Decimal| Ok(v.to_string()), DbValue::Decimal),
        Type::INT4_RANGE => read(row, index, ranges::to_wit, DbValue::RangeInt32),
        Type::INT8_RANGE => read(row, index, ranges::to_wit, DbValue::RangeInt64),
        Type::NUM_RANGE => read(row, index, ranges::decimal_to_wit, DbValue::RangeDecimal),
        Type::INT4_ARRAY => read(row, index, Ok, DbValue::ArrayInt32),
        Type::INT8_ARRAY => read(row, index, Ok, DbValue::ArrayInt64),
        Type::NUMERIC_ARRAY => read(row, index, decimal::array_to_wit, DbValue::ArrayDecimal),
        Type::TEXT_ARRAY | Type::VARCHAR_ARRAY | Type::BPCHAR_ARRAY => read(row, index, Ok, DbValue::ArrayStr),
        Type::INTERVAL => read(row, index, |v: Interval| Ok(v.0), DbValue::Interval),
        _ => read(row, index, |v: RawValue| Ok(v.0), DbValue::Unsupported),
    }
}

/// Decodes column `index` as `T`, converts it for WIT and wraps it in `variant`; NULL is
/// `db-null` whatever the type.
fn read<'a, T: FromSql<'a>, W>(
    row: &'a Row,
    index: usize,
    to_wit: impl FnOnce(T) -> anyhow::Result<W>,
    variant: impl FnOnce(W) -> DbValue,
) -> anyhow::Result<DbValue> {
    Ok(match row.try_get::<_, Option<T>>(index)? {
        Some(value) => variant(to_wit(value)?),
        None => DbValue::DbNull,
    })
}

/// A parameter value as the driver sends it.
pub(crate) type SqlParameter = Box<dyn ToSql + Send + Sync>;

/// Converts a guest parameter, failing on values its type cannot hold (an invalid date,
/// UUID, decimal or JSON document...).
pub(crate) fn sql_parameter(value: &ParameterValue) -> anyhow::Result<SqlParameter> {
    Ok(match value {
        ParameterValue::Boolean(v) => Box::new(*v),
        ParameterValue::Int8(v) => Box::new(*v),
        ParameterValue::Int16(v) => Box::new(*v),
        ParameterValue::Int32(v) => Box::new(*v),
        ParameterValue::Int64(v) => Box::new(*v),
        ParameterValue::Floating32(v) => Box::new(*v),
        ParameterValue::Floating64(v) => Box::new(*v),
        ParameterValue::Str(v) => Box::new(v.clone()),
        ParameterValue::Binary(v) => Box::new(v.clone()),
        ParameterValue::Date(v) => Box::new(datetime::date_from_wit(*v)?),
        ParameterValue::Time(v) => Box::new(datetime::time_from_wit(*v)?),
        ParameterValue::Datetime(v) => Box::new(datetime::datetime_from_wit(*v)?),
        ParameterValue::Timestamp(v) => Box::new(datetime::timestamp_from_wit(*v)?),
        ParameterValue::Uuid(v) => Box::new(uuid_from_wit(v)?),
        ParameterValue::Jsonb(v) => Box::new(json_from_wit(v)?),
        ParameterValue::Decimal(v) => Box::new(decimal::from_wit(v)?),
        ParameterValue::RangeInt32(v) => Box::new(ranges::from_wit(*v)?),
        ParameterValue::RangeInt64(v) => Box::new(ranges::from_wit(*v)?),
        ParameterValue::RangeDecimal(v) => Box::new(ranges::decimal_from_wit(v)?),
        ParameterValue::ArrayInt32(v) => Box::new(v.clone()),
        ParameterValue::ArrayInt64(v) => Box::new(v.clone()),
        ParameterValue::ArrayDecimal(v) => Box::new(decimal::array_from_wit(v)?),
        ParameterValue::ArrayStr(v) => Box::new(v.clone()),
        ParameterValue::Interval(v) => Box::new(Interval(*v)),
        ParameterValue::DbNull => Box::new(AnyNull),
    })
}

fn uuid_from_wit(value: &str) -> anyhow::Result<uuid::Uuid> {
    uuid::Uuid::parse_str(value).map_err(|e| anyhow::anyhow!("invalid UUID {value}: {e}"))
}

fn json_to_wit(value: serde_json::Value) -> anyhow::Result<Vec<u8>> {
    Ok(serde_json::to_vec(&value)?)
}

fn json_from_wit(value: &[u8]) -> anyhow::Result<serde_json::Value> {
    serde_json::from_slice(value).map_err(|e| anyhow::anyhow!("invalid JSON {}: {e}", String::from_utf8_lossy(value)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_uuid_and_json_parameters_are_refused() {
        let uuid = sql_parameter(&ParameterValue::Uuid("not-a-uuid".into())).err().unwrap();
        assert!(uuid.to_string().contains("invalid UUID not-a-uuid"), "{uuid}");
        let json = sql_parameter(&ParameterValue::Jsonb(b"{oops".to_vec())).err().unwrap();
        assert!(json.to_string().contains("invalid JSON {oops"), "{json}");
    }

    #[test]
    fn unknown_types_are_named() {
        assert_eq!(column_type(&Type::POINT), DbDataType::Other("point".into()));
        assert_eq!(column_type(&Type::TIMESTAMPTZ), DbDataType::Datetime);
        assert_eq!(column_type(&Type::BPCHAR_ARRAY), DbDataType::ArrayStr);
    }
}
