//! The rectification report (整改情况报告) of one inspection, in the structure the offices'
//! own reports use, with the numbers they leave as "XX" filled from the ledger: problems,
//! measures by kind, completed and closed, completion and on-time rates, extensions,
//! overdue items; then progress by category and by unit, what is still open, and the
//! long-term items with their latest reports.

use chrono::{Datelike, NaiveDate};

use super::document::{Block, Document};
use crate::db::forms::MeasureFilter;
use crate::db::models::{DutyRow, InspectionRow};
use crate::db::repo::as_of::{self, AsOf};
use crate::db::repo::ledger::{self as repo_ledger, LineCtx};
use crate::db::repo::measures::{self, MeasureWithUnits};
use crate::db::repo::stats::{self, StatsFilter};
use crate::db::repo::{findings, inspections, units, After, Visibility};
use crate::db::DbConnection;
use crate::domain::duties::QuotaProgress;
use crate::domain::enums::MeasureSort;
use crate::domain::enums::{FindingStatus, MeasureKind, MeasureStatus, Warning};
use crate::domain::ledger::LedgerLine;
use crate::domain::stats::GroupBy;
use crate::domain::stats::{Numbers, StatsGroup};
use crate::error::ApiError;

/// Everything the report says, read in one go.
pub struct ReportData {
    pub inspection: InspectionRow,
    pub target: Option<String>,
    pub as_of: NaiveDate,
    pub total: Numbers,
    pub findings_closed: i64,
    /// Measures per kind: immediate, time-bound, long-term.
    pub kinds: [i64; 3],
    pub by_category: Vec<StatsGroup>,
    pub by_unit: Vec<StatsGroup>,
    /// Immediate and time-bound measures not closed yet, earliest due first.
    pub open: Vec<LedgerLine>,
    pub long_term: Vec<LedgerLine>,
    /// Findings of other sources kept in this ledger (a 考核's beside the 巡察's): what
    /// each source is called, and how many; empty when every finding is the inspection's.
    pub other_sources: Vec<(String, i64)>,
    /// The year's duties that keep long-term measures (by the measure's code), counted.
    pub duties: Vec<(String, DutyRow, Vec<QuotaProgress>)>,
    /// Every measure, in ledger order (by finding, then measure): the report's section per
    /// problem.
    pub lines: Vec<LedgerLine>,
    /// Extension requests waiting for a decision.
    pub pending_extensions: i64,
}

