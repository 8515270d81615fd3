//! The report on the year's duties (年度任务落实情况报告): how many quotas the plan set, how
//! many are met, on pace, behind or missed, a table of every quota, and what is behind —
//! in the layout and fonts of the rectification report.

use chrono::NaiveDate;

use super::document::{number, Block, Document};
use super::report::chinese_date;
use crate::db::models::DutyRow;
use crate::domain::duties::{PeriodState, QuotaPer, QuotaProgress};
use crate::domain::enums::Warning;

/// What the report says.
pub struct DutyReport {
    pub year: i32,
    pub as_of: NaiveDate,
    /// Whose duties: the unit's name, or 各单位.
    pub who: String,
    pub duties: Vec<(DutyRow, Vec<QuotaProgress>)>,
    /// People's names by login, from the directory (a login not in it prints as is).
    pub names: std::collections::HashMap<String, String>,
}

/// 不少于8次 / 每月不少于2次 / 每人每年不少于56学时.
fn requirement(q: &QuotaProgress) -> String {
    let quota = &q.quota;
    let per = if quota.per == QuotaPer::Person {
        "每人"
    } else {
        ""
    };
    format!(
        "{per}{}不少于{}{}",
        quota.period.label(),
        number(quota.min),
        quota.unit.label()
    )
}

fn state_text(q: &QuotaProgress) -> &'static str {
    match q.light {
        Warning::Red if q.missed > 0 => "未按期完成",
        Warning::Red => "难以按期完成",
        Warning::Yellow => "进度滞后",
        Warning::Green if q.done >= q.min => "已完成",
        Warning::Green => "按进度推进",
    }
}

pub fn compose(data: &DutyReport) -> Document {
    let mut doc = Document::default();
    doc.push(Block::Title(format!(
        "{}{}年度任务落实情况报告",
        data.who, data.year
    )))
    .push(Block::Subtitle(format!(
        "（截至{}）",
        chinese_date(data.as_of)
    )));
    let quotas: Vec<&QuotaProgress> = data.duties.iter().flat_map(|(_, q)| q).collect();
    let count = |f: &dyn Fn(&QuotaProgress) -> bool| quotas.iter().filter(|q| f(q)).count();
    let met = count(&|q| q.light == Warning::Green && q.done >= q.min);
    let on_pace = count(&|q| q.light == Warning::Green && q.done < q.min);
    let behind = count(&|q| q.light == Warning::Yellow);
    let short = count(&|q| q.light == Warning::Red);
    let missed_periods: i64 = quotas.iter().map(|q| q.missed).sum();
    doc.push(Block::Paragraph(format!(
        "{}年，{}承担年度任务{}项，明确量化指标{}个。截至{}，已完成{met}个，按进度推进{on_pace}个，\
         进度滞后{behind}个，未按期完成或难以按期完成{short}个；累计{missed_periods}个考核周期未达到\
         规定次数。",
        data.year,
        data.who,
        data.duties.len(),
        quotas.len(),
        chinese_date(data.as_of),
    )));

    doc.push(Block::Heading("一、年度任务完成情况".into()));
    let mut rows = Vec::new();
    for (duty, progress) in &data.duties {
        for q in progress {
            rows.push(vec![
                duty.code.clone(),
                q.quota.metric.clone(),
                requirement(q),
                format!("{}/{}", number(q.done), number(q.min)),
                format!("{:.0}%", q.share * 100.0),
                state_text(q).to_string(),
            ]);
        }
    }
    doc.push(Block::Table {
        head: ["任务编号", "指标", "要求", "本期完成", "完成率", "状态"]
            .map(String::from)
            .to_vec(),
        rows,
    });

    doc.push(Block::Heading("二、进度滞后和未完成的指标".into()));
    let lagging: Vec<(&DutyRow, &QuotaProgress)> = data
        .duties
        .iter()
        .flat_map(|(d, qs)| qs.iter().map(move |q| (d, q)))
        .filter(|(_, q)| q.light != Warning::Green)
        .collect();
    if lagging.is_empty() {
        doc.push(Block::Paragraph(
            "各项量化指标均按进度推进或已完成。".into(),
        ));
    }
    for (duty, q) in lagging {
        let name = |who: &String| data.names.get(who).cloned().unwrap_or_else(|| who.clone());
        let missed: Vec<String> = q
            .periods
            .iter()
            .filter(|p| p.state == PeriodState::Missed)
            .map(|p| match &p.person {
                Some(who) => format!("{}（{}）", p.period.label.zh(), name(who)),
                None => p.period.label.zh(),
            })
            .collect();
        // Per person: who has not done their share of the running period yet.
        let open: Vec<String> = q
            .periods
            .iter()
            .filter(|p| p.state == PeriodState::Open)
            .filter_map(|p| p.person.as_ref().map(name))
            .collect();
        let mut text = format!(
            "{}（{}）：要求{}，本期已完成{}{}，{}",
            q.quota.metric,
            duty.code,
            requirement(q),
            number(q.done),
            q.quota.unit.label(),
            state_text(q)
        );
        if !open.is_empty() {
            text.push_str(&format!("，{}尚未完成", open.join("、")));
        }
        if !missed.is_empty() {
            text.push_str(&format!("，{}未达到规定次数", missed.join("、")));
        }
        if let Some(to) = &q.quota.report_to {
            text.push_str(&format!("（报送{to}）"));
        }
        text.push('。');
        doc.push(Block::Paragraph(text));
    }

    doc.push(Block::Heading("三、下一步工作".into()));
    doc.push(Block::Paragraph(
        "对进度滞后和未按期完成的指标，逐项明确责任领导、责任人和完成时限，按月调度、跟踪问效；\
         对未达标的考核周期查找原因、及时补课，确保年度任务全面完成。"
            .into(),
    ));
    doc
}
