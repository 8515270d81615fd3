//! What serde, serde_json and the parsers under them say about a bad value, as messages of
//! the catalogues: the English stays serde's, the Chinese names the same thing in the
//! clerk's words ("unknown variant `done`" is told as “done”不是可用的取值…).

use crate::domain::enums;
use crate::i18n::{Arg, Text};
use crate::text;

/// A deserializer's message (without serde_json's " at line … column …").
pub fn value_error(message: &str) -> Text {
    let quoted = |s: &str| s.trim_matches('`').to_string();
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let (value, expected) = split_expected(rest);
        return text!(
            "serde-unknown-variant",
            value = quoted(value),
            count = expected.len(),
            allowed = labelled(&expected),
        );
    }
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let (field, expected) = split_expected(rest);
        return text!(
            "serde-unknown-field",
            field = quoted(field),
            count = expected.len(),
            allowed = expected,
        );
    }
    if let Some(field) = message.strip_prefix("missing field ") {
        return text!("serde-missing-field", field = quoted(field));
    }
    if let Some(field) = message.strip_prefix("duplicate field ") {
        return text!("serde-duplicate-field", field = quoted(field));
    }
    if let Some(key) = message
        .strip_prefix("the key ")
        .and_then(|k| k.strip_suffix(" appears twice"))
    {
        return text!("serde-duplicate-field", field = key.trim_matches('"'));
    }
    for (prefix, id) in [
        ("invalid type: ", text!("serde-invalid-type")),
        ("invalid value: ", text!("serde-invalid-value")),
    ] {
        if let Some((got, want)) = message
            .strip_prefix(prefix)
            .and_then(|r| r.split_once(", expected "))
        {
            return id
                .with("got", unexpected(got))
                .with("want", expected_kind(want));
        }
    }
    if let Some((len, want)) = message
        .strip_prefix("invalid length ")
        .and_then(|r| r.split_once(", expected "))
    {
        return text!(
            "serde-invalid-length",
            len = len,
            want = expected_kind(want)
        );
    }
    if let Some(value) = message.strip_suffix(crate::api::dto::DATE_FORMS) {
        return text!("date-unreadable", value = value.trim().trim_matches('"'));
    }
    let known = [
        ("invalid digit found in string", text!("number-invalid")),
        ("invalid float literal", text!("number-invalid")),
        (
            "cannot parse integer from empty string",
            text!("number-empty"),
        ),
        (
            "number too large to fit in target type",
            text!("number-too-large"),
        ),
        (
            "number too small to fit in target type",
            text!("number-too-small"),
        ),
        (
            "provided string was not `true` or `false`",
            text!("boolean-invalid"),
        ),
        ("not a finite number", text!("number-not-finite")),
        ("input contains invalid characters", text!("date-invalid")),
        ("premature end of input", text!("date-invalid")),
        ("trailing input", text!("date-invalid")),
        ("input is out of range", text!("date-out-of-range")),
        ("invalid character", text!("uuid-invalid")),
        ("invalid group", text!("uuid-invalid")),
        ("invalid length", text!("uuid-invalid")),
    ];
    for (start, text) in known {
        if message.starts_with(start) {
            return text.with("cause", message);
        }
    }
    text!("serde-other", cause = message)
}

/// A JSON document that does not parse, with where.
pub fn syntax_error(e: &serde_json::Error) -> Text {
    let full = e.to_string();
    let reason = full
        .rfind(" at line ")
        .map_or(full.as_str(), |i| &full[..i]);
    let zh = match reason {
        r if r.starts_with("EOF while parsing") => "内容不完整，提前结束",
        r if r.starts_with("expected value") => "此处应为一个值",
        r if r.starts_with("expected `:`") => "此处应为冒号“:”",
        r if r.starts_with("expected `,` or `}`") => "此处应为逗号“,”或“}”",
        r if r.starts_with("expected `,` or `]`") => "此处应为逗号“,”或“]”",
        r if r.starts_with("key must be a string") => "对象的键须为带引号的文本",
        r if r.starts_with("trailing characters") || r.starts_with("trailing comma") => {
            "结尾有多余的字符"
        }
        r if r.starts_with("invalid escape") => "转义字符无效",
        r if r.starts_with("invalid number") || r.starts_with("number out of range") => {
            "数字无效或超出范围"
        }
        r if r.starts_with("control character") => "文本中含有未转义的控制字符",
        r if r.starts_with("recursion limit exceeded") => "嵌套层级过深",
        r if r.starts_with("the key ") => {
            return value_error(r);
        }
        _ => "格式有误",
    };
    text!(
        "json-malformed",
        line = e.line(),
        column = e.column(),
        reason = Arg::Told {
            zh: zh.to_string(),
            en: reason.to_string(),
        },
    )
}

