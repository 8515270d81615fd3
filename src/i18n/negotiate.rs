//! `Accept-Language` (RFC 9110 §12.5.4) against the languages the catalogues hold.

use std::str::FromStr;

/// A language the catalogues hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// 简体中文, the default.
    #[default]
    ZhCn,
    En,
}

impl Lang {
    /// The language tag, as `Content-Language` carries it.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The language a tag asks for, if the catalogues hold it (`zh`, `zh-CN`, `zh-Hans-CN`,
    /// `zh-TW`… are all Chinese; `en`, `en-GB`… English).
    fn of_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.trim();
        if primary.eq_ignore_ascii_case("zh") {
            Some(Lang::ZhCn)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else {
            None
        }
    }
}

impl FromStr for Lang {
    type Err = String;

    /// For `ZHENGGAI_LANG`: a tag of a language the catalogues hold.
    fn from_str(s: &str) -> Result<Lang, String> {
        Lang::of_tag(s.trim())
            .filter(|_| !s.contains(',') && !s.contains(';'))
            .ok_or_else(|| format!("{s:?} is not a language this service speaks (zh-CN, en)"))
    }
}

/// The language to answer in: the holdable language the client weights highest (ties go to
/// the one listed first; `q=0` refuses a language), `*` or nothing holdable meaning the
/// configured default. A malformed weight counts as 1, as lenient servers do.
pub fn negotiate(accept_language: Option<&str>, default: Lang) -> Lang {
    let asked: Vec<(&str, u16)> = accept_language
        .unwrap_or("")
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let weight = parts
                .filter_map(|p| {
                    let p = p.trim();
                    p.strip_prefix("q=").or(p.strip_prefix("Q="))
                })
                .map(weight)
                .next()
                .unwrap_or(1000);
            (!tag.is_empty()).then_some((tag, weight))
        })
        .collect();
    let refused: Vec<Lang> = asked
        .iter()
        .filter(|(_, w)| *w == 0)
        .filter_map(|(tag, _)| Lang::of_tag(tag))
        .collect();
    let open = |lang: &Lang| !refused.contains(lang);
    let fallback = [default, Lang::ZhCn, Lang::En]
        .into_iter()
        .find(open)
        .unwrap_or(default);
    let mut best: Option<(u16, Lang)> = None;
    for (tag, weight) in asked.into_iter().filter(|(_, w)| *w > 0) {
        let lang = match tag {
            "*" => fallback,
            tag => match Lang::of_tag(tag).filter(open) {
                Some(lang) => lang,
                None => continue,
            },
        };
        if best.is_none_or(|(w, _)| weight > w) {
            best = Some((weight, lang));
        }
    }
    best.map_or(fallback, |(_, lang)| lang)
}

/// A weight in thousandths; `q=0.5` → 500.
fn weight(text: &str) -> u16 {
    match text.trim().parse::<f32>() {
        Ok(q) if (0.0..=1.0).contains(&q) => (q * 1000.0).round() as u16,
        _ => 1000,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_highest_weight_wins_and_the_default_fills_in() {
        let zh = Lang::ZhCn;
        assert_eq!(negotiate(None, zh), zh);
        assert_eq!(negotiate(None, Lang::En), Lang::En);
        assert_eq!(negotiate(Some("en"), zh), Lang::En);
        assert_eq!(negotiate(Some("en-US,en;q=0.9"), zh), Lang::En);
        assert_eq!(negotiate(Some("zh-CN,zh;q=0.9,en;q=0.8"), Lang::En), zh);
        assert_eq!(negotiate(Some("en;q=0.3, zh-Hans;q=0.9"), Lang::En), zh);
        assert_eq!(negotiate(Some("fr, en;q=0.5"), zh), Lang::En);
        assert_eq!(negotiate(Some("fr, de"), zh), zh);
        assert_eq!(negotiate(Some("fr, de"), Lang::En), Lang::En);
        assert_eq!(negotiate(Some("*"), Lang::En), Lang::En);
        assert_eq!(negotiate(Some(""), zh), zh);
        assert_eq!(negotiate(Some("zh;q=0, *"), zh), Lang::En);
        assert_eq!(negotiate(Some("zh;q=0, fr"), zh), Lang::En);
        assert_eq!(negotiate(Some("EN-gb;Q=0.7"), zh), Lang::En);
        assert_eq!(negotiate(Some("en;q=abc"), zh), Lang::En);
    }

    #[test]
    fn the_configured_language_is_a_tag_the_catalogues_hold() {
        assert_eq!("zh-CN".parse::<Lang>(), Ok(Lang::ZhCn));
        assert_eq!("en".parse::<Lang>(), Ok(Lang::En));
        assert!("fr".parse::<Lang>().is_err());
        assert!("en,zh".parse::<Lang>().is_err());
    }
}
