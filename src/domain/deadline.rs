//! Deadlines and warning lights. "Today" is the calendar day in the configured time zone
//! (Asia/Shanghai by default): a measure due 2022-06-30 is overdue from 2022-07-01 00:00 +08:00.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::enums::{MeasureKind, MeasureStatus, ReportCycle, Warning};

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

/// When an open long-term measure (长期坚持) owes its next progress report: one report
/// cycle after its last report, or after it was set up when it has none yet.
pub fn next_report_due(
    status: MeasureStatus,
    kind: MeasureKind,
    cycle: Option<ReportCycle>,
    since: NaiveDate,
) -> Option<NaiveDate> {
    if kind != MeasureKind::LongTerm || status == MeasureStatus::Closed {
        return None;
    }
    let months = match cycle? {
        ReportCycle::Monthly => 1,
        ReportCycle::Quarterly => 3,
        ReportCycle::Semiannual => 6,
        ReportCycle::Annual => 12,
    };
    since.checked_add_months(chrono::Months::new(months))
}

/// A missed report turns a long-term measure red, as a missed deadline does.
pub fn with_report(
    state: DeadlineState,
    next_report: Option<NaiveDate>,
    today: NaiveDate,
) -> DeadlineState {
    match next_report {
        Some(due) if today > due => DeadlineState {
            warning: Warning::Red,
            ..state
        },
        _ => state,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_long_term_measure_owes_a_report_every_cycle() {
        let since = d("2022-05-31");
        let next = next_report_due(
            MeasureStatus::Ongoing,
            MeasureKind::LongTerm,
            Some(ReportCycle::Quarterly),
            since,
        );
        assert_eq!(next, Some(d("2022-08-31")));
        let green = assess(MeasureStatus::Ongoing, None, d("2022-09-01"));
        assert_eq!(
            with_report(green, next, d("2022-08-31")).warning,
            Warning::Green
        );
        assert_eq!(
            with_report(green, next, d("2022-09-01")).warning,
            Warning::Red
        );
        assert_eq!(
            next_report_due(
                MeasureStatus::Ongoing,
                MeasureKind::TimeBound,
                Some(ReportCycle::Monthly),
                since
            ),
            None
        );
        assert_eq!(
            next_report_due(
                MeasureStatus::Closed,
                MeasureKind::LongTerm,
                Some(ReportCycle::Monthly),
                since
            ),
            None
        );
        assert_eq!(
            next_report_due(
                MeasureStatus::Ongoing,
                MeasureKind::LongTerm,
                Some(ReportCycle::Monthly),
                d("2022-01-31")
            ),
            Some(d("2022-02-28"))
        );
    }

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
