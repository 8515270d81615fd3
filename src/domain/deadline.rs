//! Deadlines and warning lights. "Today" is the calendar day in the configured time zone
//! (Asia/Shanghai by default): a measure due 2022-06-30 is overdue from 2022-07-01 00:00 +08:00.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::enums::{MeasureStatus, Warning};

/// Days ahead of the due date (inclusive) that turn a measure yellow.
pub const YELLOW_DAYS: i64 = 3;

/// The sort key of a measure: its due date, or after every real date when it has none.
pub fn sort_key(due_date: Option<NaiveDate>) -> NaiveDate {
    due_date.unwrap_or(far_future())
}

/// 9999-12-31: portable across SQLite and PostgreSQL date columns.
pub fn far_future() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).expect("valid date")
}

pub fn today(now: DateTime<Utc>, tz: Tz) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

/// What the dashboard shows for one measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeadlineState {
    pub overdue: bool,
    pub overdue_days: i64,
    pub warning: Warning,
}

pub fn assess(
    status: MeasureStatus,
    due_date: Option<NaiveDate>,
    today: NaiveDate,
) -> DeadlineState {
    let open = status != MeasureStatus::Closed;
    match due_date {
        Some(due) if open && today > due => DeadlineState {
            overdue: true,
            overdue_days: (today - due).num_days(),
            warning: Warning::Red,
        },
        Some(due) if open && (due - today).num_days() <= YELLOW_DAYS => DeadlineState {
            overdue: false,
            overdue_days: 0,
            warning: Warning::Yellow,
        },
        _ => DeadlineState {
            overdue: false,
            overdue_days: 0,
            warning: Warning::Green,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn due_date_turns_overdue_at_midnight_in_the_configured_zone() {
        let shanghai: Tz = "Asia/Shanghai".parse().unwrap();
        let due = Some(d("2022-06-30"));
        let before = Utc.with_ymd_and_hms(2022, 6, 30, 15, 59, 59).unwrap();
        let at = Utc.with_ymd_and_hms(2022, 6, 30, 16, 0, 0).unwrap(); // 07-01 00:00 +08:00
        let s = assess(MeasureStatus::InProgress, due, today(before, shanghai));
        assert!(!s.overdue);
        let s = assess(MeasureStatus::InProgress, due, today(at, shanghai));
        assert!(s.overdue);
        assert_eq!(s.overdue_days, 1);
        assert_eq!(s.warning, Warning::Red);
        // The same instant is still 06-30 in UTC.
        assert!(!assess(MeasureStatus::InProgress, due, today(at, Tz::UTC)).overdue);
    }

    #[test]
    fn warning_lights() {
        let today = d("2022-09-30");
        let cases = [
            (
                MeasureStatus::InProgress,
                Some("2022-09-29"),
                Warning::Red,
                1,
            ),
            (
                MeasureStatus::NotStarted,
                Some("2022-07-31"),
                Warning::Red,
                61,
            ),
            (
                MeasureStatus::InProgress,
                Some("2022-09-30"),
                Warning::Yellow,
                0,
            ),
            (
                MeasureStatus::InProgress,
                Some("2022-10-03"),
                Warning::Yellow,
                0,
            ),
            (
                MeasureStatus::InProgress,
                Some("2022-10-04"),
                Warning::Green,
                0,
            ),
            (MeasureStatus::Closed, Some("2022-06-30"), Warning::Green, 0),
            (MeasureStatus::Ongoing, None, Warning::Green, 0),
        ];
        for (status, due, warning, days) in cases {
            let s = assess(status, due.map(d), today);
            assert_eq!(s.warning, warning, "{status:?} due {due:?}");
            assert_eq!(s.overdue_days, days, "{status:?} due {due:?}");
            assert_eq!(s.overdue, warning == Warning::Red);
        }
    }

    #[test]
    fn missing_due_date_sorts_last() {
        assert!(sort_key(None) > sort_key(Some(d("2099-01-01"))));
    }
}
