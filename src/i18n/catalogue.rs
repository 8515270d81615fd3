//! The Fluent catalogues, built into the binary, and the telling of a [`Text`] from them.

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use super::{Arg, Lang, Text};

pub(super) const ZH_CN: &str = include_str!("locales/zh-CN.ftl");
pub(super) const EN: &str = include_str!("locales/en.ftl");

type Bundle = FluentBundle<FluentResource>;

fn bundle(lang: Lang) -> &'static Bundle {
    static ZH: OnceLock<Bundle> = OnceLock::new();
    static ENGLISH: OnceLock<Bundle> = OnceLock::new();
    let (cell, source) = match lang {
        Lang::ZhCn => (&ZH, ZH_CN),
        Lang::En => (&ENGLISH, EN),
    };
    cell.get_or_init(|| build(lang, source))
}

pub(super) fn build(lang: Lang, source: &str) -> Bundle {
    let id = lang.tag().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Messages are plain text in JSON, not bidirectional layout: no isolation marks.
    bundle.set_use_isolating(false);
    let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(r, errors)| {
        log::error!("the {} catalogue has errors: {errors:?}", lang.tag());
        r
    });
    if let Err(errors) = bundle.add_resource(resource) {
        log::error!("the {} catalogue repeats entries: {errors:?}", lang.tag());
    }
    bundle
}

/// `text` told in `lang`. A message missing from the catalogue is told in the other
/// language, else as its id (a test keeps both catalogues complete).
pub fn render(text: &Text, lang: Lang) -> String {
    let other = match lang {
        Lang::ZhCn => Lang::En,
        Lang::En => Lang::ZhCn,
    };
    tell(text, lang)
        .or_else(|| tell(text, other))
        .unwrap_or_else(|| text.id.to_string())
}

fn tell(text: &Text, lang: Lang) -> Option<String> {
    let bundle = bundle(lang);
    let pattern = bundle.get_message(text.id)?.value()?;
    let mut args = FluentArgs::new();
    for (name, value) in &text.args {
        args.set(*name, value_of(value, lang));
    }
    let mut errors = vec![];
    let told = bundle.format_pattern(pattern, Some(&args), &mut errors);
    if !errors.is_empty() {
        log::warn!("message {} ({}): {errors:?}", text.id, lang.tag());
    }
    Some(told.into_owned())
}

fn value_of(arg: &Arg, lang: Lang) -> FluentValue<'static> {
    match arg {
        Arg::Number(n) => FluentValue::from(*n),
        other => FluentValue::from(plain(other, lang)),
    }
}

fn plain(arg: &Arg, lang: Lang) -> String {
    match arg {
        Arg::Plain(s) => s.clone(),
        Arg::Number(n) => n.to_string(),
        Arg::Term { zh, .. } if lang == Lang::ZhCn => zh.to_string(),
        Arg::Term { id, zh } => tell(&Text::new(id), lang).unwrap_or_else(|| zh.to_string()),
        Arg::Text(text) => render(text, lang),
        Arg::Told { zh, .. } if lang == Lang::ZhCn => zh.clone(),
        Arg::Told { en, .. } => en.clone(),
        Arg::List(items) => {
            let items: Vec<String> = items.iter().map(|a| plain(a, lang)).collect();
            match lang {
                Lang::ZhCn => items.join("、"),
                Lang::En => items.join(", "),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::*;

    fn ids(source: &str) -> BTreeSet<String> {
        let resource = FluentResource::try_new(source.to_string())
            .unwrap_or_else(|(_, errors)| panic!("the catalogue does not parse: {errors:?}"));
        resource
            .entries()
            .filter_map(|entry| match entry {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                _ => None,
            })
            .collect()
    }

    /// Every `text!("id"…)` and `Text::new("id")` of the code.
    fn used_ids() -> BTreeSet<String> {
        fn walk(dir: &Path, found: &mut BTreeSet<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, found);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let code = std::fs::read_to_string(&path).unwrap();
                    for marker in ["text!(\"", "text!(\n", "Text::new(\""] {
                        for (at, _) in code.match_indices(marker) {
                            let rest = code[at + marker.len()..].trim_start();
                            let rest = rest.strip_prefix('"').unwrap_or(rest);
                            let id: String = rest
                                .chars()
                                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                                .collect();
                            if !id.is_empty() && id != "id" && id != "measure" {
                                found.insert(id);
                            }
                        }
                    }
                }
            }
        }
        let mut found = BTreeSet::new();
        walk(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        found
    }

    /// Names of states, kinds and actions: told from the code's Chinese labels, so only the
    /// English catalogue lists them.
    fn is_term(id: &str) -> bool {
        id.chars().next().is_some_and(|c| c.is_ascii_uppercase())
    }

    #[test]
    fn both_catalogues_hold_the_same_messages_and_every_one_the_code_uses() {
        let zh = ids(ZH_CN);
        let en: BTreeSet<String> = ids(EN).into_iter().filter(|id| !is_term(id)).collect();
        assert_eq!(
            zh.symmetric_difference(&en).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "entries in one catalogue only"
        );
        let refusals: BTreeSet<String> = crate::domain::permissions::Action::ALL
            .iter()
            .map(|a| format!("refusal-{}", a.code()))
            .collect();
        let used: BTreeSet<String> = used_ids().union(&refusals).cloned().collect();
        let missing: Vec<_> = used.difference(&zh).collect();
        assert!(
            missing.is_empty(),
            "used but not in the catalogues: {missing:?}"
        );
        let unused: Vec<_> = zh.difference(&used).collect();
        assert!(
            unused.is_empty(),
            "in the catalogues but never used: {unused:?}"
        );
    }

    #[test]
    fn every_name_of_the_domain_has_its_english() {
        use crate::domain::enums::*;
        fn terms<E: Copy + Into<Arg>>(all: &[E]) -> Vec<Arg> {
            all.iter().map(|e| (*e).into()).collect()
        }
        let mut all = vec![];
        all.extend(terms(SourceType::ALL));
        all.extend(terms(RecheckResult::ALL));
        all.extend(terms(HolderRole::ALL));
        all.extend(terms(Category::ALL));
        all.extend(terms(Level::ALL));
        all.extend(terms(SupervisionLevel::ALL));
        all.extend(terms(FindingStatus::ALL));
        all.extend(terms(ExtensionStatus::ALL));
        all.extend(terms(MeasureKind::ALL));
        all.extend(terms(MeasureStatus::ALL));
        all.extend(terms(ReportCycle::ALL));
        all.extend(terms(QuotaPeriod::ALL));
        all.extend(terms(Warning::ALL));
        let en = ids(EN);
        for arg in all {
            let Arg::Term { id, zh } = arg else {
                panic!("{arg:?} is not a term")
            };
            assert!(en.contains(id), "{id} ({zh}) has no English");
        }
        for id in en.iter().filter(|id| is_term(id)) {
            assert!(bundle(Lang::En).has_message(id));
        }
    }

    #[test]
    fn a_message_is_told_with_its_arguments_and_no_isolation_marks() {
        let text = crate::text!(
            "wrong-state-measure",
            current = crate::domain::enums::MeasureStatus::Submitted,
            action = Arg::Term {
                id: "MeasureAction-start",
                zh: "开始整改"
            },
            count = 0,
            allowed = Vec::<String>::new(),
        );
        assert_eq!(
            text.told(Lang::ZhCn),
            "该措施当前状态为“已申请销号”，不能执行“开始整改”；当前没有可执行的操作。"
        );
        assert_eq!(
            text.told(Lang::En),
            "This measure is “closure requested”, so “start” cannot be done; nothing can be \
             done now."
        );
    }
}