pub fn gather(
    conn: &mut DbConnection,
    inspection_id: &str,
    ctx: &LineCtx,
) -> Result<ReportData, ApiError> {
    let inspection = inspections::get(conn, inspection_id)?;
    let target = match &inspection.target_unit_id {
        Some(id) => units::find(conn, id)?.map(|u| u.name),
        None => None,
    };
    let filter = StatsFilter {
        inspection_id: Some(inspection_id.to_string()),
        units: None,
    };
    let vis = Visibility::All;
    let summary = |conn: &mut DbConnection, group| match &ctx.as_of {
        Some(as_of) => stats::summary_as_of(conn, group, &vis, &filter, (&ctx.today, as_of), None),
        None => stats::summary(conn, group, &vis, &filter, &ctx.today, None),
    };
    let other_sources: Vec<(String, i64)> = findings::sources_of(conn, inspection_id)?
        .into_iter()
        .filter(|((kind, reference), _)| kind.is_some() || reference.is_some())
        .map(|((kind, reference), n)| {
            let label = kind
                .as_deref()
                .and_then(crate::domain::enums::SourceType::parse)
                .map(|k| k.label().to_string());
            (reference.or(label).unwrap_or_default(), n)
        })
        .collect();
    let by_category = summary(conn, GroupBy::Category)?;
    let by_unit = summary(conn, GroupBy::Unit)?;
    let by_kind = summary(conn, GroupBy::Kind)?;
    let kind_count = |kind: MeasureKind| {
        by_kind
            .groups
            .iter()
            .find(|g| g.key == kind.as_str())
            .map_or(0, |g| g.numbers.measures)
    };
    let kinds = [
        kind_count(MeasureKind::Immediate),
        kind_count(MeasureKind::TimeBound),
        kind_count(MeasureKind::LongTerm),
    ];
    let query = MeasureFilter {
        inspection_id: Some(inspection_id.to_string()),
        sort: MeasureSort::DueDate,
        ..MeasureFilter::default()
    };
    let mut lines = Vec::new();
    let mut pending_extensions = 0;
    let mut after: Option<After> = None;
    loop {
        let rows = measures::page_uncounted(conn, &query, &vis, &ctx.today, after, 500)?;
        after = rows
            .last()
            .filter(|_| rows.len() == 500)
            .map(|(r, _)| After {
                key: measures::sort_key(r, query.sort),
                id: r.id.clone(),
            });
        let rows = match &ctx.as_of {
            Some(as_of) => then(conn, rows, as_of)?,
            None => rows,
        };
        pending_extensions += rows
            .iter()
            .filter(|(r, _)| r.pending_extension_id.is_some())
            .count() as i64;
        lines.extend(repo_ledger::lines(conn, rows, ctx)?);
        if after.is_none() {
            break;
        }
    }
    if ctx.as_of.is_some() {
        // As they stood: earliest due first by the due dates of then.
        lines.sort_by_key(|l| crate::domain::deadline::sort_key(l.due_date));
    }
    let mut in_order = lines.clone();
    in_order.sort_by_key(|l| (natural(&l.finding_code), natural(&l.measure_code)));
    let (long_term, rest): (Vec<LedgerLine>, Vec<LedgerLine>) = lines
        .into_iter()
        .partition(|l| l.kind == MeasureKind::LongTerm);
    Ok(ReportData {
        other_sources,
        findings_closed: match &ctx.as_of {
            Some(as_of) => {
                let ids = findings::ids_in(conn, inspection_id)?;
                as_of::finding_statuses(conn, &ids, as_of)?
                    .values()
                    .filter(|s| **s == FindingStatus::Closed)
                    .count() as i64
            }
            None => findings::count_closed(conn, inspection_id)?,
        },
        inspection,
        target,
        as_of: ctx.today.date,
        total: by_category.total,
        kinds,
        by_category: by_category.groups,
        by_unit: by_unit.groups,
        open: rest
            .into_iter()
            .filter(|l| l.status != MeasureStatus::Closed)
            .collect(),
        long_term,
        duties: Vec::new(),
        lines: in_order,
        pending_extensions,
    })
}

/// A code as it sorts for people: its runs of digits by value (01-2 before 01-10).
fn natural(code: &str) -> Vec<(u64, String)> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut digits = String::new();
    for c in code.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            if !digits.is_empty() {
                parts.push((
                    digits.parse().unwrap_or(u64::MAX),
                    std::mem::take(&mut text),
                ));
                digits.clear();
            }
            text.push(c);
        }
    }
    parts.push((digits.parse().unwrap_or(0), text));
    parts
}

/// 一, 二 … 九十九: the numbers of headings and of "一是、二是".
pub fn chinese_number(n: usize) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n].to_string(),
        10 => "十".to_string(),
        11..=19 => format!("十{}", DIGITS[n % 10]),
        20..=99 if n.is_multiple_of(10) => format!("{}十", DIGITS[n / 10]),
        20..=99 => format!("{}十{}", DIGITS[n / 10], DIGITS[n % 10]),
        _ => n.to_string(),
    }
}

