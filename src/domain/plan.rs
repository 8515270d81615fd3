//! A plan sheet (工作计划 as offices keep it in Excel): one row per quota, columns 任务编号,
//! 工作任务, 责任单位, 责任人, 指标, 最低次数, 单位 (次/学时/名), 周期 (每月/每季度/每半年/全年),
//! 对象 (单位/每人) and, optionally, 活动类型 and 年度. Rows of one 任务编号 make one duty. No
//! I/O: units and kinds are resolved by the caller.

use super::duties::{QuotaPer, QuotaUnit};
use super::enums::QuotaPeriod;
use super::ledger::{Cell, CellError};
use crate::i18n::Text;
use crate::text;

/// A plan column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanColumn {
    Code,
    Title,
    Unit,
    Persons,
    Metric,
    Min,
    Counted,
    Period,
    Per,
    Kind,
    Year,
}

impl PlanColumn {
    pub const ALL: [PlanColumn; 11] = [
        PlanColumn::Code,
        PlanColumn::Title,
        PlanColumn::Unit,
        PlanColumn::Persons,
        PlanColumn::Metric,
        PlanColumn::Min,
        PlanColumn::Counted,
        PlanColumn::Period,
        PlanColumn::Per,
        PlanColumn::Kind,
        PlanColumn::Year,
    ];

    pub fn label(self) -> &'static str {
        match self {
            PlanColumn::Code => "任务编号",
            PlanColumn::Title => "工作任务",
            PlanColumn::Unit => "责任单位",
            PlanColumn::Persons => "责任人",
            PlanColumn::Metric => "指标",
            PlanColumn::Min => "最低次数",
            PlanColumn::Counted => "单位",
            PlanColumn::Period => "周期",
            PlanColumn::Per => "对象",
            PlanColumn::Kind => "活动类型",
            PlanColumn::Year => "年度",
        }
    }

    fn from_header(text: &str) -> Option<PlanColumn> {
        let key: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '*')
            .collect();
        PlanColumn::ALL
            .into_iter()
            .find(|c| c.label() == key)
            .or(match key.as_str() {
                "序号" | "编号" => Some(PlanColumn::Code),
                "任务" | "工作内容" | "任务内容" => Some(PlanColumn::Title),
                "牵头单位" => Some(PlanColumn::Unit),
                "量化指标" => Some(PlanColumn::Metric),
                "次数" | "数量" | "不少于" => Some(PlanColumn::Min),
                "计量单位" => Some(PlanColumn::Counted),
                _ => None,
            })
    }

    const REQUIRED: [PlanColumn; 6] = [
        PlanColumn::Code,
        PlanColumn::Title,
        PlanColumn::Unit,
        PlanColumn::Metric,
        PlanColumn::Min,
        PlanColumn::Period,
    ];
}

/// One quota row of the sheet, read.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRow {
    /// The sheet's row number (1-based).
    pub row: usize,
    pub code: String,
    pub title: String,
    pub unit: String,
    pub persons: Vec<String>,
    pub metric: String,
    pub min: f64,
    pub unit_of: QuotaUnit,
    pub period: QuotaPeriod,
    pub per: QuotaPer,
    pub kind: Option<String>,
    pub year: Option<i32>,
}

fn parse_unit(text: &str) -> Result<QuotaUnit, Text> {
    match text {
        "" | "次" | "次数" => Ok(QuotaUnit::Times),
        "学时" | "小时" | "课时" => Ok(QuotaUnit::Hours),
        "名" | "人" | "个" => Ok(QuotaUnit::People),
        _ => Err(text!("plan-counted")),
    }
}

fn parse_period(text: &str) -> Result<QuotaPeriod, Text> {
    match text {
        "每月" | "月" | "月度" => Ok(QuotaPeriod::Month),
        "每季度" | "季度" | "每季" => Ok(QuotaPeriod::Quarter),
        "每半年" | "半年" | "年中和年终" => Ok(QuotaPeriod::HalfYear),
        "全年" | "每年" | "年度" | "年内" => Ok(QuotaPeriod::Year),
        _ => Err(text!("plan-period")),
    }
}

fn parse_per(text: &str) -> Result<QuotaPer, Text> {
    match text {
        "" | "单位" | "集体" => Ok(QuotaPer::Unit),
        "每人" | "个人" | "人均" => Ok(QuotaPer::Person),
        _ => Err(text!("plan-per")),
    }
}

