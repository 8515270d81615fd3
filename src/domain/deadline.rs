//! Deadlines and warning lights. "Today" is the calendar day in the configured time zone
//! (Asia/Shanghai by default): a measure due 2022-06-30 is overdue from 2022-07-01 00:00 +08:00.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::calendar::Calendar;
use super::enums::{MeasureKind, MeasureStatus, ReportCycle, Warning};

/// Working days ahead of the due date that turn a measure yellow, unless configured.
pub const DEFAULT_YELLOW_DAYS: u32 = 3;

/// "Today" as the warning lights see it: the date in the configured zone, the last date
/// that is still within the yellow window (counted in working days), and the calendar that
/// counts working days overdue.
#[derive(Debug, Clone)]
pub struct Today {
    pub date: NaiveDate,
    pub yellow_until: NaiveDate,
    pub calendar: Arc<Calendar>,
}

impl Today {
    pub fn new(date: NaiveDate, calendar: Arc<Calendar>, yellow_days: u32) -> Today {
        Today {
            date,
            yellow_until: calendar.yellow_until(date, yellow_days),
            calendar,
        }
    }

    /// The same calendar and window, on another day (numbers as they stood then).
    pub fn on(&self, date: NaiveDate, yellow_days: u32) -> Today {
        Today::new(date, self.calendar.clone(), yellow_days)
    }
}

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

/// A day a ledger recorded (a seed's, a sheet's 销号时间) as a moment: 10:00 in the
/// office's zone, in UTC.
pub fn office_hours(day: NaiveDate, tz: Tz) -> NaiveDateTime {
    let local = day.and_hms_opt(10, 0, 0).unwrap_or_default();
    tz.from_local_datetime(&local)
        .earliest()
        .map(|t| t.naive_utc())
        .unwrap_or(local)
}

/// What the dashboard shows for one measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeadlineState {
    pub overdue: bool,
    pub overdue_days: i64,
    /// Working days past due (超期X个工作日); 0 when not overdue.
    pub overdue_working_days: i64,
    pub warning: Warning,
}

/// The deadline state of a measure: overdue (red) once its due date has passed, yellow
/// while the due date is within the yellow window, green otherwise; a closed measure, or one
/// whose clock is stopped by a timely closure request under review, is neither.
pub fn assess(
    status: MeasureStatus,
    due_date: Option<NaiveDate>,
    today: &Today,
    clock_stopped: bool,
) -> DeadlineState {
    let open = status != MeasureStatus::Closed && !clock_stopped;
    match due_date {
        Some(due) if open && today.date > due => DeadlineState {
            overdue: true,
            overdue_days: (today.date - due).num_days(),
            overdue_working_days: today.calendar.working_days_between(due, today.date),
            warning: Warning::Red,
        },
        Some(due) if open && due <= today.yellow_until => DeadlineState {
            overdue: false,
            overdue_days: 0,
            overdue_working_days: 0,
            warning: Warning::Yellow,
        },
        _ => DeadlineState {
            overdue: false,
            overdue_days: 0,
            overdue_working_days: 0,
            warning: Warning::Green,
        },
    }
}

