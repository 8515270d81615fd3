//! The working-day calendar (工作日): weekends and statutory holidays are off, make-up
//! workdays (调休上班) are on. The calendar is data — one JSON file per year in
//! `seeds/calendar/`, built into the binary and overridable from a directory — and a year
//! without data falls back to weekends only.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The years shipped with the binary.
const BUILTIN: &[&str] = &[
    include_str!("../../seeds/calendar/2020.json"),
    include_str!("../../seeds/calendar/2021.json"),
    include_str!("../../seeds/calendar/2022.json"),
    include_str!("../../seeds/calendar/2023.json"),
    include_str!("../../seeds/calendar/2024.json"),
    include_str!("../../seeds/calendar/2025.json"),
    include_str!("../../seeds/calendar/2026.json"),
];

/// One holiday that takes a working day off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Holiday {
    pub date: NaiveDate,
    /// 春节, 国庆节…
    pub name: String,
}

/// A year's file, and what `GET /api/v1/calendar/{year}` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CalendarYear {
    pub year: i32,
    /// Where the data comes from; `weekends only` when there is none for this year.
    pub source: String,
    /// Weekdays that are off.
    pub holidays: Vec<Holiday>,
    /// Weekend days that are worked (调休上班).
    pub workdays: Vec<NaiveDate>,
}

#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    #[error("calendar file {file}: {message}")]
    Bad { file: String, message: String },
    #[error("cannot read the calendar directory {0}: {1}")]
    Dir(String, std::io::Error),
}

#[derive(Debug, Clone, Default)]
pub struct Calendar {
    years: BTreeMap<i32, CalendarYear>,
    off: BTreeSet<NaiveDate>,
    on: BTreeSet<NaiveDate>,
}

impl Calendar {
    /// The built-in years, then any `<year>.json` in `dir` replacing or adding years.
    pub fn load(dir: Option<&Path>) -> Result<Calendar, CalendarError> {
        let mut calendar = Calendar::default();
        for (i, text) in BUILTIN.iter().enumerate() {
            calendar.add(parse(text, &format!("built-in #{i}"))?);
        }
        if let Some(dir) = dir {
            let entries = std::fs::read_dir(dir)
                .map_err(|e| CalendarError::Dir(dir.display().to_string(), e))?;
            for entry in entries.flatten() {
                let path = entry.path();
                if path.extension().and_then(|e| e.to_str()) != Some("json") {
                    continue;
                }
                let file = path.display().to_string();
                let text = std::fs::read_to_string(&path).map_err(|e| CalendarError::Bad {
                    file: file.clone(),
                    message: e.to_string(),
                })?;
                calendar.add(parse(&text, &file)?);
            }
        }
        Ok(calendar)
    }

    fn add(&mut self, year: CalendarYear) {
        if let Some(old) = self.years.remove(&year.year) {
            for h in &old.holidays {
                self.off.remove(&h.date);
            }
            for w in &old.workdays {
                self.on.remove(w);
            }
        }
        self.off.extend(year.holidays.iter().map(|h| h.date));
        self.on.extend(year.workdays.iter().copied());
        self.years.insert(year.year, year);
    }

    /// Years with holiday data.
    pub fn years(&self) -> Vec<i32> {
        self.years.keys().copied().collect()
    }