/// 张三、李四，王五 → three persons.
fn split_persons(text: &str) -> Vec<String> {
    text.split(['、', '，', ',', ';', '；', ' '])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// Finds the header row and reads every quota row under it; every problem is named by row
/// and column. A blank 任务编号, 工作任务 or 责任单位 repeats the row above (a merged cell).
pub fn parse(grid: &[Vec<Cell>]) -> (Vec<PlanRow>, Vec<CellError>) {
    let mut errors = Vec::new();
    let header = grid.iter().enumerate().find_map(|(i, cells)| {
        let columns: Vec<(usize, PlanColumn)> = cells
            .iter()
            .enumerate()
            .filter_map(|(j, c)| PlanColumn::from_header(&c.text()).map(|col| (j, col)))
            .collect();
        PlanColumn::REQUIRED
            .iter()
            .all(|r| columns.iter().any(|(_, c)| c == r))
            .then_some((i, columns))
    });
    let Some((at, columns)) = header else {
        errors.push(CellError {
            row: 1,
            column: None,
            value: String::new(),
            message: text!(
                "plan-no-header",
                columns = PlanColumn::REQUIRED.map(PlanColumn::label).to_vec()
            ),
        });
        return (Vec::new(), errors);
    };
    let mut rows = Vec::new();
    let mut above: Option<(String, String, String)> = None;
    for (index, cells) in grid.iter().enumerate().skip(at + 1) {
        let cell = |c: PlanColumn| {
            columns
                .iter()
                .find(|(_, col)| *col == c)
                .and_then(|(j, _)| cells.get(*j))
                .map(Cell::text)
                .unwrap_or_default()
        };
        if PlanColumn::ALL.iter().all(|c| cell(*c).is_empty()) {
            continue;
        }
        let row = index + 1;
        let mut bad = |column: PlanColumn, value: String, message: Text| {
            errors.push(CellError {
                row,
                column: Some(column.label().into()),
                value,
                message,
            });
        };
        for c in PlanColumn::ALL {
            if cell(c).contains('\0') {
                bad(c, cell(c), text!("nul-char"));
            }
        }
        let (mut code, mut title, mut unit) = (
            cell(PlanColumn::Code),
            cell(PlanColumn::Title),
            cell(PlanColumn::Unit),
        );
        if let Some((c, t, u)) = &above {
            if code.is_empty() {
                code = c.clone();
            }
            if title.is_empty() && code == *c {
                title = t.clone();
            }
            if unit.is_empty() && code == *c {
                unit = u.clone();
            }
        }
        for (column, value) in [
            (PlanColumn::Code, &code),
            (PlanColumn::Title, &title),
            (PlanColumn::Unit, &unit),
        ] {
            if value.is_empty() {
                bad(
                    column,
                    String::new(),
                    text!("cell-required", column = column.label()),
                );
            }
        }
        if code.chars().count() > 64 {
            bad(
                PlanColumn::Code,
                code.clone(),
                text!("length-max", max = 64),
            );
        }
        let metric = cell(PlanColumn::Metric);
        if metric.is_empty() || metric.chars().count() > 200 {
            bad(
                PlanColumn::Metric,
                metric.clone(),
                text!("plan-metric-length"),
            );
        }
        let min_text = cell(PlanColumn::Min);
        let min = match min_text.parse::<f64>() {
            Ok(n) if (1.0..=10000.0).contains(&n) => n,
            _ => {
                bad(PlanColumn::Min, min_text.clone(), text!("plan-min"));
                0.0
            }
        };
        let unit_of = parse_unit(&cell(PlanColumn::Counted));
        let period = parse_period(&cell(PlanColumn::Period));
        let per = parse_per(&cell(PlanColumn::Per));
        if let Err(m) = &unit_of {
            bad(PlanColumn::Counted, cell(PlanColumn::Counted), m.clone());
        }
        if let Err(m) = &period {
            bad(PlanColumn::Period, cell(PlanColumn::Period), m.clone());
        }
        if let Err(m) = &per {
            bad(PlanColumn::Per, cell(PlanColumn::Per), m.clone());
        }
        let persons = split_persons(&cell(PlanColumn::Persons));
        if per == Ok(QuotaPer::Person) && persons.is_empty() {
            bad(PlanColumn::Persons, String::new(), text!("plan-persons"));
        }
        if unit_of == Ok(QuotaUnit::Times) && min.fract() != 0.0 {
            bad(PlanColumn::Min, min_text.clone(), text!("plan-times-whole"));
        }
        let year_text = cell(PlanColumn::Year);
        let year = if year_text.is_empty() {
            None
        } else {
            match year_text.trim_end_matches('年').parse::<i32>() {
                Ok(y) if (2000..=2100).contains(&y) => Some(y),
                _ => {
                    bad(PlanColumn::Year, year_text.clone(), text!("plan-year"));
                    None
                }
            }
        };
        above = Some((code.clone(), title.clone(), unit.clone()));
        if let (Ok(unit_of), Ok(period), Ok(per)) = (unit_of, period, per) {
            rows.push(PlanRow {
                row,
                kind: Some(cell(PlanColumn::Kind)).filter(|k| !k.is_empty()),
                code,
                title,
                unit,
                persons: if per == QuotaPer::Person {
                    persons
                } else {
                    Vec::new()
                },
                metric,
                min,
                unit_of,
                period,
                per,
                year,
            });
        }
    }
    (rows, errors)
}

/// The kind a row counts: its 活动类型 (a code or a name), else the kind whose name its 指标
/// names (the longest such name).
pub fn kind_of(row: &PlanRow, kinds: &[(String, String)]) -> Result<String, CellError> {
    let fail = |column: PlanColumn, value: &str, message: Text| CellError {
        row: row.row,
        column: Some(column.label().into()),
        value: value.to_string(),
        message,
    };
    if let Some(k) = &row.kind {
        return kinds
            .iter()
            .find(|(code, name)| code == k || name == k)
            .map(|(code, _)| code.clone())
            .ok_or_else(|| fail(PlanColumn::Kind, k, text!("plan-kind-unknown")));
    }
    kind_named(&row.metric, kinds).ok_or_else(|| {
        fail(
            PlanColumn::Metric,
            &row.metric,
            text!("plan-metric-no-kind"),
        )
    })
}

/// The activity kind a metric names ("党组研究部署和听取党建工作汇报" → 党建工作汇报): the
/// kind whose name it holds (or that holds it), the longest such name.
pub fn kind_named(metric: &str, kinds: &[(String, String)]) -> Option<String> {
    kinds
        .iter()
        .filter(|(_, name)| metric.contains(name.as_str()) || name.contains(metric))
        .max_by_key(|(_, name)| name.chars().count())
        .map(|(code, _)| code.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    #[test]
    fn a_plan_sheet_reads_row_by_row_with_merged_tasks_and_names_every_bad_cell() {
        let grid = vec![
            vec![t("2026年党建工作计划量化指标")],
            [
                "任务编号",
                "工作任务",
                "责任单位",
                "责任人",
                "指标",
                "最低次数",
                "单位",
                "周期",
                "对象",
            ]
            .map(t)
            .to_vec(),
            [
                "DJ-07",
                "专题研究意识形态工作并向上级报告",
                "JRB",
                "",
                "专题研究意识形态工作",
                "2",
                "次",
                "全年",
                "单位",
            ]
            .map(t)
            .to_vec(),
            ["", "", "", "", "向上级专题报告", "1", "次", "全年", ""]
                .map(t)
                .to_vec(),
            [
                "DJ-09",
                "支部班子集中学习",
                "JRB-DZB",
                "赵六、钱七",
                "集中学习培训",
                "56",
                "学时",
                "全年",
                "每人",
            ]
            .map(t)
            .to_vec(),
            [
                "DJ-10",
                "发展党员",
                "JRB-DZB",
                "",
                "发展党员",
                "一名",
                "名",
                "每两年",
                "每人",
            ]
            .map(t)
            .to_vec(),
        ];
        let (rows, errors) = parse(&grid);
        assert_eq!(rows.len(), 3);
        assert_eq!(
            (rows[1].code.as_str(), rows[1].unit.as_str()),
            ("DJ-07", "JRB")
        );
        assert_eq!(rows[1].row, 4);
        assert_eq!(rows[2].persons, ["赵六", "钱七"]);
        assert_eq!(rows[2].unit_of, QuotaUnit::Hours);
        let named: Vec<(usize, &str)> = errors
            .iter()
            .map(|e| (e.row, e.column.as_deref().unwrap()))
            .collect();
        assert_eq!(named, [(6, "最低次数"), (6, "周期"), (6, "责任人")]);
        let kinds = vec![
            (
                "ideology_study".to_string(),
                "专题研究意识形态工作".to_string(),
            ),
            ("report_upward".to_string(), "向上级专题报告".to_string()),
        ];
        assert_eq!(kind_of(&rows[0], &kinds).unwrap(), "ideology_study");
        assert_eq!(kind_of(&rows[1], &kinds).unwrap(), "report_upward");
        assert_eq!(
            kind_of(&rows[2], &kinds).unwrap_err().column.as_deref(),
            Some("指标")
        );
    }
}
