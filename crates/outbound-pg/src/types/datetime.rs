//! Dates and times: WIT tuples <-> chrono types, which the driver maps to DATE, TIME,
//! TIMESTAMP (`datetime`, always UTC without zone) and TIMESTAMPTZ (`timestamp`, Unix seconds).

use anyhow::{Context, anyhow};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc};

pub(crate) type WitDate = (i32, u8, u8);
pub(crate) type WitTime = (u8, u8, u8, u32);
pub(crate) type WitDatetime = (i32, u8, u8, u8, u8, u8, u32);

pub(crate) fn date_from_wit((year, month, day): WitDate) -> anyhow::Result<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month.into(), day.into())
        .ok_or_else(|| anyhow!("invalid date y={year}, m={month}, d={day}"))
}

pub(crate) fn time_from_wit((hour, minute, second, nanos): WitTime) -> anyhow::Result<NaiveTime> {
    NaiveTime::from_hms_nano_opt(hour.into(), minute.into(), second.into(), nanos)
        .ok_or_else(|| anyhow!("invalid time {hour}:{minute}:{second}:{nanos}"))
}

pub(crate) fn datetime_from_wit(
    (year, month, day, hour, minute, second, nanos): WitDatetime,
) -> anyhow::Result<NaiveDateTime> {
    let date = date_from_wit((year, month, day))?;
    let time = time_from_wit((hour, minute, second, nanos))?;
    Ok(NaiveDateTime::new(date, time))
}

pub(crate) fn timestamp_from_wit(seconds: i64) -> anyhow::Result<DateTime<Utc>> {
    DateTime::from_timestamp(seconds, 0).ok_or_else(|| anyhow!("invalid epoch timestamp {seconds}"))
}

pub(crate) fn date_to_wit(date: NaiveDate) -> anyhow::Result<WitDate> {
    Ok((date.year(), small(date.month())?, small(date.day())?))
}

pub(crate) fn time_to_wit(time: NaiveTime) -> anyhow::Result<WitTime> {
    Ok((small(time.hour())?, small(time.minute())?, small(time.second())?, time.nanosecond()))
}

pub(crate) fn datetime_to_wit(datetime: NaiveDateTime) -> anyhow::Result<WitDatetime> {
    let (year, month, day) = date_to_wit(datetime.date())?;
    let (hour, minute, second, nanos) = time_to_wit(datetime.time())?;
    Ok((year, month, day, hour, minute, second, nanos))
}

fn small(field: u32) -> anyhow::Result<u8> {
    u8::try_from(field).context("date or time field out of range")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_is_seconds_since_the_epoch() {
        assert_eq!(timestamp_from_wit(0).unwrap().to_rfc3339(), "1970-01-01T00:00:00+00:00");
        assert_eq!(timestamp_from_wit(3723).unwrap().to_rfc3339(), "1970-01-01T01:02:03+00:00");
        assert_eq!(timestamp_from_wit(-86_400).unwrap().to_rfc3339(), "1969-12-31T00:00:00+00:00");
        assert!(timestamp_from_wit(i64::MAX).is_err());
    }

    #[test]
    fn datetime_round_trips_with_nanoseconds() {
        let wit = (2024, 2, 29, 23, 59, 58, 123_456_789);
        assert_eq!(datetime_to_wit(datetime_from_wit(wit).unwrap()).unwrap(), wit);
    }

    #[test]
    fn impossible_dates_and_times_are_refused() {
        let error = date_from_wit((2023, 2, 29)).unwrap_err();
        assert_eq!(error.to_string(), "invalid date y=2023, m=2, d=29");
        assert!(time_from_wit((24, 0, 0, 0)).is_err());
        assert!(datetime_from_wit((2024, 13, 1, 0, 0, 0, 0)).is_err());
    }
}
