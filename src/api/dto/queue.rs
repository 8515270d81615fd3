//! The work queue as the API shows it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

pub use crate::domain::queue::{QueueItem, QueueKind};

#[derive(Debug, Clone, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// Only items of this kind.
    pub kind: Option<QueueKind>,
    /// Page size, 1–500 (default 50).
    #[validate(range(min = 1, max = 500))]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// What awaits the caller, most urgent first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "items": [{
        "kind": "closure_to_verify", "object_type": "measure",
        "object_id": "01934f2e-8a10-7c44-b1d2-5e6f7a8b9c0d", "code": "XC-2022-03-05-2",
        "title": "财务管理不规范", "unit_id": "01934f2e-7b1c-7d2a-9a51-0c1f6b2d9e02", "unit": "综合科",
        "since": "2022-07-05T02:00:00Z", "due": "2022-06-30", "warning": "red",
        "listed": true, "names_you": false
    }],
    "next_cursor": null, "total": 1,
    "counts": {"plan_to_approve": 0, "closure_to_verify": 1, "extension_to_decide": 0,
               "red_not_reminded": 0, "measure_without_holder": 0}
}))]
pub struct QueuePage {
    pub items: Vec<QueueItem>,
    pub next_cursor: Option<String>,
    /// All items waiting (the sum of `counts`).
    pub total: i64,
    /// How many of each kind the caller's role has (0 included), so a badge needs no second
    /// call. Exact; the items show at most the 500 most urgent of each kind.
    #[schema(value_type = BTreeMap<String, i64>)]
    pub counts: BTreeMap<QueueKind, i64>,
}
