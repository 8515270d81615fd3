//! Rules a ledger entry must satisfy beyond its own fields' shapes.

use chrono::NaiveDate;

use super::enums::{MeasureKind, MeasureStatus};
use crate::i18n::Text;
use crate::text;

/// One broken rule, named by the request field it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: Text,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: Text) -> FieldError {
        FieldError {
            field: field.into(),
            message,
        }
    }
}

/// Text fields must carry something besides white space.
pub fn not_blank(s: &str) -> Result<(), validator::ValidationError> {
    if s.trim().is_empty() {
        Err(validator::ValidationError::new("blank"))
    } else {
        Ok(())
    }
}

/// 限期整改 and 立行立改 measures need a due date; none may fall before the inspection's
/// feedback date (反馈日期), from which rectification starts.
pub fn check_schedule(
    kind: MeasureKind,
    due_date: Option<NaiveDate>,
    feedback_date: NaiveDate,
) -> Vec<FieldError> {
    match due_date {
        None if kind != MeasureKind::LongTerm => vec![FieldError::new(
            "due_date",
            text!("due-date-needed", kind = kind),
        )],
        Some(_) if kind == MeasureKind::LongTerm => {
            vec![FieldError::new("due_date", text!("due-date-long-term"))]
        }
        Some(due) if due < feedback_date => vec![FieldError::new(
            "due_date",
            text!("due-date-before-feedback", feedback = feedback_date),
        )],
        _ => vec![],
    }
}

/// History entered late (补录): the day a step really happened is not in the future, not
/// before the inspection's feedback, and not before the object's previous step.
pub fn check_effective(
    day: NaiveDate,
    today: NaiveDate,
    feedback: NaiveDate,
    previous: Option<(&str, NaiveDate)>,
) -> Result<(), FieldError> {
    let refuse = |why: Text| Err(FieldError::new("effective_date", why));
    if day > today {
        return refuse(text!("effective-future", day = day, today = today));
    }
    if day < feedback {
        return refuse(text!(
            "effective-before-feedback",
            day = day,
            feedback = feedback
        ));
    }
    match previous {
        Some((step, on)) if day < on => refuse(text!(
            "effective-before-previous",
            day = day,
            step = step,
            on = on
        )),
        _ => Ok(()),
    }
}

/// A quota ("不少于X次") belongs to a long-term measure (长期坚持) only.
pub fn check_quota(kind: MeasureKind, has_quota: bool) -> Vec<FieldError> {
    if has_quota && kind != MeasureKind::LongTerm {
        vec![FieldError::new(
            "quota",
            text!("quota-long-term-only", kind = kind),
        )]
    } else {
        vec![]
    }
}

/// An extension (延期) may be asked for a measure that has a deadline and is not closed,
/// and must move the deadline later.
pub fn check_extension(
    kind: MeasureKind,
    status: crate::domain::enums::MeasureStatus,
    due_date: Option<NaiveDate>,
    requested: NaiveDate,
    today: NaiveDate,
) -> Result<(), FieldError> {
    use crate::domain::enums::MeasureStatus;
    if status == MeasureStatus::Closed {
        return Err(FieldError::new("", text!("extension-closed")));
    }
    match due_date {
        None => Err(FieldError::new(
            "",
            text!("extension-no-deadline", kind = kind),
        )),
        Some(due) if requested <= due => Err(FieldError::new(
            "requested_due_date",
            text!("extension-not-later", due = due),
        )),
        Some(_) if requested < today => Err(FieldError::new(
            "requested_due_date",
            text!("extension-passed", requested = requested, today = today),
        )),
        Some(_) => Ok(()),
    }
}

