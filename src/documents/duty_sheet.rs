//! The ledger workbook's sheet 年度任务完成情况: each quota of the year's duties, period by
//! period (and person by person where it binds each), what was done against the minimum,
//! and its light — the periods begun by the day of the export.

use std::collections::HashMap;

use rust_xlsxwriter::{Format, Worksheet, XlsxError};

use crate::db::models::DutyRow;
use crate::domain::duties::{PeriodState, QuotaPer, QuotaProgress};
use crate::domain::enums::Warning;

pub const NAME: &str = "年度任务完成情况";

const HEADS: [(&str, f64); 12] = [
    ("任务编号", 14.0),
    ("工作任务", 36.0),
    ("责任单位", 20.0),
    ("指标", 30.0),
    ("周期", 16.0),
    ("对象", 12.0),
    ("完成", 8.0),
    ("最低", 8.0),
    ("单位", 6.0),
    ("尚差", 8.0),
    ("状态", 10.0),
    ("预警", 8.0),
];

/// The formats it writes with: a header, and a text cell per light.
pub struct SheetFormats<'a> {
    pub header: &'a Format,
    pub cell: &'a dyn Fn(Warning) -> &'a Format,
}

fn state(s: PeriodState) -> &'static str {
    match s {
        PeriodState::Upcoming => "未开始",
        PeriodState::Open => "进行中",
        PeriodState::Met => "已完成",
        PeriodState::Missed => "未完成",
    }
}

pub fn write(
    sheet: &mut Worksheet,
    duties: &[(DutyRow, Vec<QuotaProgress>)],
    unit_names: &HashMap<String, String>,
    person_names: &HashMap<String, String>,
    formats: &SheetFormats,
) -> Result<(), XlsxError> {
    sheet.set_name(NAME)?;
    for (i, (head, width)) in HEADS.iter().enumerate() {
        sheet.set_column_width(i as u16, *width)?;
        sheet.write_string_with_format(0, i as u16, *head, formats.header)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet
        .set_paper_size(9)
        .set_landscape()
        .set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, 0)?;
    let mut row = 1u32;
    for (duty, quotas) in duties {
        let unit = unit_names
            .get(&duty.unit_id)
            .map_or(duty.unit_id.as_str(), String::as_str);
        for q in quotas {
            for count in q
                .periods
                .iter()
                .filter(|c| c.state != PeriodState::Upcoming)
            {
                let who = match (&count.person, q.quota.per) {
                    (Some(p), QuotaPer::Person) => person_names.get(p).unwrap_or(p).clone(),
                    _ => "单位".to_string(),
                };
                let format = (formats.cell)(count.light);
                let texts = [
                    (0, duty.code.clone()),
                    (1, duty.title.clone()),
                    (2, unit.to_string()),
                    (3, q.quota.metric.clone()),
                    (4, count.period.label.zh()),
                    (5, who),
                    (8, q.quota.unit.label().to_string()),
                    (10, state(count.state).to_string()),
                    (11, count.light.label().to_string()),
                ];
                for (col, text) in texts {
                    sheet.write_string_with_format(row, col, text, format)?;
                }
                for (col, n) in [(6, count.done), (7, count.min), (9, count.remaining)] {
                    sheet.write_number_with_format(row, col, n, format)?;
                }
                row += 1;
            }
        }
    }
    if row > 1 {
        sheet.autofilter(0, 0, row - 1, (HEADS.len() - 1) as u16)?;
    }
    Ok(())
}
