//! A measure's quota, such as 全年不少于2次.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::enums::QuotaPeriod;
use super::rules::not_blank;

/// An annual quota such as 全年不少于2次.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"metric": "党组会研究党建工作", "min_count": 2, "period": "year"}))]
pub struct Quota {
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub metric: String,
    #[validate(range(min = 1, max = 10000))]
    #[schema(minimum = 1, maximum = 10000)]
    pub min_count: i32,
    pub period: QuotaPeriod,
}