/// What a measure's paragraph in its problem's section says of where it stands.
fn standing(l: &LedgerLine) -> String {
    let progress = l
        .latest_progress
        .as_deref()
        .map(|p| format!("最新进展：{}", p.trim_end_matches('。')))
        .unwrap_or_default();
    match l.status {
        MeasureStatus::Closed => match l.closed_on {
            Some(day) => format!("已完成整改，于{}对账销号。", chinese_date(day)),
            None => "已完成整改并对账销号。".to_string(),
        },
        MeasureStatus::Submitted | MeasureStatus::Endorsed => {
            "已完成整改，已申请对账销号，待审核验收。".to_string()
        }
        _ if l.kind == MeasureKind::LongTerm => {
            if progress.is_empty() {
                "长期坚持，尚未报送进展。".to_string()
            } else {
                format!("长期坚持，{progress}。")
            }
        }
        _ => {
            let mut text = match l.due_date {
                Some(due) => format!("正在整改，完成时限{}", chinese_date(due)),
                None => "正在整改".to_string(),
            };
            let late = overdue_text(l.overdue_days, l.overdue_working_days);
            if !late.is_empty() {
                text.push('，');
                text.push_str(&format!("已{late}"));
            }
            if !progress.is_empty() {
                text.push('；');
                text.push_str(&progress);
            }
            text.push('。');
            text
        }
    }
}

/// "二、具体问题整改情况": one part per problem, in ledger order — "（一）关于"…"问题的整改
/// 情况" — each measure with what was done and where it stands.
fn per_problem(doc: &mut Document, data: &ReportData) {
    let mut findings: Vec<(&str, Vec<&LedgerLine>)> = Vec::new();
    for l in &data.lines {
        match findings.last_mut() {
            Some((code, measures)) if *code == l.finding_code => measures.push(l),
            _ => findings.push((&l.finding_code, vec![l])),
        }
    }
    for (n, (_, measures)) in findings.iter().enumerate() {
        let first = measures[0];
        // Quotation marks inside quotation marks are single (‘第一议题’).
        let title = first
            .finding_title
            .trim_end_matches("问题")
            .replace('“', "‘")
            .replace('”', "’");
        doc.push(Block::Subheading(format!(
            "（{}）关于“{title}”问题的整改情况",
            chinese_number(n + 1)
        )));
        let mut text = format!("针对该问题，制定整改措施{}条。", measures.len());
        for (i, m) in measures.iter().enumerate() {
            let content = m.content.trim_end_matches(['。', '；', ';']);
            let mut whom = format!("牵头单位：{}", m.lead_unit);
            if !m.accountable_leader.is_empty() {
                whom.push_str(&format!("，责任领导：{}", m.accountable_leader));
            }
            let mut stands = standing(m);
            if let Some(counts) = duty_counts(data, &m.measure_code) {
                stands = format!("{}；{counts}。", stands.trim_end_matches('。'));
            }
            text.push_str(&format!(
                "{}是{content}（{whom}），{stands}",
                chinese_number(i + 1)
            ));
        }
        doc.push(Block::Paragraph(text));
    }
}

/// "下一步工作", from what is still open: overdue items by unit, items under way, pending
/// extensions, long-term items and quotas behind.
fn next_steps(data: &ReportData) -> String {
    let mut parts = Vec::new();
    let overdue: Vec<&LedgerLine> = data
        .open
        .iter()
        .filter(|l| l.overdue_days > 0 && l.warning == Warning::Red)
        .collect();
    if !overdue.is_empty() {
        let mut by_unit: Vec<(String, usize)> = Vec::new();
        for l in &overdue {
            match by_unit.iter_mut().find(|(u, _)| *u == l.lead_unit) {
                Some((_, n)) => *n += 1,
                None => by_unit.push((l.lead_unit.clone(), 1)),
            }
        }
        let units: Vec<String> = by_unit.iter().map(|(u, n)| format!("{u}{n}条")).collect();
        parts.push(format!(
            "对超期未完成的{}条措施（{}）逐项挂牌督办，督促责任单位查明原因、限期完成",
            overdue.len(),
            units.join("、")
        ));
    }
    let under_way = data.open.len() - overdue.len();
    if under_way > 0 {
        parts.push(format!(
            "对尚在推进的{under_way}条措施倒排工期、挂图作战，确保按期对账销号"
        ));
    }
    if data.pending_extensions > 0 {
        parts.push(format!(
            "对{}项待审批的延期申请从严审核、及时办结",
            data.pending_extensions
        ));
    }
    if !data.long_term.is_empty() {
        parts.push(format!(
            "对{}条长期坚持事项按期报送进展、持续巩固整改成果",
            data.long_term.len()
        ));
    }
    let behind: usize = data
        .duties
        .iter()
        .flat_map(|(_, _, q)| q)
        .filter(|q| q.light != Warning::Green)
        .count();
    if behind > 0 {
        parts.push(format!("对进度滞后的{behind}项年度任务指标加快推进"));
    }
    if parts.is_empty() {
        return "下一步，将巩固整改成果，建立健全长效机制，坚决防止问题反弹回潮。".to_string();
    }
    format!(
        "下一步，将继续压实整改主体责任：{}。建立健全长效机制，坚决防止问题反弹回潮。",
        parts.join("；")
    )
}