    pub fn covers(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    pub fn year(&self, year: i32) -> CalendarYear {
        self.years.get(&year).cloned().unwrap_or(CalendarYear {
            year,
            source: "weekends only: no holiday data for this year".into(),
            holidays: vec![],
            workdays: vec![],
        })
    }

    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.on.contains(&day) {
            return true;
        }
        if self.off.contains(&day) {
            return false;
        }
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// Working days in (from, to]: how many working days `to` lies after `from`. Whole
    /// weeks count five each; only the holidays and make-up days in between are looked up,
    /// so a measure years overdue costs no more than one a day late.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to <= from {
            return 0;
        }
        let weekend = |d: &NaiveDate| matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
        let days = (to - from).num_days();
        let mut count = days / 7 * 5;
        let mut day = from + chrono::Duration::days(days / 7 * 7);
        while day < to {
            day = day.succ_opt().unwrap_or(to);
            if !weekend(&day) {
                count += 1;
            }
        }
        let inside = (
            std::ops::Bound::Excluded(from),
            std::ops::Bound::Included(to),
        );
        let off = self
            .off
            .range(inside)
            .filter(|d| !weekend(d) && !self.on.contains(d))
            .count();
        let on = self.on.range(inside).filter(|d| weekend(d)).count();
        count - off as i64 + on as i64
    }

    /// The `n`th working day after `day` ("反馈后15个工作日内" → `add_working_days(feedback, 15)`).
    pub fn add_working_days(&self, day: NaiveDate, n: u32) -> NaiveDate {
        let mut left = n;
        let mut d = day;
        while left > 0 {
            match d.succ_opt() {
                Some(next) => d = next,
                None => break,
            }
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// The `n`th working day before `day` (a reminder older than this is stale).
    pub fn sub_working_days(&self, day: NaiveDate, n: u32) -> NaiveDate {
        let mut left = n;
        let mut d = day;
        while left > 0 {
            match d.pred_opt() {
                Some(prev) => d = prev,
                None => break,
            }
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// The last date that lies at most `n` working days after `today`: a measure due on or
    /// before it (and not before today) is yellow.
    pub fn yellow_until(&self, today: NaiveDate, n: u32) -> NaiveDate {
        let next_after = self.add_working_days(today, n + 1);
        next_after.pred_opt().unwrap_or(next_after)
    }
}

fn parse(text: &str, file: &str) -> Result<CalendarYear, CalendarError> {
    let year: CalendarYear = serde_json::from_str(text).map_err(|e| CalendarError::Bad {
        file: file.to_string(),
        message: e.to_string(),
    })?;
    let stray = year
        .holidays
        .iter()
        .map(|h| h.date)
        .chain(year.workdays.iter().copied())
        .find(|d| d.year() != year.year);
    if let Some(d) = stray {
        return Err(CalendarError::Bad {
            file: file.to_string(),
            message: format!("{d} is not in {}", year.year),
        });
    }
    Ok(year)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn cal() -> Calendar {
        Calendar::load(None).unwrap()
    }

    #[test]
    fn the_2024_spring_festival_and_its_make_up_sundays() {
        let c = cal();
        // 2024-02-10 (Sat) … 02-17 (Sat) off; Sunday 02-04 and Sunday 02-18 worked.
        for day in [
            "2024-02-12",
            "2024-02-13",
            "2024-02-14",
            "2024-02-15",
            "2024-02-16",
        ] {
            assert!(!c.is_working_day(d(day)), "{day} is 春节");
        }
        assert!(!c.is_working_day(d("2024-02-10")));
        assert!(c.is_working_day(d("2024-02-04")), "调休 Sunday");
        assert!(c.is_working_day(d("2024-02-18")), "调休 Sunday");
        assert!(c.is_working_day(d("2024-02-19")));
        // Friday 02-09 → the next working day is Sunday 02-18.
        assert_eq!(c.add_working_days(d("2024-02-09"), 1), d("2024-02-18"));
        assert_eq!(c.working_days_between(d("2024-02-09"), d("2024-02-19")), 2);
    }

    #[test]
    fn national_day_and_an_ordinary_week() {
        let c = cal();
        assert!(!c.is_working_day(d("2023-10-02")));
        assert!(c.is_working_day(d("2023-10-07")), "Saturday 调休");
        assert!(c.is_working_day(d("2023-10-08")), "Sunday 调休");
        // Fifteen working days after a Monday with no holidays: three weeks on, Monday.
        assert_eq!(c.add_working_days(d("2022-05-09"), 15), d("2022-05-30"));
    }

    #[test]
    fn the_yellow_window_counts_working_days() {
        let c = cal();
        // Friday 2024-02-09, 3 working days: 02-18 (Sun, 调休), 02-19, 02-20.
        assert_eq!(c.yellow_until(d("2024-02-09"), 3), d("2024-02-20"));
        // An ordinary Friday: Mon, Tue, Wed → until Wednesday.
        assert_eq!(c.yellow_until(d("2022-05-13"), 3), d("2022-05-18"));
        assert_eq!(c.yellow_until(d("2022-05-13"), 0), d("2022-05-15"));
    }

    #[test]
    fn a_year_without_data_is_weekends_only_and_says_so() {
        let c = cal();
        assert!(c.covers(2020) && c.covers(2026));
        assert!(!c.covers(2031));
        assert!(c.year(2031).source.contains("weekends only"));
        assert!(
            c.is_working_day(d("2031-10-01")),
            "no data: a Wednesday is worked"
        );
        assert!(!c.is_working_day(d("2031-10-04")));
    }

    #[test]
    fn a_directory_overrides_and_adds_years() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("2031.json"),
            r#"{"year": 2031, "source": "test", "holidays": [{"date": "2031-10-01", "name": "国庆节"}], "workdays": ["2031-10-11"]}"#,
        )
        .unwrap();
        let c = Calendar::load(Some(dir.path())).unwrap();
        assert!(!c.is_working_day(d("2031-10-01")));
        assert!(c.is_working_day(d("2031-10-11")));
        std::fs::write(
            dir.path().join("bad.json"),
            r#"{"year": 2032, "source": "x", "holidays": [{"date": "2031-01-01", "name": "x"}], "workdays": []}"#,
        )
        .unwrap();
        assert!(Calendar::load(Some(dir.path())).is_err());
    }

    #[test]
    fn counting_by_weeks_agrees_with_counting_day_by_day() {
        let c = cal();
        let by_day = |from: NaiveDate, to: NaiveDate| {
            from.iter_days()
                .skip(1)
                .take_while(|d| *d <= to)
                .filter(|d| c.is_working_day(*d))
                .count() as i64
        };
        let start = d("2019-12-01");
        // Every start day of a stretch of 2020–2027, to a spread of later days.
        for offset in (0..2_900).step_by(13) {
            let from = start + chrono::Duration::days(offset);
            for span in [0, 1, 2, 5, 6, 7, 8, 13, 30, 61, 200, 400] {
                let to = from + chrono::Duration::days(span);
                assert_eq!(
                    c.working_days_between(from, to),
                    by_day(from, to),
                    "{from} → {to}"
                );
            }
        }
        assert_eq!(c.working_days_between(d("2024-02-19"), d("2024-02-09")), 0);
    }
}
