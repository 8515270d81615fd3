//! The closure slip (对账销号单) of a closed measure: what was to be done, the evidence
//! shown (with SHA-256, so a file can be checked against the slip), and who asked for
//! closure, who signed and who verified, when — read from the audit trail, with each
//! step's event number and hash so the slip can be checked against the chain.

use chrono::NaiveDateTime;
use chrono_tz::Tz;

use super::document::{Block, Document};
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
    /// The closing round's submit, endorse and verify events (endorse may be absent).
    pub steps: Vec<(&'static str, EventRow)>,
    /// The people directory's names, by login id.
    pub names: std::collections::HashMap<String, String>,
    pub tz: Tz,
}

/// The slip's facts; 409 unless the measure is closed.
pub fn gather(conn: &mut DbConnection, measure_id: &str, tz: Tz) -> Result<SlipData, ApiError> {
    let (measure, supporting_ids) = measures::get(conn, measure_id)?;
    if measure.status != MeasureStatus::Closed {
        return Err(ApiError::WrongState {
            message: "a closure slip (对账销号单) exists once the measure is closed (已销号)"
                .into(),
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
        steps: closing_round(history),
        names: crate::service::directory::load(conn)?.names(),
        measure,
        supporting,
        lead,
        finding,
        inspection,
        tz,
    })
}

/// The last submit → endorse → verify round of a measure's history (an earlier round may
/// have been returned, or the measure reopened since).
pub fn closing_round(history: Vec<EventRow>) -> Vec<(&'static str, EventRow)> {
    let Some(verify_at) = history.iter().rposition(|e| e.action == "measure.verify") else {
        return Vec::new();
    };
    let before = &history[..verify_at];
    let submit_at = before.iter().rposition(|e| e.action == "measure.submit");
    let mut steps = Vec::new();
    if let Some(s) = submit_at {
        steps.push(("申请销号", history[s].clone()));
        if let Some(e) = before[s..]
            .iter()
            .rposition(|e| e.action == "measure.endorse")
        {
            steps.push(("领导签批", history[s + e].clone()));
        }
    }
    steps.push(("审核销号", history[verify_at].clone()));
    steps
}

fn role_label(role: &str) -> &str {
    match role {
        "admin" => "系统管理员",
        "office" => "整改办",
        "unit" => "责任单位",
        "leader" => "责任领导",
        "supervisor" => "纪检监察",
        "viewer" => "查阅",
        "system" => "系统",
        other => other,
    }
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
    let mut doc = Document::default();
    doc.push(Block::Title("对账销号单".into()))
        .push(Block::Subtitle(data.inspection.title.clone()));
    doc.push(Block::Table {
        head: vec!["项目".into(), "内容".into()],
        rows: vec![
            pair("问题编号", data.finding.code.clone()),
            pair("问题描述", data.finding.description.clone()),
            pair("措施编号", m.code.clone()),
            pair("整改措施", m.content.clone()),
            pair("整改类型", kind.to_string()),
            pair("牵头单位", data.lead.clone()),
            pair("配合单位", data.supporting.join("、")),
            pair("责任领导", m.accountable_leader.clone()),
            pair("责任人", m.responsible_person.clone().unwrap_or_default()),
            pair("完成时限", due),
            pair(
                "整改目标",
                m.completion_criteria.clone().unwrap_or_default(),
            ),
            pair(
                "整改完成情况",
                m.closing_statement.clone().unwrap_or_default(),
            ),
            pair(
                "销号时间",
                m.closed_at.map(|t| local(t, data.tz)).unwrap_or_default(),
            ),
        ],
    });
    doc.push(Block::Heading("一、佐证材料".into()));
    if data.evidence.is_empty() {
        doc.push(Block::Paragraph("无佐证材料。".into()));
    } else {
        doc.push(Block::Table {
            head: [
                "序号",
                "文件名",
                "大小",
                "SHA-256",
                "材料日期",
                "上传时间",
                "随销号申请提交",
            ]
            .map(String::from)
            .to_vec(),
            rows: data
                .evidence
                .iter()
                .enumerate()
                .map(|(n, e)| {
                    vec![
                        (n + 1).to_string(),
                        e.file_name.clone(),
                        size(e.size),
                        e.sha256.clone(),
                        e.effective_date.map(|d| d.to_string()).unwrap_or_default(),
                        local(e.uploaded_at, data.tz),
                        if e.frozen_at.is_some() { "是" } else { "否" }.into(),
                    ]
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
    doc.push(Block::Paragraph(
        "本单据依据审计留痕生成。审计记录为事件序号及其哈希值前16位，可通过 \
         GET /api/v1/audit/verify 或 zhenggai audit verify 核验审计链完整性；\
         佐证材料可按 SHA-256 值核对。"
            .into(),
    ));
    let closed_on = m
        .closed_at
        .map(|t| t.and_utc().with_timezone(&data.tz).date_naive());
    doc.push(Block::Signature(vec![
        data.inspection.issuer.clone(),
        closed_on.map(chinese_date).unwrap_or_default(),
    ]));
    doc
}

/// Who did each step of the closing round, when, and the event that records it.
fn steps_table(data: &SlipData) -> Block {
    Block::Table {
        head: ["环节", "经办人", "身份", "时间", "审计记录"]
            .map(String::from)
            .to_vec(),
        rows: data
            .steps
            .iter()
            .map(|(step, e)| {
                vec![
                    step.to_string(),
                    // As people call them: the name the event recorded, else the
                    // directory's, else the login id.
                    e.actor_name
                        .clone()
                        .or_else(|| data.names.get(&e.actor).cloned())
                        .unwrap_or_else(|| e.actor.clone()),
                    role_label(&e.role).to_string(),
                    local(e.at, data.tz),
                    format!("#{} {}", e.seq, &e.hash[..e.hash.len().min(16)]),
                ]
            })
            .collect(),
    }
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
    fn the_slip_shows_the_round_that_closed_the_measure() {
        let history = [
            (1, "measure.create"),
            (2, "measure.submit"),
            (3, "measure.return"),
            (4, "measure.submit"),
            (5, "measure.endorse"),
            (6, "measure.verify"),
            (7, "measure.reopen"),
            (8, "measure.submit"),
            (9, "measure.verify"),
        ]
        .map(|(s, a)| event(s, a))
        .to_vec();
        let steps: Vec<(&str, i64)> = closing_round(history.clone())
            .into_iter()
            .map(|(s, e)| (s, e.seq))
            .collect();
        assert_eq!(steps, [("申请销号", 8), ("审核销号", 9)]);
        let steps: Vec<i64> = closing_round(history[..6].to_vec())
            .into_iter()
            .map(|(_, e)| e.seq)
            .collect();
        assert_eq!(steps, [4, 5, 6]);
        assert!(closing_round(history[..2].to_vec()).is_empty());
    }
}
