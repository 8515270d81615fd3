//! The list envelope `{items, next_cursor, total}`; the cursor itself lives with the
//! queries (`db::page`).

pub use crate::db::page::{decode_cursor, encode_cursor, limit, DEFAULT_LIMIT, MAX_LIMIT};

/// Declares a concrete list response `{items, next_cursor, total}` for one item type.
macro_rules! page_type {
    ($name:ident, $item:ty, $what:literal) => {
        #[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[doc = concat!("A page of ", $what, ".")]
        pub struct $name {
            pub items: Vec<$item>,
            /// Pass as `cursor` to get the next page; `null` on the last page.
            pub next_cursor: Option<String>,
            /// How many items match the filters, over all pages.
            pub total: i64,
        }
    };
}
pub(crate) use page_type;
