//! The languages problems are told in: Chinese by default, English on request.
//!
//! A message is a [`Text`] — a catalogue id and its arguments — until it is told in the
//! language the request chose. The catalogues are Fluent files beside this module
//! (`locales/zh-CN.ftl`, `locales/en.ftl`) that a translator edits without touching code.

mod catalogue;
mod negotiate;
mod text;

pub use catalogue::render;
pub use negotiate::{negotiate, Lang};
pub use text::{Arg, Text};

tokio::task_local! {
    static CURRENT: Lang;
}

/// The language of the request being answered (set by [`in_language`]); Chinese outside
/// a request.
pub fn current() -> Lang {
    CURRENT.try_with(|lang| *lang).unwrap_or_default()
}

/// Runs `work` with `lang` as the [`current`] language: errors answered inside it are told
/// in that language.
pub async fn in_language<F: std::future::Future>(lang: Lang, work: F) -> F::Output {
    CURRENT.scope(lang, work).await
}