/// The clock stops while a closure request submitted on or before the due date is under
/// review (submitted or endorsed): the unit has done its part in time.
pub fn clock_stopped(
    status: MeasureStatus,
    due_date: Option<NaiveDate>,
    submitted_on: Option<NaiveDate>,
) -> bool {
    matches!(status, MeasureStatus::Submitted | MeasureStatus::Endorsed)
        && matches!((due_date, submitted_on), (Some(due), Some(on)) if on <= due)
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

/// A measure's light (红黄绿灯) today, from what is kept of it: its state, due date, when
/// its next report is due (long-term measures) and whether a timely closure request stops
/// its clock, and the light of the duty quotas that keep it (a long-term measure whose
/// "每年不少于2次" falls behind is as late as one whose report is). The one rule every
/// list, sheet, report and slip shows; the SQL filters in `db::repo::warnings` restate it,
/// and a test holds the two together.
pub fn light(
    status: MeasureStatus,
    due_date: Option<NaiveDate>,
    report_due: Option<NaiveDate>,
    clock_stopped: bool,
    quota: Option<Warning>,
    today: &Today,
) -> DeadlineState {
    let open = !clock_stopped && status != MeasureStatus::Closed;
    with_quota(
        with_report(
            assess(status, due_date, today, clock_stopped),
            // A closed measure owes no more reports.
            report_due.filter(|_| open),
            today.date,
        ),
        quota.filter(|_| open),
    )
}

/// A duty quota's light counts as the measure's own: its warning is the worse of the two.
pub fn with_quota(state: DeadlineState, quota: Option<Warning>) -> DeadlineState {
    let warning = match (state.warning, quota) {
        (Warning::Red, _) | (_, Some(Warning::Red)) => Warning::Red,
        (Warning::Yellow, _) | (_, Some(Warning::Yellow)) => Warning::Yellow,
        _ => Warning::Green,
    };
    DeadlineState { warning, ..state }
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
        let green = assess(MeasureStatus::Ongoing, None, &on("2022-09-01"), false);
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

    fn on(date: &str) -> Today {
        Today::new(
            d(date),
            Arc::new(Calendar::load(None).unwrap()),
            DEFAULT_YELLOW_DAYS,
        )
    }

    #[test]
    fn due_date_turns_overdue_at_midnight_in_the_configured_zone() {
        let shanghai: Tz = "Asia/Shanghai".parse().unwrap();
        let due = Some(d("2022-06-30"));
        let before = Utc.with_ymd_and_hms(2022, 6, 30, 15, 59, 59).unwrap();
        let at = Utc.with_ymd_and_hms(2022, 6, 30, 16, 0, 0).unwrap(); // 07-01 00:00 +08:00
        let calendar = Arc::new(Calendar::load(None).unwrap());
        let when = |t, tz| Today::new(today(t, tz), calendar.clone(), DEFAULT_YELLOW_DAYS);
        let s = assess(
            MeasureStatus::InProgress,
            due,
            &when(before, shanghai),
            false,
        );
        assert!(!s.overdue);
        let s = assess(MeasureStatus::InProgress, due, &when(at, shanghai), false);
        assert!(s.overdue);
        assert_eq!(s.overdue_days, 1);
        assert_eq!(s.overdue_working_days, 1, "Friday 07-01 is a working day");
        assert_eq!(s.warning, Warning::Red);
        // The same instant is still 06-30 in UTC.
        assert!(!assess(MeasureStatus::InProgress, due, &when(at, Tz::UTC), false).overdue);
    }

    #[test]
    fn warning_lights_across_the_national_day_holiday() {
        // Friday 2022-09-30; 10-01…10-07 off, Saturday 10-08 and Sunday 10-09 worked (调休):
        // three working days ahead reach Monday 10-10.
        let today = on("2022-09-30");
        assert_eq!(today.yellow_until, d("2022-10-10"));
        // (status, due, light, calendar days, working days overdue)
        let cases = [
            (
                MeasureStatus::InProgress,
                Some("2022-09-29"),
                Warning::Red,
                1,
                1,
            ),
            // August's 23 working days, and September's 22 less 中秋 (Monday 09-12).
            (
                MeasureStatus::NotStarted,
                Some("2022-07-31"),
                Warning::Red,
                61,
                44,
            ),
            (
                MeasureStatus::InProgress,
                Some("2022-09-30"),
                Warning::Yellow,
                0,
                0,
            ),
            (
                MeasureStatus::InProgress,
                Some("2022-10-07"),
                Warning::Yellow,
                0,
                0,
            ),
            (
                MeasureStatus::InProgress,
                Some("2022-10-10"),
                Warning::Yellow,
                0,
                0,
            ),
            (
                MeasureStatus::InProgress,
                Some("2022-10-11"),
                Warning::Green,
                0,
                0,
            ),
            (
                MeasureStatus::Closed,
                Some("2022-06-30"),
                Warning::Green,
                0,
                0,
            ),
            (MeasureStatus::Ongoing, None, Warning::Green, 0, 0),
        ];
        for (status, due, warning, days, working) in cases {
            let s = assess(status, due.map(d), &today, false);
            assert_eq!(s.warning, warning, "{status:?} due {due:?}");
            assert_eq!(s.overdue_days, days, "{status:?} due {due:?}");
            assert_eq!(s.overdue_working_days, working, "{status:?} due {due:?}");
            assert_eq!(s.overdue, warning == Warning::Red);
        }
        // Ten calendar days after the holiday began are three working days: the two
        // make-up weekend days (10-08, 10-09) and Monday 10-10.
        let s = assess(
            MeasureStatus::InProgress,
            Some(d("2022-09-30")),
            &on("2022-10-10"),
            false,
        );
        assert_eq!((s.overdue_days, s.overdue_working_days), (10, 3));
        // The same due date seen from an ordinary Friday is green.
        let s = assess(
            MeasureStatus::InProgress,
            Some(d("2022-05-19")),
            &on("2022-05-13"),
            false,
        );
        assert_eq!(s.warning, Warning::Green);
    }

    #[test]
    fn a_timely_closure_request_stops_the_clock() {
        let due = Some(d("2022-06-30"));
        assert!(clock_stopped(
            MeasureStatus::Submitted,
            due,
            Some(d("2022-06-30"))
        ));
        assert!(clock_stopped(
            MeasureStatus::Endorsed,
            due,
            Some(d("2022-06-01"))
        ));
        assert!(!clock_stopped(
            MeasureStatus::Submitted,
            due,
            Some(d("2022-07-01"))
        ));
        assert!(!clock_stopped(
            MeasureStatus::InProgress,
            due,
            Some(d("2022-06-01"))
        ));
        let s = assess(MeasureStatus::Submitted, due, &on("2022-09-30"), true);
        assert_eq!(s.warning, Warning::Green);
        assert!(!s.overdue);
    }

    #[test]
    fn missing_due_date_sorts_last() {
        assert!(sort_key(None) > sort_key(Some(d("2099-01-01"))));
    }
}
