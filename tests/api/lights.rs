//! The warning light is decided once, in `domain::deadline::light`, and restated in SQL
//! (`db::repo::warnings`) so that lists filter and count by it. Over one grid of cases —
//! due dates around the 2024 National Day holiday and its make-up working days, every
//! state, clock stopped or running, long-term reports missed or not, a duty's quota light
//! or none — on this test's database, the two must agree, and so must the counts of the
//! statistics (`db::repo::stats`, a third restatement).

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use serde_json::json;
use zhenggai::db::models::MeasureRow;
use zhenggai::db::repo::{measures as repo, warnings};
use zhenggai::db::schema::measures;
use zhenggai::domain::calendar::Calendar;
use zhenggai::domain::deadline::{self, Today};
use zhenggai::domain::enums::{MeasureKind, MeasureStatus, Warning};

use crate::helpers::id_of;
use crate::helpers::spawn_app;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[tokio::test]
async fn the_sql_filters_and_the_domain_light_agree_on_every_case() {
    // The test app runs no scanner, which would bring the grid's quota lights (written
    // straight into the table, with no duty behind them) back to what the duties say.
    let app = spawn_app().await;
    let (unit, _, finding) = app.ledger().await;
    let template = app
        .created(
            &format!("/api/v1/findings/{}/measures", id_of(&finding)),
            &json!({"content": "逐项对照整改", "kind": "long_term", "lead_unit_id": unit,
                    "accountable_leader": "分管领导"}),
        )
        .await;
    let mut conn =
        zhenggai::db::connection::establish(&app.config.database_url).expect("connection");
    let (template, _) = repo::get(&mut conn, id_of(&template)).unwrap();

    let statuses = [
        MeasureStatus::NotStarted,
        MeasureStatus::InProgress,
        MeasureStatus::Ongoing,
        MeasureStatus::Submitted,
        MeasureStatus::Endorsed,
        MeasureStatus::Closed,
    ];
    let mut dues: Vec<Option<NaiveDate>> = (0..26)
        .map(|i| Some(day("2024-09-20") + Duration::days(i)))
        .collect();
    dues.push(None);
    let report_dues = [None, Some(day("2024-09-28")), Some(day("2024-10-03"))];
    let mut n = 0;
    for status in statuses {
        for due in &dues {
            for report_due in report_dues {
                for (clock_stopped, quota) in [false, true].into_iter().flat_map(|c| {
                    [None, Some("green"), Some("yellow"), Some("red")].map(|q| (c, q))
                }) {
                    n += 1;
                    let row = MeasureRow {
                        id: uuid::Uuid::now_v7().to_string(),
                        code: format!("L-{n}"),
                        kind: if report_due.is_some() {
                            MeasureKind::LongTerm
                        } else {
                            MeasureKind::TimeBound
                        },
                        status,
                        due_date: *due,
                        original_due_date: *due,
                        due_sort: deadline::sort_key(*due),
                        report_due,
                        clock_stopped,
                        quota_light: quota.map(String::from),
                        ..template.clone()
                    };
                    diesel::insert_into(measures::table)
                        .values(row)
                        .execute(&mut conn)
                        .unwrap();
                }
            }
        }
    }
    let rows: Vec<MeasureRow> = measures::table
        .filter(measures::code.like("L-%"))
        .select(MeasureRow::as_select())
        .load(&mut conn)
        .unwrap();
    assert_eq!(rows.len(), n);

    let code_of = |id: &String| {
        let r = rows.iter().find(|r| &r.id == id).unwrap();
        format!(
            "{:?} due {:?} report {:?} stopped {} quota {:?}",
            r.status, r.due_date, r.report_due, r.clock_stopped, r.quota_light
        )
    };
    let differ = |a: &BTreeSet<String>, b: &BTreeSet<String>| -> Vec<String> {
        a.symmetric_difference(b).map(code_of).collect()
    };
    let calendar = std::sync::Arc::new(Calendar::load(None).unwrap());
    // A Friday, the Sunday made a working day, the Monday before the holiday, a holiday.
    for date in ["2024-09-27", "2024-09-29", "2024-09-30", "2024-10-05"] {
        let today = Today::new(day(date), calendar.clone(), 3);
        let mut by_sql = |query: measures::BoxedQuery<'static, _>| -> BTreeSet<String> {
            query
                .filter(measures::code.like("L-%"))
                .select(measures::id)
                .load::<String>(&mut conn)
                .unwrap()
                .into_iter()
                .collect()
        };
        for light in [Warning::Red, Warning::Yellow, Warning::Green] {
            let sql = by_sql(warnings::filter_measures(
                measures::table.into_boxed(),
                light,
                &today,
            ));
            let domain: BTreeSet<String> = rows
                .iter()
                .filter(|r| r.light(&today).warning == light)
                .map(|r| r.id.clone())
                .collect();
            assert!(
                sql == domain,
                "{light:?} on {date}: {:?}",
                differ(&sql, &domain)
            );
        }
        for overdue in [true, false] {
            let sql = by_sql(warnings::filter_overdue(
                measures::table.into_boxed(),
                overdue,
                &today,
            ));
            let domain: BTreeSet<String> = rows
                .iter()
                .filter(|r| r.light(&today).overdue == overdue)
                .map(|r| r.id.clone())
                .collect();
            assert!(
                sql == domain,
                "overdue={overdue} on {date}: {:?}",
                differ(&sql, &domain)
            );
        }
        let attention = by_sql(warnings::filter_attention(
            measures::table.into_boxed(),
            &today,
        ));
        let domain: BTreeSet<String> = rows
            .iter()
            .filter(|r| r.light(&today).warning != Warning::Green)
            .map(|r| r.id.clone())
            .collect();
        assert!(
            attention == domain,
            "attention on {date}: {:?}",
            differ(&attention, &domain)
        );
        // The statistics count the same lights (the template measure is green throughout).
        let counted = zhenggai::db::repo::stats::measures(
            &mut conn,
            zhenggai::domain::stats::GroupBy::Kind,
            &zhenggai::db::repo::Visibility::All,
            &zhenggai::db::repo::stats::StatsFilter {
                inspection_id: None,
                units: None,
            },
            &today,
        )
        .unwrap();
        let sum = |f: fn(&zhenggai::db::repo::stats::MeasureCounts) -> Option<i64>| -> usize {
            counted.iter().map(|c| f(c).unwrap_or(0)).sum::<i64>() as usize
        };
        let of = |light: Warning| {
            rows.iter()
                .filter(|r| r.light(&today).warning == light)
                .count()
        };
        assert_eq!(sum(|c| c.red), of(Warning::Red), "red counted on {date}");
        assert_eq!(
            sum(|c| c.yellow),
            of(Warning::Yellow),
            "yellow counted on {date}"
        );
    }
}
