//! The domain's enumerations. API values are the English identifiers of DOMAIN.md; each
//! also knows its Chinese label for sheets and reports. Stored as TEXT.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A stored text that names no value of its enumeration: a broken row, never defaulted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
}

impl UnknownValue {
    /// The one column each enumeration is stored in.
    pub fn column(&self) -> &'static str {
        match self.kind {
            "SourceType" => "inspections.source_type",
            "Category" => "findings.category",
            "Level" => "findings.level",
            "SupervisionLevel" => "findings.supervision_level",
            "FindingStatus" => "findings.status",
            "MeasureKind" => "measures.kind",
            "MeasureStatus" => "measures.status",
            "ExtensionStatus" => "extensions.status",
            "ReportCycle" => "measures.report_cycle",
            "QuotaPeriod" => "measures.quota_period",
            _ => "a text column",
        }
    }
}

impl std::fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "unknown value {:?} in column {} (not a {})",
            self.value,
            self.column(),
            self.kind
        )
    }
}

impl std::error::Error for UnknownValue {}

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => ($text:literal, $label:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $(#[doc = $label] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The Chinese label shown to people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        /// Read back from a TEXT column: an unknown value is an error naming it (diesel
        /// adds the column).
        impl TryFrom<String> for $name {
            type Error = UnknownValue;

            fn try_from(s: String) -> Result<$name, UnknownValue> {
                $name::parse(&s).ok_or(UnknownValue { kind: stringify!($name), value: s })
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.as_str().to_string()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// In a message: the Chinese label, or the catalogue's `<Enum>-<value>` entry.
        impl From<$name> for crate::i18n::Arg {
            fn from(v: $name) -> crate::i18n::Arg {
                let id = match v { $($name::$variant => concat!(stringify!($name), "-", $text)),+ };
                crate::i18n::Arg::Term { id, zh: v.label() }
            }
        }
    };
}

text_enum!(
    /// Where an inspection comes from (巡视、巡察、审计、督查、考核、自查).
    SourceType {
        Xunshi => ("xunshi", "巡视"),
        Xuncha => ("xuncha", "巡察"),
        Audit => ("audit", "审计"),
        Supervision => ("supervision", "督查"),
        Assessment => ("assessment", "考核"),
        SelfReview => ("self_review", "自查"),
    }
);

text_enum!(
    /// What a re-check (回头看) of a closed measure found.
    RecheckResult {
        Holds => ("holds", "整改成果巩固"),
        Relapsed => ("relapsed", "问题反弹"),
    }
);

text_enum!(
    /// Whose place a handover (责任交接) moves: the measure's accountable leader (责任领导)
    /// or its responsible person (责任人).
    HolderRole {
        AccountableLeader => ("accountable_leader", "责任领导"),
        ResponsiblePerson => ("responsible_person", "责任人"),
    }
);

text_enum!(
    /// Finding category (问题类别).
    Category {
        PoliticalLeadership => ("political_leadership", "政治建设"),
        PartyBuilding => ("party_building", "党的建设"),
        StrictGovernance => ("strict_governance", "全面从严治党"),
        Business => ("business", "业务工作"),
    }
);

text_enum!(
    /// Finding level (一般/重点).
    Level {
        General => ("general", "一般"),
        Key => ("key", "重点"),
    }
);

text_enum!(
    /// Supervision level: `listed` is 挂牌督办.
    SupervisionLevel {
        Normal => ("normal", "常规"),
        Listed => ("listed", "挂牌督办"),
    }
);

text_enum!(
    /// Finding status (问题状态).
    FindingStatus {
        Assigned => ("assigned", "已交办"),
        Claimed => ("claimed", "已认领"),
        PlanSubmitted => ("plan_submitted", "方案待审"),
        InProgress => ("in_progress", "整改中"),
        LongTerm => ("long_term", "阶段性完成"),
        Closed => ("closed", "已销号"),
    }
);

text_enum!(
    /// Where an extension request (延期申请) stands.
    ExtensionStatus {
        Pending => ("pending", "待审批"),
        Approved => ("approved", "已批准"),
        Rejected => ("rejected", "已驳回"),
    }
);

text_enum!(
    /// Measure kind (整改类型).
    MeasureKind {
        Immediate => ("immediate", "立行立改"),
        TimeBound => ("time_bound", "限期整改"),
        LongTerm => ("long_term", "长期坚持"),
    }
);

text_enum!(
    /// Measure status (整改状态).
    MeasureStatus {
        NotStarted => ("not_started", "未开始"),
        InProgress => ("in_progress", "整改中"),
        Submitted => ("submitted", "已申请销号"),
        Endorsed => ("endorsed", "领导已签批"),
        Closed => ("closed", "已销号"),
        Ongoing => ("ongoing", "长期坚持"),
    }
);

text_enum!(
    /// How often a long-term measure reports progress (进展报送周期).
    ReportCycle {
        Monthly => ("monthly", "每月"),
        Quarterly => ("quarterly", "每季度"),
        Semiannual => ("semiannual", "每半年"),
        Annual => ("annual", "每年"),
    }
);

text_enum!(
    /// The period of an annual quota (全年不少于X次).
    QuotaPeriod {
        Month => ("month", "每月"),
        Quarter => ("quarter", "每季度"),
        HalfYear => ("half_year", "每半年"),
        Year => ("year", "每年"),
    }
);

text_enum!(
    /// Traffic-light warning (红黄绿灯预警).
    Warning {
        Green => ("green", "绿灯"),
        Yellow => ("yellow", "黄灯"),
        Red => ("red", "红灯"),
    }
);

/// Orderings of the measure list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
pub enum MeasureSort {
    /// Earliest due first; measures without a due date last.
    #[default]
    #[serde(rename = "due_date")]
    DueDate,
    /// Latest due first; measures without a due date first.
    #[serde(rename = "-due_date")]
    DueDateDesc,
    /// Oldest first.
    #[serde(rename = "created_at")]
    CreatedAt,
}

impl MeasureSort {
    pub fn as_str(self) -> &'static str {
        match self {
            MeasureSort::DueDate => "due_date",
            MeasureSort::DueDateDesc => "-due_date",
            MeasureSort::CreatedAt => "created_at",
        }
    }
}

/// The Chinese labels of `values`, when one enumeration holds exactly these values in this
/// order (as serde lists them when a value is unknown).
pub fn labels_of(values: &[String]) -> Option<Vec<&'static str>> {
    fn of<E: Copy>(
        values: &[String],
        all: &[E],
        text: fn(E) -> &'static str,
        label: fn(E) -> &'static str,
    ) -> Option<Vec<&'static str>> {
        let same = all.len() == values.len() && all.iter().zip(values).all(|(e, v)| text(*e) == v);
        same.then(|| all.iter().map(|e| label(*e)).collect())
    }
    of(
        values,
        SourceType::ALL,
        SourceType::as_str,
        SourceType::label,
    )
    .or_else(|| {
        of(
            values,
            RecheckResult::ALL,
            RecheckResult::as_str,
            RecheckResult::label,
        )
    })
    .or_else(|| {
        of(
            values,
            HolderRole::ALL,
            HolderRole::as_str,
            HolderRole::label,
        )
    })
    .or_else(|| of(values, Category::ALL, Category::as_str, Category::label))
    .or_else(|| of(values, Level::ALL, Level::as_str, Level::label))
    .or_else(|| {
        of(
            values,
            SupervisionLevel::ALL,
            SupervisionLevel::as_str,
            SupervisionLevel::label,
        )
    })
    .or_else(|| {
        of(
            values,
            FindingStatus::ALL,
            FindingStatus::as_str,
            FindingStatus::label,
        )
    })
    .or_else(|| {
        of(
            values,
            ExtensionStatus::ALL,
            ExtensionStatus::as_str,
            ExtensionStatus::label,
        )
    })
    .or_else(|| {
        of(
            values,
            MeasureKind::ALL,
            MeasureKind::as_str,
            MeasureKind::label,
        )
    })
    .or_else(|| {
        of(
            values,
            MeasureStatus::ALL,
            MeasureStatus::as_str,
            MeasureStatus::label,
        )
    })
    .or_else(|| {
        of(
            values,
            ReportCycle::ALL,
            ReportCycle::as_str,
            ReportCycle::label,
        )
    })
    .or_else(|| {
        of(
            values,
            QuotaPeriod::ALL,
            QuotaPeriod::as_str,
            QuotaPeriod::label,
        )
    })
    .or_else(|| of(values, Warning::ALL, Warning::as_str, Warning::label))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_round_trips_through_text_and_json() {
        for s in MeasureStatus::ALL {
            assert_eq!(MeasureStatus::parse(s.as_str()), Some(*s));
            let json = serde_json::to_string(s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
        for k in MeasureKind::ALL {
            assert_eq!(MeasureKind::parse(k.as_str()), Some(*k));
        }
        assert_eq!(
            SourceType::parse("self_review"),
            Some(SourceType::SelfReview)
        );
        assert_eq!(MeasureKind::Immediate.label(), "立行立改");
        assert_eq!(FindingStatus::parse("rejected"), None);
    }
}