/// `rest` is "`x`, expected one of `a`, `b`" / "`x`, expected `a` or `b`" / "`x`,
/// expected `a`" / "`x`, there are no fields".
fn split_expected(rest: &str) -> (&str, Vec<String>) {
    let Some((value, tail)) = rest.split_once(", ") else {
        return (rest, vec![]);
    };
    let list = tail
        .strip_prefix("expected one of ")
        .or(tail.strip_prefix("expected "))
        .unwrap_or("");
    let names = list
        .split(['`'])
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != "," && *s != "or")
        .map(str::to_string)
        .collect();
    (value, names)
}

/// The values, each with its Chinese label where one enumeration holds exactly these
/// values: `time_bound（限期整改）`.
fn labelled(values: &[String]) -> Arg {
    let labels = enums::labels_of(values);
    Arg::List(
        values
            .iter()
            .enumerate()
            .map(|(i, v)| match labels.as_ref().map(|l| l[i]) {
                Some(label) => Arg::Told {
                    zh: format!("{v}（{label}）"),
                    en: v.clone(),
                },
                None => Arg::Plain(v.clone()),
            })
            .collect(),
    )
}

/// serde's `Unexpected`, told.
fn unexpected(got: &str) -> Arg {
    let zh = if let Some(s) = got.strip_prefix("string ") {
        format!("文本 {s}")
    } else if let Some(n) = got.strip_prefix("integer ") {
        format!("整数 {}", n.trim_matches('`'))
    } else if let Some(n) = got.strip_prefix("floating point ") {
        format!("小数 {}", n.trim_matches('`'))
    } else if let Some(b) = got.strip_prefix("boolean ") {
        format!("布尔值 {}", b.trim_matches('`'))
    } else {
        match got {
            "null" | "unit value" => "null（空值）".into(),
            "sequence" => "数组".into(),
            "map" => "对象".into(),
            other => other.to_string(),
        }
    };
    Arg::Told {
        zh,
        en: got.to_string(),
    }
}

/// serde's `Expected`, told: the kind of value a field takes.
fn expected_kind(want: &str) -> Arg {
    let zh = match want {
        "a string" => "文本".to_string(),
        "a boolean" => "布尔值（true 或 false）".into(),
        "u8" | "u16" | "u32" | "u64" | "usize" => "非负整数".into(),
        "i8" | "i16" | "i32" | "i64" | "isize" => "整数".into(),
        "f32" | "f64" => "数字".into(),
        "a sequence" => "数组".into(),
        "a map" => "对象".into(),
        w if w.starts_with("struct ") => "对象".into(),
        w if w.contains("UUID") => "UUID".into(),
        w if w.contains("date") => "日期（如 2022-06-28）".into(),
        w if w.starts_with("a nonzero") => "非零整数".into(),
        other => other.to_string(),
    };
    Arg::Told {
        zh,
        en: want.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn both(message: &str) -> (String, String) {
        let t = value_error(message);
        (t.told(Lang::ZhCn), t.told(Lang::En))
    }

    #[test]
    fn an_unknown_variant_is_told_with_the_labels_of_its_values() {
        let (zh, en) =
            both("unknown variant `done`, expected one of `immediate`, `time_bound`, `long_term`");
        assert!(
            zh.contains("“done”不是可用的取值") && zh.contains("time_bound（限期整改）"),
            "{zh}"
        );
        assert!(!zh.contains("unknown variant"), "{zh}");
        assert!(en.contains("`done`") && en.contains("time_bound"), "{en}");
    }

    #[test]
    fn fields_and_types_are_told_in_chinese() {
        let (zh, _) = both("missing field `title`");
        assert!(zh.contains("缺少必填字段“title”"), "{zh}");
        let (zh, _) = both("unknown field `titel`, expected `title` or `detail`");
        assert!(zh.contains("titel") && zh.contains("title、detail"), "{zh}");
        let (zh, en) = both("invalid type: integer `5`, expected a string");
        assert!(zh.contains("应为文本") && zh.contains("整数 5"), "{zh}");
        assert!(
            en.contains("integer `5`") && en.contains("a string"),
            "{en}"
        );
        let (zh, _) = both("invalid digit found in string");
        assert!(zh.contains("数字"), "{zh}");
        let (zh, _) = both("\"明年\" is not a date; write it as 2026-12-30, 2026/12/30, 2026年12月30日 or 2026年12月底前");
        assert!(zh.contains("“明年”不是日期"), "{zh}");
    }

    #[test]
    fn malformed_json_says_where_in_both_languages() {
        let e = serde_json::from_str::<serde_json::Value>("{\"a\": 1,").unwrap_err();
        let t = syntax_error(&e);
        let zh = t.told(Lang::ZhCn);
        assert!(zh.contains("第 1 行") && zh.contains("内容不完整"), "{zh}");
        assert!(t.told(Lang::En).contains("EOF while parsing"));
    }
}