/// "全年开展7次，完成年度任务的88%" for each quota of the duties that keep a measure.
fn duty_counts(data: &ReportData, measure_code: &str) -> Option<String> {
    let parts: Vec<String> = data
        .duties
        .iter()
        .filter(|(code, _, _)| code == measure_code)
        .flat_map(|(_, _, quotas)| quotas)
        .map(|q| {
            format!(
                "{}：{}开展{}{}，完成年度任务的{:.0}%",
                q.quota.metric,
                if q.quota.period == crate::domain::enums::QuotaPeriod::Year {
                    "全年"
                } else {
                    "本期"
                },
                super::document::number(q.done),
                q.quota.unit.label(),
                q.share * 100.0
            )
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("；"))
}

/// "超期12个工作日"; a deadline passed over a weekend or holiday only, in days; nothing
/// when the item is not overdue.
fn overdue_text(days: i64, working_days: i64) -> String {
    match (days, working_days) {
        (_, w) if w > 0 => format!("超期{w}个工作日"),
        (d, _) if d > 0 => format!("超期{d}天（节假日）"),
        _ => String::new(),
    }
}

/// The measures as they stood at the end of the day, leaving out those not set up yet.
fn then(
    conn: &mut DbConnection,
    rows: Vec<MeasureWithUnits>,
    as_of: &AsOf,
) -> Result<Vec<MeasureWithUnits>, ApiError> {
    let ids: Vec<(String, String)> = rows
        .iter()
        .map(|(r, _)| (r.id.clone(), r.finding_id.clone()))
        .collect();
    let mut then = as_of::measures(conn, &ids, as_of)?;
    Ok(rows
        .into_iter()
        .filter_map(|(r, units)| then.remove(&r.id).map(|row| (row, units)))
        .collect())
}

pub fn chinese_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// A rate as the report prints it; "—" when there is nothing to divide.
fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_string(), |r| format!("{:.1}%", r * 100.0))
}

/// "…问题整改" becomes "…问题整改情况报告"; other titles get "关于…整改情况的报告".
fn report_title(title: &str) -> String {
    if title.ends_with("整改") {
        format!("{title}情况报告")
    } else {
        format!("关于{title}整改情况的报告")
    }
}

