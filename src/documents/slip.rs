//! The closure slip (对账销号单) of a closed measure: what was to be done, the evidence
//! shown (with SHA-256, so a file can be checked against the slip), and who asked for
//! closure, who signed and who verified, when — read from the audit trail, with each
//! step's event number and hash so the slip can be checked against the chain.

use chrono::NaiveDateTime;
use chrono_tz::Tz;

use super::document::{Block, Document, Layout};
use super::report::chinese_date;
use crate::db::models::{EventRow, EvidenceRow, FindingRow, InspectionRow, MeasureRow};
use crate::db::repo::{events, evidence, findings, inspections, measures, units};
use crate::db::DbConnection;
use crate::domain::enums::MeasureStatus;
use crate::error::ApiError;

pub struct SlipData {
    pub measure: MeasureRow,
    pub supporting: Vec<String>,
    pub lead: String,
    pub finding: FindingRow,
    pub inspection: InspectionRow,
    pub evidence: Vec<EvidenceRow>,
    /// Every closing cycle's steps, in order (`closing_cycles`).
    pub steps: Vec<(String, EventRow)>,
    /// The people directory's names, by login id.
    pub names: std::collections::HashMap<String, String>,
    pub tz: Tz,
}

/// The slip's facts; 409 unless the measure is closed.
pub fn gather(conn: &mut DbConnection, measure_id: &str, tz: Tz) -> Result<SlipData, ApiError> {
    let (measure, supporting_ids) = measures::get(conn, measure_id)?;
    if measure.status != MeasureStatus::Closed {
        return Err(ApiError::WrongState {
            message: crate::text!("slip-not-closed"),
            current: measure.status.to_string(),
            allowed: vec![],
        });
    }
    let name = |conn: &mut DbConnection, id: &str| -> Result<String, ApiError> {
        Ok(units::find(conn, id)?.map_or_else(|| id.to_string(), |u| u.name))
    };
    let lead = name(conn, &measure.lead_unit_id)?;
    let supporting = supporting_ids
        .iter()
        .map(|id| name(conn, id))
        .collect::<Result<_, _>>()?;
    let finding = findings::get(conn, &measure.finding_id)?;
    let inspection = inspections::get(conn, &finding.inspection_id)?;
    let history = events::of_object(conn, "measure", measure_id, None, 10_000)?;
    Ok(SlipData {
        evidence: evidence::of_measure(conn, measure_id, false)?,
        steps: closing_cycles(history),
        names: crate::service::directory::load(conn)?.names(),
        measure,
        supporting,
        lead,
        finding,
        inspection,
        tz,
    })
}

/// Every step of every closing cycle, in order: each closure request, endorsement, return,
/// verification, re-check and reopening — a reopened measure shows all its cycles.
pub fn closing_cycles(history: Vec<EventRow>) -> Vec<(String, EventRow)> {
    let mut submissions = 0;
    history
        .into_iter()
        .filter_map(|e| {
            let step = match e.action.as_str() {
                "measure.submit" => {
                    submissions += 1;
                    format!("第{submissions}次申请销号")
                }
                "measure.endorse" => "领导签批".into(),
                "measure.return" => "退回整改".into(),
                "measure.verify" => "审核销号".into(),
                "measure.recheck" => {
                    let relapsed = after(&e)
                        .pointer("/recheck/result")
                        .and_then(|r| r.as_str())
                        == Some("relapsed");
                    if relapsed {
                        "回头看（问题反弹）"
                    } else {
                        "回头看（巩固）"
                    }
                    .into()
                }
                "measure.reopen" => "重新打开".into(),
                _ => return None,
            };
            Some((step, e))
        })
        .collect()
}

fn after(e: &EventRow) -> serde_json::Value {
    e.after_json
        .as_deref()
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_default()
}

/// What a step said: a return's reason, a comment, a re-check's note.
fn note_of(e: &EventRow) -> String {
    let after = after(e);
    [
        "/action_input/reason",
        "/action_input/comment",
        "/recheck/note",
    ]
    .iter()
    .find_map(|p| {
        after
            .pointer(p)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    })
    .unwrap_or_default()
}