/// Supporting units (配合单位) are other units than the lead, each named once.
pub fn check_supporting_units(lead: &str, supporting: &[String]) -> Vec<FieldError> {
    let mut errors = vec![];
    if supporting.iter().any(|u| u == lead) {
        errors.push(FieldError::new(
            "supporting_unit_ids",
            text!("supporting-is-lead"),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    if supporting.iter().any(|u| !seen.insert(u)) {
        errors.push(FieldError::new(
            "supporting_unit_ids",
            text!("supporting-twice"),
        ));
    }
    errors
}

/// While a measure has not started its plan can still be corrected; after that the due date
/// moves only through an approved extension (延期申请), so `original_due_date` stays true.
pub fn due_date_editable(status: MeasureStatus) -> bool {
    status == MeasureStatus::NotStarted
}

/// Who answers for a measure (责任领导, 责任人) is a plain edit until it starts; from then
/// on it changes only through a recorded handover (责任交接).
pub fn holders_editable(status: MeasureStatus) -> bool {
    status == MeasureStatus::NotStarted
}

/// A measure's kind can change only while it has not started.
pub fn kind_editable(status: MeasureStatus) -> bool {
    status == MeasureStatus::NotStarted
}

/// The concentrated period (集中整改期) ends on or after the feedback date.
pub fn check_inspection_dates(
    feedback: NaiveDate,
    period_end: Option<NaiveDate>,
) -> Vec<FieldError> {
    match period_end {
        Some(end) if end < feedback => vec![FieldError::new(
            "concentrated_period_end",
            text!("period-end-before-feedback"),
        )],
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_late_entry_stays_between_the_feedback_today_and_the_previous_step() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let feedback = NaiveDate::from_ymd_opt(2022, 4, 20).unwrap();
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(check_effective(day("2022-06-28"), today, feedback, None).is_ok());
        assert!(check_effective(day("2026-12-02"), today, feedback, None).is_err());
        assert!(check_effective(day("2022-04-19"), today, feedback, None).is_err());
        let previous = Some(("measure.submit", day("2022-06-28")));
        assert!(check_effective(day("2022-06-28"), today, feedback, previous).is_ok());
        let refused = check_effective(day("2022-06-27"), today, feedback, previous).unwrap_err();
        let told = refused.message.told(crate::i18n::Lang::En);
        assert!(told.contains("measure.submit"), "{told}");
    }

    #[test]
    fn an_extension_moves_an_open_deadline_later() {
        use crate::domain::enums::MeasureStatus as S;
        let due = NaiveDate::from_ymd_opt(2022, 6, 30).unwrap();
        let later = NaiveDate::from_ymd_opt(2022, 9, 30).unwrap();
        let today = NaiveDate::from_ymd_opt(2022, 7, 5).unwrap();
        let ask = |status, due, wanted| {
            check_extension(MeasureKind::TimeBound, status, due, wanted, today)
        };
        assert!(ask(S::InProgress, Some(due), later).is_ok());
        assert!(ask(S::InProgress, Some(due), due).is_err());
        assert!(ask(S::Closed, Some(due), later).is_err());
        assert!(check_extension(MeasureKind::LongTerm, S::Ongoing, None, later, today).is_err());
        // Overdue already: a new date must still lie ahead.
        let past = NaiveDate::from_ymd_opt(2022, 7, 1).unwrap();
        let refused = ask(S::InProgress, Some(due), past).unwrap_err();
        assert_eq!(refused.field, "requested_due_date");
        assert!(refused
            .message
            .told(crate::i18n::Lang::En)
            .contains("passed"));
        assert!(refused
            .message
            .told(crate::i18n::Lang::ZhCn)
            .contains("已过"));
        assert!(ask(S::InProgress, Some(due), today).is_ok());
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn schedule_rules() {
        let feedback = d("2022-04-20");
        let cases = [
            (MeasureKind::TimeBound, None, Some("due_date")),
            (MeasureKind::Immediate, None, Some("due_date")),
            (MeasureKind::LongTerm, None, None),
            (MeasureKind::TimeBound, Some("2022-04-19"), Some("due_date")),
            (MeasureKind::LongTerm, Some("2022-04-19"), Some("due_date")),
            (MeasureKind::TimeBound, Some("2022-04-20"), None),
            (MeasureKind::Immediate, Some("2022-06-30"), None),
        ];
        for (kind, due, expected) in cases {
            let errors = check_schedule(kind, due.map(d), feedback);
            assert_eq!(
                errors.first().map(|e| e.field.as_str()),
                expected,
                "{kind:?} {due:?}"
            );
        }
    }

    #[test]
    fn supporting_units_exclude_the_lead_and_duplicates() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(check_supporting_units("a", &s(&["b", "c"])).is_empty());
        assert_eq!(check_supporting_units("a", &s(&["a"])).len(), 1);
        assert_eq!(check_supporting_units("a", &s(&["b", "b"])).len(), 1);
    }

    #[test]
    fn only_unstarted_measures_change_due_date_or_kind() {
        for status in MeasureStatus::ALL {
            let expected = *status == MeasureStatus::NotStarted;
            assert_eq!(due_date_editable(*status), expected);
            assert_eq!(kind_editable(*status), expected);
        }
    }

    #[test]
    fn concentrated_period_ends_after_feedback() {
        assert!(check_inspection_dates(d("2022-04-20"), Some(d("2022-07-20"))).is_empty());
        assert!(check_inspection_dates(d("2022-04-20"), None).is_empty());
        assert_eq!(
            check_inspection_dates(d("2022-04-20"), Some(d("2022-04-19")))[0].field,
            "concentrated_period_end"
        );
    }
}