pub fn compose(data: &ReportData) -> Document {
    let i = &data.inspection;
    let t = &data.total;
    let who = data.target.clone().unwrap_or_else(|| "我单位".to_string());
    let source = i.source_type.label();
    let mut doc = Document::default();
    doc.push(Block::Title(report_title(&i.title)))
        .push(Block::Subtitle(format!(
            "（截至{}）",
            chinese_date(data.as_of)
        )));
    // "指出问题10个（其中市委第三巡察组反馈问题7个、2021年党风廉政建设责任制考核发现问题3个）"
    let breakdown = if data.other_sources.is_empty() {
        String::new()
    } else {
        let others: i64 = data.other_sources.iter().map(|(_, n)| n).sum();
        let mut parts = vec![format!("{}反馈问题{}个", i.issuer, t.findings - others)];
        parts.extend(
            data.other_sources
                .iter()
                .map(|(name, n)| format!("{name}发现问题{n}个")),
        );
        format!("（其中{}）", parts.join("、"))
    };
    doc.push(Block::Paragraph(format!(
        "{}，{}向{who}反馈了{source}意见，指出问题{}个{breakdown}。收到反馈意见后，{who}坚持立行立改、边行边改，\
         建立问题清单、任务清单、责任清单，分解细化为{}项具体整改措施，明确时限要求，对账销号。\
         现将整改情况报告如下：",
        chinese_date(i.feedback_date),
        i.issuer,
        t.findings,
        t.measures
    )));

    doc.push(Block::Heading("一、总体整改情况".into()));
    let [immediate, time_bound, long_term] = data.kinds;
    let mut overview = format!(
        "{}共反馈问题{}个，制定整改措施{}条，其中立行立改{immediate}条、限期整改{time_bound}条、\
         长期坚持{long_term}条。截至{}，已完成整改措施{}条，其中经审核验收已对账销号{}条，\
         整改完成率{}，按期完成率{}；{}个问题已整改销号。",
        i.issuer,
        t.findings,
        t.measures,
        chinese_date(data.as_of),
        t.completed,
        t.closed,
        percent(t.completion_rate),
        percent(t.on_time_rate),
        data.findings_closed,
    );
    if long_term > 0 {
        overview.push_str(&format!(
            "长期坚持类措施{long_term}条持续推进，不计入的整改完成率为{}。",
            percent(t.completion_rate_excluding_long_term)
        ));
    }
    overview.push_str(&format!(
        "累计批准延期{}次，退回重新整改{}次；超期未完成{}条。",
        t.extensions, t.returns, t.overdue
    ));
    if t.reminders > 0 || t.rechecked > 0 {
        overview.push_str(&format!(
            "督促催办{}次；开展回头看{}次，发现问题反弹{}次。",
            t.reminders, t.rechecked, t.relapsed
        ));
    }
    if let Some(days) = t.avg_working_days_to_close {
        overview.push_str(&format!("已销号措施平均用时{days}个工作日。"));
    }
    doc.push(Block::Paragraph(overview));

    let mut section = 1;
    let mut heading = |doc: &mut Document, title: &str| {
        section += 1;
        doc.push(Block::Heading(format!(
            "{}、{title}",
            chinese_number(section)
        )));
    };
    heading(&mut doc, "具体问题整改情况");
    per_problem(&mut doc, data);
    heading(&mut doc, "分类整改情况");
    doc.push(numbers_table("问题类别", &data.by_category));
    heading(&mut doc, "各责任单位整改情况");
    doc.push(numbers_table("牵头单位", &data.by_unit));

    heading(&mut doc, "尚未完成的整改事项");
    if data.open.is_empty() {
        doc.push(Block::Paragraph(
            "立行立改和限期整改措施均已完成审核验收、对账销号。".into(),
        ));
    } else {
        doc.push(Block::Paragraph(format!(
            "尚有{}条立行立改、限期整改措施未对账销号，其中超期{}条，具体如下：",
            data.open.len(),
            data.open
                .iter()
                // Red for a measure that ends is overdue with its clock running, as 超期 counts.
                .filter(|l| l.warning == Warning::Red)
                .count()
        )));
        doc.push(items_table(
            &data.open,
            &["完成时限", "整改状态", "预警"],
            |l| {
                let late = overdue_text(l.overdue_days, l.overdue_working_days);
                vec![
                    match (l.due_date, late.is_empty()) {
                        (Some(d), true) => d.to_string(),
                        (Some(d), false) => format!("{d}（{late}）"),
                        (None, _) => String::new(),
                    },
                    l.status.label().to_string(),
                    l.warning.label().to_string(),
                ]
            },
        ));
    }

    heading(&mut doc, "长期坚持事项");
    if data.long_term.is_empty() {
        doc.push(Block::Paragraph("无长期坚持事项。".into()));
    } else {
        doc.push(Block::Paragraph(format!(
            "{}条长期坚持措施按期报送进展、持续推进，最新进展如下：",
            data.long_term.len()
        )));
        doc.push(items_table(
            &data.long_term,
            &["最新进展", "年度任务"],
            |l| {
                vec![
                    l.latest_progress
                        .clone()
                        .unwrap_or_else(|| "尚未报送".into()),
                    duty_counts(data, &l.measure_code).unwrap_or_default(),
                ]
            },
        ));
    }

    if !data.duties.is_empty() {
        heading(&mut doc, "年度任务落实情况");
        for (code, duty, quotas) in &data.duties {
            let behind = quotas.iter().filter(|q| q.light != Warning::Green).count();
            let met = quotas.iter().all(|q| q.done >= q.min);
            doc.push(Block::Paragraph(format!(
                "{}（整改措施{code}）：{}。{}",
                duty.title,
                duty_counts(data, code).unwrap_or_default(),
                if met {
                    "已完成年度任务。".to_string()
                } else if behind == 0 {
                    "按进度推进。".to_string()
                } else {
                    format!("{behind}项指标进度滞后或未按期完成，需加快推进。")
                }
            )));
        }
    }

    heading(&mut doc, "下一步工作");
    doc.push(Block::Paragraph(next_steps(data)));
    doc.push(Block::Signature(vec![who, chinese_date(data.as_of)]));
    doc
}