/// Which closure requests (1, 2, …) cited each evidence id.
fn citations(steps: &[(String, EventRow)]) -> std::collections::HashMap<String, Vec<usize>> {
    let mut cited: std::collections::HashMap<String, Vec<usize>> = Default::default();
    let submits = steps.iter().filter(|(_, e)| e.action == "measure.submit");
    for (n, (_, e)) in submits.enumerate() {
        if let Some(ids) = after(e)
            .pointer("/action_input/evidence_ids")
            .and_then(|v| v.as_array())
        {
            for id in ids.iter().filter_map(|v| v.as_str()) {
                cited.entry(id.to_string()).or_default().push(n + 1);
            }
        }
    }
    cited
}

fn local(t: NaiveDateTime, tz: Tz) -> String {
    t.and_utc()
        .with_timezone(&tz)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn size(bytes: i64) -> String {
    match bytes {
        b if b >= 1024 * 1024 => format!("{:.1} MB", b as f64 / 1024.0 / 1024.0),
        b if b >= 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}

pub fn compose(data: &SlipData) -> Document {
    let m = &data.measure;
    let kind = m.kind.label();
    let mut due = m
        .due_date
        .map_or_else(|| kind.to_string(), |d| d.to_string());
    if m.extension_count > 0 {
        if let Some(original) = m.original_due_date {
            due.push_str(&format!("（原定{original}，延期{}次）", m.extension_count));
        }
    }
    let pair = |k: &str, v: String| vec![k.to_string(), v];
    // Optional facts print only when there are some: the slip is one page.
    let optional = |k: &str, v: Option<String>| {
        v.filter(|v| !v.trim().is_empty())
            .map(|v| vec![k.to_string(), v])
    };
    // A form: one A4 page to sign, with up to five evidence files.
    let mut doc = Document {
        layout: Layout::FORM,
        ..Document::default()
    };
    doc.push(Block::Title("对账销号单".into()))
        .push(Block::Subtitle(data.inspection.title.clone()));
    doc.push(Block::Table {
        head: vec!["项目".into(), "内容".into()],
        rows: [
            Some(pair("问题编号", data.finding.code.clone())),
            Some(pair("问题描述", data.finding.description.clone())),
            Some(pair("措施编号", m.code.clone())),
            Some(pair("整改措施", m.content.clone())),
            Some(pair("整改类型", kind.to_string())),
            Some(pair("牵头单位", data.lead.clone())),
            optional("配合单位", Some(data.supporting.join("、"))),
            Some(pair("责任领导", m.accountable_leader.clone())),
            optional("责任人", m.responsible_person.clone()),
            Some(pair("完成时限", due)),
            optional("整改目标", m.completion_criteria.clone()),
            Some(pair(
                "整改完成情况",
                m.closing_statement.clone().unwrap_or_default(),
            )),
            Some(pair(
                "销号时间",
                m.closed_at.map(|t| local(t, data.tz)).unwrap_or_default(),
            )),
        ]
        .into_iter()
        .flatten()
        .collect(),
    });
    let cited = citations(&data.steps);
    doc.push(Block::Heading("一、佐证材料".into()));
    if data.evidence.is_empty() {
        doc.push(Block::Paragraph("无佐证材料。".into()));
    } else {
        // 材料日期 only when a file has one; uploads by their day (the time is in the trail).
        let dated = data.evidence.iter().any(|e| e.effective_date.is_some());
        let mut head = vec!["序号", "文件名", "大小", "SHA-256"];
        if dated {
            head.push("材料日期");
        }
        head.extend(["上传日期", "销号申请引用"]);
        doc.push(Block::Table {
            head: head.into_iter().map(String::from).collect(),
            rows: data
                .evidence
                .iter()
                .enumerate()
                .map(|(n, e)| {
                    let mut row = vec![
                        (n + 1).to_string(),
                        e.file_name.clone(),
                        size(e.size),
                        e.sha256.clone(),
                    ];
                    if dated {
                        row.push(e.effective_date.map(|d| d.to_string()).unwrap_or_default());
                    }
                    row.push(
                        e.uploaded_at
                            .and_utc()
                            .with_timezone(&data.tz)
                            .date_naive()
                            .to_string(),
                    );
                    row.push(match cited.get(&e.id) {
                        Some(rounds) => rounds
                            .iter()
                            .map(|n| format!("第{n}次"))
                            .collect::<Vec<_>>()
                            .join("、"),
                        None => "未引用".into(),
                    });
                    row
                })
                .collect(),
        });
    }
    doc.push(Block::Heading("二、审核流程".into()));
    if data.steps.is_empty() {
        doc.push(Block::Paragraph(
            "本措施的销号情况由原有台账录入（导入或初始数据），系统中没有申请销号、\
             领导签批和审核销号的记录。"
                .into(),
        ));
    } else {
        doc.push(steps_table(data));
    }
    doc.push(Block::Note(
        "本单据依据审计留痕生成：审计记录为事件序号，括号内为该行末事件哈希前8位，\
         可用 zhenggai audit verify 核验；佐证材料可按 SHA-256 核对。"
            .into(),
    ));
    let closed_on = m
        .closed_at
        .map(|t| t.and_utc().with_timezone(&data.tz).date_naive());
    doc.push(Block::Note(format!(
        "{}　{}销号",
        data.inspection.issuer,
        closed_on.map(chinese_date).unwrap_or_default()
    )));
    doc.push(Block::SignBoxes(
        ["经办人签字", "责任领导签字", "审核人签字", "单位（盖章）"]
            .map(String::from)
            .to_vec(),
    ));
    doc
}

/// The closing cycles, one row each: who asked for closure, who signed, how the office
/// decided (销号 or 退回, with its reason), and the events that record them; a re-check (and
/// the reopening a relapse brings) gets a row of its own between the cycles.
fn steps_table(data: &SlipData) -> Block {
    Block::Table {
        head: ["环节", "申请销号", "领导签批", "审核", "审计记录"]
            .map(String::from)
            .to_vec(),
        rows: cycle_rows(&data.steps, |e| who_when(data, e)),
    }
}

/// `steps` folded into rows of five cells; `who` tells a step's person and day.
fn cycle_rows(steps: &[(String, EventRow)], who: impl Fn(&EventRow) -> String) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    // The events by number; the row's last hash, which the chain ties to all before it.
    let audit = |seqs: &str, e: &EventRow| {
        let seqs = match seqs.split_once('（') {
            Some((seqs, _)) => format!("{seqs}、#{}", e.seq),
            None if seqs.is_empty() => format!("#{}", e.seq),
            None => format!("{seqs}、#{}", e.seq),
        };
        format!("{seqs}（{}）", &e.hash[..e.hash.len().min(8)])
    };
    let said = |e: &EventRow| match note_of(e) {
        note if note.is_empty() => who(e),
        note => format!("{}：{note}", who(e)),
    };
    for (step, e) in steps {
        let in_cycle = rows.last().is_some_and(|r| r[0].ends_with("申请销号"));
        let after_relapse = rows.last().is_some_and(|r| r[0] == "回头看（问题反弹）");
        match e.action.as_str() {
            "measure.submit" => rows.push(vec![
                step.clone(),
                who(e),
                String::new(),
                String::new(),
                audit("", e),
            ]),
            // A relapsed re-check reopens the measure: one row says both.
            "measure.reopen" if after_relapse => {
                let row = rows.last_mut().expect("a re-check");
                row[0] = "回头看（问题反弹），重新打开".into();
                row[4] = audit(&row[4], e);
            }
            "measure.endorse" | "measure.verify" | "measure.return" if in_cycle => {
                let row = rows.last_mut().expect("a cycle");
                let (col, text) = match e.action.as_str() {
                    "measure.endorse" => (2, said(e)),
                    _ => (3, format!("{}：{}", step, said(e))),
                };
                row[col] = text;
                row[4] = audit(&row[4], e);
            }
            _ => rows.push(vec![
                step.clone(),
                "—".into(),
                "—".into(),
                said(e),
                audit("", e),
            ]),
        }
    }
    for row in &mut rows {
        for cell in row.iter_mut().take(4).skip(2) {
            if cell.is_empty() {
                *cell = "—".into();
            }
        }
    }
    rows
}

/// As people call them — the name the event recorded, else the directory's, else the
/// login id — and the day (the minute is in the audit trail).
fn who_when(data: &SlipData, e: &EventRow) -> String {
    let name = e
        .actor_name
        .clone()
        .or_else(|| data.names.get(&e.actor).cloned())
        .unwrap_or_else(|| e.actor.clone());
    let day = e.at.and_utc().with_timezone(&data.tz).date_naive();
    format!("{name} {day}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(seq: i64, action: &str) -> EventRow {
        EventRow {
            seq,
            id: seq.to_string(),
            at: NaiveDateTime::default(),
            actor: "a".into(),
            role: "office".into(),
            action: action.into(),
            object_type: "measure".into(),
            object_id: "m".into(),
            before_json: None,
            after_json: None,
            prev_hash: String::new(),
            hash: "0".repeat(64),
            actor_name: None,
        }
    }

    #[test]
    fn the_slip_shows_every_cycle_in_order() {
        let history = [
            (1, "measure.create"),
            (2, "measure.submit"),
            (3, "measure.return"),
            (4, "measure.submit"),
            (5, "measure.endorse"),
            (6, "measure.verify"),
            (7, "measure.recheck"),
            (8, "measure.reopen"),
            (9, "measure.report"),
            (10, "measure.submit"),
            (11, "measure.verify"),
        ]
        .map(|(s, a)| event(s, a))
        .to_vec();
        let steps: Vec<(String, i64)> = closing_cycles(history)
            .into_iter()
            .map(|(s, e)| (s, e.seq))
            .collect();
        let want = [
            ("第1次申请销号", 2),
            ("退回整改", 3),
            ("第2次申请销号", 4),
            ("领导签批", 5),
            ("审核销号", 6),
            ("回头看（巩固）", 7),
            ("重新打开", 8),
            ("第3次申请销号", 10),
            ("审核销号", 11),
        ];
        assert_eq!(steps, want.map(|(s, n)| (s.to_string(), n)).to_vec());
    }

    #[test]
    fn each_cycle_is_one_row_and_a_recheck_stands_between() {
        let history = [
            (2, "measure.submit"),
            (3, "measure.return"),
            (4, "measure.submit"),
            (5, "measure.endorse"),
            (6, "measure.verify"),
            (7, "measure.recheck"),
            (8, "measure.reopen"),
            (10, "measure.submit"),
            (11, "measure.verify"),
        ]
        .map(|(s, a)| event(s, a))
        .to_vec();
        let rows = cycle_rows(&closing_cycles(history), |e| format!("p{}", e.seq));
        let firsts: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(
            firsts,
            [
                "第1次申请销号",
                "第2次申请销号",
                "回头看（巩固）",
                "重新打开",
                "第3次申请销号"
            ]
        );
        assert_eq!(rows[0][1..4], ["p2", "—", "退回整改：p3"]);
        assert_eq!(rows[1][1..4], ["p4", "p5", "审核销号：p6"]);
        assert_eq!(rows[1][4], format!("#4、#5、#6（{}）", "0".repeat(8)));
        assert_eq!(rows[2][1..4], ["—", "—", "p7"]);
        assert_eq!(rows[4][1..4], ["p10", "—", "审核销号：p11"]);
    }

    #[test]
    fn each_closure_request_marks_the_evidence_it_cited() {
        let mut first = event(2, "measure.submit");
        first.after_json = Some(r#"{"action_input":{"evidence_ids":["a","b"]}}"#.into());
        let mut second = event(5, "measure.submit");
        second.after_json = Some(r#"{"action_input":{"evidence_ids":["b","c"]}}"#.into());
        let steps = closing_cycles(vec![first, event(3, "measure.return"), second]);
        let cited = citations(&steps);
        assert_eq!(cited["a"], [1]);
        assert_eq!(cited["b"], [1, 2]);
        assert_eq!(cited["c"], [2]);
        assert!(!cited.contains_key("d"));
    }
}