/// Measures as a numbered table: finding, measure, lead unit, then `extra` (the leaders
/// are in each problem's part; an A4 page holds seven columns with every code whole).
fn items_table(
    lines: &[LedgerLine],
    extra: &[&str],
    rest: impl Fn(&LedgerLine) -> Vec<String>,
) -> Block {
    let mut head: Vec<String> = ["序号", "问题编号", "整改措施", "牵头单位"]
        .map(String::from)
        .to_vec();
    head.extend(extra.iter().map(|h| h.to_string()));
    Block::Table {
        head,
        rows: lines
            .iter()
            .enumerate()
            .map(|(n, l)| {
                let mut row = vec![
                    (n + 1).to_string(),
                    if l.listed {
                        format!("{}（挂牌督办）", l.finding_code)
                    } else {
                        l.finding_code.clone()
                    },
                    l.content.clone(),
                    l.lead_unit.clone(),
                ];
                row.extend(rest(l));
                row
            })
            .collect(),
    }
}

fn numbers_table(label: &str, groups: &[StatsGroup]) -> Block {
    Block::Table {
        head: [
            label,
            "问题数",
            "措施数",
            "已完成",
            "已销号",
            "完成率",
            "超期",
            "延期",
        ]
        .map(String::from)
        .to_vec(),
        rows: groups
            .iter()
            .map(|g| {
                let n = &g.numbers;
                vec![
                    g.label.clone(),
                    n.findings.to_string(),
                    n.measures.to_string(),
                    n.completed.to_string(),
                    n.closed.to_string(),
                    percent(n.completion_rate),
                    n.overdue.to_string(),
                    n.extensions.to_string(),
                ]
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_chinese_numbers_and_codes_sort_naturally() {
        let numbers: Vec<String> = [1, 9, 10, 11, 19, 20, 21, 99]
            .into_iter()
            .map(chinese_number)
            .collect();
        assert_eq!(
            numbers,
            ["一", "九", "十", "十一", "十九", "二十", "二十一", "九十九"]
        );
        let mut codes = vec![
            "XC-2022-03-10",
            "XC-2022-03-02",
            "XC-2022-03-01-10",
            "XC-2022-03-01-2",
        ];
        codes.sort_by_key(|c| natural(c));
        assert_eq!(
            codes,
            [
                "XC-2022-03-01-2",
                "XC-2022-03-01-10",
                "XC-2022-03-02",
                "XC-2022-03-10"
            ]
        );
    }

    #[test]
    fn titles_read_as_report_titles() {
        assert_eq!(
            report_title("市委第三巡察组对市金融办党组巡察反馈问题整改"),
            "市委第三巡察组对市金融办党组巡察反馈问题整改情况报告"
        );
        assert_eq!(
            report_title("2021年度党风廉政建设责任制考核反馈问题"),
            "关于2021年度党风廉政建设责任制考核反馈问题整改情况的报告"
        );
        assert_eq!(
            chinese_date(NaiveDate::from_ymd_opt(2022, 9, 30).unwrap()),
            "2022年9月30日"
        );
        assert_eq!(percent(Some(0.3158)), "31.6%");
        assert_eq!(percent(None), "—");
    }
}
